import { Box } from "@mui/material";
import { BaseEdge, type Edge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from "@xyflow/react";

export type TopicFlowEdge = Edge<{ topics: string[] }, "topic">;

/** A wire of the bus, labelled with its topics one per line (an HTML label, so it wraps). */
export function TopicEdge(props: EdgeProps<TopicFlowEdge>) {
  const { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd, style } = props;
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  return (
    <>
      <BaseEdge path={path} markerEnd={markerEnd} style={style} />
      <EdgeLabelRenderer>
        <Box
          sx={{
            position: "absolute",
            transform: `translate(-50%, -50%) translate(${String(labelX)}px, ${String(labelY)}px)`,
            bgcolor: "background.paper",
            color: "text.primary",
            border: 1,
            borderColor: "divider",
            borderRadius: 1,
            px: 0.5,
            fontSize: 11,
            lineHeight: 1.4,
            fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
            pointerEvents: "none",
            textAlign: "center",
          }}
        >
          {(data?.topics ?? []).map((topic) => (
            <div key={topic}>{topic}</div>
          ))}
        </Box>
      </EdgeLabelRenderer>
    </>
  );
}
