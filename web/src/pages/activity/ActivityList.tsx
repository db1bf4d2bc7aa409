/**
 * The feed as a virtualized table, newest on top. It follows the newest
 * events while the reader is at the top and not pointing at it; scrolled
 * down or hovering, what is shown holds still and a button counts what
 * arrived meanwhile.
 */
import ArrowUpwardIcon from "@mui/icons-material/ArrowUpward";
import { Box, Button } from "@mui/material";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useRef, useState } from "react";

import { formatTime } from "../../format/time";
import { type FeedItem, itemKey } from "./feed";
import { SessionLink, useSessionNames } from "./SessionLink";
import { SeverityLabel } from "./SeverityLabel";

export const ROW_HEIGHT = 40;
const COLUMNS = "110px 190px 150px 190px minmax(0, 1fr)";

const cell = { px: 1, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" } as const;

/** One event's cells. Rows are plain elements styled once by the list: at 50 events a second only new rows render. */
const Row = memo(function Row({ item, name }: { item: FeedItem; name: string | undefined }) {
  return (
    <>
      <div role="cell" className="feed-cell feed-severity">
        <SeverityLabel severity={item.severity} />
      </div>
      <div
        role="cell"
        className="feed-cell feed-time"
        title={item.recordedAt === null ? "recorded just now (live)" : `recorded ${formatTime(item.recordedAt)}`}
      >
        {formatTime(item.time)}
      </div>
      <div role="cell" className="feed-cell">
        <SessionLink sessionId={item.sessionId} name={name} />
      </div>
      <div role="cell" className="feed-cell feed-kind">
        {item.type}
      </div>
      <div role="cell" className="feed-cell" title={item.message}>
        {item.message}
      </div>
    </>
  );
});

const rowLook = {
  display: "grid",
  gridTemplateColumns: COLUMNS,
  alignItems: "center",
  borderBottom: 1,
  borderColor: "divider",
} as const;

export function ActivityList({ items, label }: { items: readonly FeedItem[]; label: string }) {
  const names = useSessionNames();
  const scroller = useRef<HTMLDivElement>(null);
  const [hovering, setHovering] = useState(false);
  const [scrolledAway, setScrolledAway] = useState(false);
  // While paused: the newest item shown. What is above it waits.
  const [anchor, setAnchor] = useState<string | null>(null);
  const paused = hovering || scrolledAway;
  const newest = items[0] === undefined ? null : itemKey(items[0]);
  if (paused && anchor === null && newest !== null) {
    setAnchor(newest);
  } else if (!paused && anchor !== null) {
    setAnchor(null);
  }
  const at = anchor === null ? 0 : items.findIndex((item) => itemKey(item) === anchor);
  const waiting = Math.max(0, at);
  const shown = waiting === 0 ? items : items.slice(waiting);

   
  const rows = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => {
      const item = shown[index];
      return item === undefined ? index : itemKey(item);
    },
    overscan: 12,
  });

  const jump = () => {
    if (scroller.current !== null) {
      scroller.current.scrollTop = 0;
    }
    setScrolledAway(false);
    setAnchor(newest);
  };

  return (
    <Box sx={{ position: "relative" }}>
      {waiting > 0 && (
        <Button
          variant="contained"
          size="small"
          startIcon={<ArrowUpwardIcon />}
          onClick={jump}
          sx={{ position: "absolute", top: 4, left: "50%", transform: "translateX(-50%)", zIndex: 2 }}
        >
          {waiting} new event{waiting === 1 ? "" : "s"} — jump to latest
        </Button>
      )}
      <Box
        role="table"
        aria-label={label}
        aria-rowcount={shown.length + 1}
        sx={{ border: 1, borderColor: "divider", borderRadius: 1 }}
      >
        <Box role="rowgroup">
          <Box
            role="row"
            aria-rowindex={1}
            sx={{ ...rowLook, height: ROW_HEIGHT, typography: "subtitle2", bgcolor: "action.hover" }}
          >
            {["Severity", "Time", "Session", "Kind", "Message"].map((name) => (
              <Box role="columnheader" key={name} sx={cell}>
                {name}
              </Box>
            ))}
          </Box>
        </Box>
        <Box
          ref={scroller}
          role="rowgroup"
          onScroll={(event) => {
            setScrolledAway(event.currentTarget.scrollTop > 4);
          }}
          onMouseEnter={() => {
            setHovering(true);
          }}
          onMouseLeave={() => {
            setHovering(false);
          }}
          sx={{
            height: "calc(100vh - 330px)",
            minHeight: 320,
            overflowY: "auto",
            contain: "strict",
            "& .feed-row": { ...rowLook, position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT },
            "& .feed-cell": { ...cell, typography: "body2" },
            "& .feed-severity": { display: "flex", alignItems: "center" },
            "& .feed-time": { fontVariantNumeric: "tabular-nums" },
            "& .feed-kind": { fontFamily: "monospace" },
          }}
        >
          <Box sx={{ height: rows.getTotalSize(), position: "relative" }}>
            {rows.getVirtualItems().map((row) => {
              const item = shown[row.index];
              if (item === undefined) {
                return null;
              }
              return (
                <div
                  key={row.key}
                  role="row"
                  aria-rowindex={row.index + 2}
                  className="feed-row"
                  style={{ transform: `translateY(${row.start}px)` }}
                >
                  <Row item={item} name={item.sessionId === null ? undefined : names.get(item.sessionId)} />
                </div>
              );
            })}
          </Box>
        </Box>
      </Box>
    </Box>
  );
}
