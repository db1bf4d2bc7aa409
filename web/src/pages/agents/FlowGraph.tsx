import "@xyflow/react/dist/style.css";

import RestartAltIcon from "@mui/icons-material/RestartAlt";
import { Box, Button, useTheme } from "@mui/material";
import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  useNodesState,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState } from "react";

import type { Agent, Pipeline } from "./api";
import type { AgentCardProps } from "./AgentCard";
import { type AgentFlowNode, AgentNode } from "./AgentNode";
import { TopicEdge, type TopicFlowEdge } from "./TopicEdge";
import { forgetPositions, initialPositions, loadPositions, savePositions, type Wire } from "./layout";

const nodeTypes = { agent: AgentNode };
const edgeTypes = { topic: TopicEdge };

export interface FlowGraphProps {
  sessionId: string;
  pipeline: Pipeline;
  /** The agents of the session by id (their latest state). */
  agents: ReadonlyMap<string, Agent>;
  now: number;
  scores: ReadonlyMap<string, AgentCardProps["score"]>;
  onLogs: (agent: Agent) => void;
  locked?: string | undefined;
}

/** The pipeline's edges by agent id, one per publisher and subscriber, naming every topic between them. */
export function wires(pipeline: Pipeline): (Wire & { topics: string[] })[] {
  const idOf = new Map(pipeline.nodes.map((node) => [node.name, node.id]));
  const byPair = new Map<string, Wire & { topics: string[] }>();
  for (const edge of pipeline.edges) {
    const source = idOf.get(edge.source);
    const target = idOf.get(edge.target);
    if (source === undefined || target === undefined) {
      continue;
    }
    const pair = `${source}->${target}`;
    const known = byPair.get(pair);
    if (known === undefined) {
      byPair.set(pair, { source, target, topics: [edge.topic] });
    } else {
      known.topics.push(edge.topic);
    }
  }
  return [...byPair.values()];
}

export function FlowGraph({ sessionId, pipeline, agents, now, scores, onLogs, locked }: FlowGraphProps) {
  const theme = useTheme();
  const [generation, setGeneration] = useState(0);
  const links = useMemo(() => wires(pipeline), [pipeline]);
  const ids = useMemo(() => pipeline.nodes.map((node) => node.id), [pipeline]);

  const [nodes, setNodes, onNodesChange] = useNodesState<AgentFlowNode>([]);

  // Cards placed once per pipeline (kept positions first); their data follows the server.
  useEffect(() => {
    const positions = initialPositions(sessionId, ids, links);
    setNodes((previous) => {
      const where = new Map(previous.map((node) => [node.id, node.position]));
      return ids.flatMap((id): AgentFlowNode[] => {
        const agent = agents.get(id);
        if (agent === undefined) {
          return [];
        }
        const before = previous.find((node) => node.id === id);
        return [
          {
            ...(before ?? {}),
            id,
            type: "agent",
            position: where.get(id) ?? positions.get(id) ?? { x: 0, y: 0 },
            data: { agent, now, score: scores.get(id), onLogs, locked },
          },
        ];
      });
    });
  }, [sessionId, ids, links, agents, now, scores, onLogs, locked, setNodes, generation]);

  const stroke = useCallback(
    (running: boolean) => (running ? theme.palette.success.main : theme.palette.text.disabled),
    [theme],
  );
  const edges = useMemo(
    (): TopicFlowEdge[] =>
      links.map((link) => {
        // Messages flow while the publisher runs (and nothing flows in a completed session).
        const running = locked === undefined && agents.get(link.source)?.status === "running";
        return {
          id: `${link.source}->${link.target}`,
          source: link.source,
          target: link.target,
          type: "topic",
          data: { topics: link.topics },
          animated: running,
          markerEnd: { type: MarkerType.ArrowClosed, color: stroke(running) },
          style: { strokeWidth: 2, stroke: stroke(running) },
        };
      }),
    [links, agents, stroke, locked],
  );

  return (
    <Box sx={{ position: "relative", height: "calc(100vh - 200px)", minHeight: 480 }}>
      <Box sx={{ position: "absolute", top: 8, right: 8, zIndex: 5 }}>
        <Button
          size="small"
          variant="outlined"
          startIcon={<RestartAltIcon />}
          onClick={() => {
            forgetPositions(sessionId);
            setNodes([]);
            setGeneration((g) => g + 1);
          }}
        >
          Reset layout
        </Button>
      </Box>
      <ReactFlow<AgentFlowNode, TopicFlowEdge>
        key={generation}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onNodeDragStop={(_event, _node, dragged) => {
          const kept = loadPositions(sessionId);
          for (const node of nodes) {
            kept.set(node.id, node.position);
          }
          for (const node of dragged) {
            kept.set(node.id, node.position);
          }
          savePositions(sessionId, kept);
        }}
        nodesConnectable={false}
        colorMode={theme.palette.mode}
        fitView
        fitViewOptions={{ padding: 0.1 }}
        minZoom={0.2}
        aria-label="Agent pipeline graph"
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </Box>
  );
}
