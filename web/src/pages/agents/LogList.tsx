import { Box } from "@mui/material";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";

import { highlightParts, type Line } from "./logLines";

const ROW = 20;

const LEVEL_COLOR: Record<string, string> = {
  WARNING: "warning.main",
  ERROR: "error.main",
  CRITICAL: "error.main",
  DEBUG: "text.secondary",
};

/**
 * The lines, monospace and virtualized (thousands stay smooth). While
 * `follow`, it keeps the newest line in view, unless the user scrolled up.
 */
export function LogList({ lines, search, follow }: { lines: readonly Line[]; search: string; follow: boolean }) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 20,
    // Until the box is measured: about a drawer's size.
    initialRect: { width: 800, height: 600 },
  });

  useEffect(() => {
    if (follow && atBottom.current && lines.length > 0) {
      virtualizer.scrollToIndex(lines.length - 1, { align: "end" });
    }
  }, [lines, follow, virtualizer]);

  return (
    <Box
      ref={scroller}
      role="log"
      aria-label="Log lines"
      tabIndex={0}
      onScroll={(event) => {
        const box = event.currentTarget;
        atBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < ROW * 2;
      }}
      sx={{
        flex: 1,
        minHeight: 0,
        overflow: "auto",
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
        fontSize: 12.5,
        bgcolor: "action.hover",
        borderRadius: 1,
      }}
    >
      <Box sx={{ height: virtualizer.getTotalSize(), position: "relative", minWidth: "max-content" }}>
        {virtualizer.getVirtualItems().map((item) => {
          const line = lines[item.index];
          if (line === undefined) {
            return null;
          }
          return (
            <Box
              key={item.key}
              sx={{
                position: "absolute",
                top: 0,
                left: 0,
                transform: `translateY(${String(item.start)}px)`,
                height: ROW,
                lineHeight: `${String(ROW)}px`,
                whiteSpace: "pre",
                px: 1,
                color: LEVEL_COLOR[line.level],
              }}
            >
              {highlightParts(line.text, search).map((part, index) =>
                part.hit ? (
                  <Box component="mark" key={index} sx={{ bgcolor: "warning.light", color: "common.black" }}>
                    {part.text}
                  </Box>
                ) : (
                  <span key={index}>{part.text}</span>
                ),
              )}
            </Box>
          );
        })}
      </Box>
    </Box>
  );
}
