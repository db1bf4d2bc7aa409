/**
 * The sessions as a table whose body is virtualized: only the rows in view
 * (and a few either side) are in the page, so thousands of sessions scroll
 * smoothly. Spacer rows above and below keep the scrollbar true to the list.
 */
import {
  Box,
  Link,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TableSortLabel,
  Tooltip,
} from "@mui/material";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useRef } from "react";
import { Link as RouterLink, useNavigate } from "react-router";

import { BrokerMarker } from "../../components/BrokerMarker";
import { Money } from "../../components/Money";
import { SessionControls } from "../../components/SessionControls";
import { StatusChip } from "../../components/StatusChip";
import { formatTime } from "../../format/time";
import { formatMinute, type Session, type SortDir, type SortKey } from "./rows";
import { SessionType } from "./SessionType";
import { Uptime } from "./Uptime";

export const ROW_HEIGHT = 53;

interface Column {
  key: SortKey;
  label: string;
  width: number;
  numeric?: boolean;
}

const COLUMNS: Column[] = [
  { key: "type", label: "Type", width: 235 },
  { key: "name", label: "Name", width: 150 },
  { key: "strategy", label: "Strategy", width: 130 },
  { key: "state", label: "State", width: 125 },
  { key: "realized", label: "Realized P&L", width: 115, numeric: true },
  { key: "unrealized", label: "Unrealized P&L", width: 125, numeric: true },
  { key: "exposure", label: "Exposure", width: 120, numeric: true },
  { key: "uptime", label: "Uptime", width: 100, numeric: true },
  { key: "created", label: "Created", width: 160 },
];

// Five small icon buttons side by side.
const ACTIONS_WIDTH = 205;
/** The actions stay in view at the right edge when the table scrolls sideways (narrow screens). */
const STICKY_ACTIONS = {
  position: "sticky",
  right: 0,
  bgcolor: "background.paper",
  borderLeft: 1,
  borderLeftColor: "divider",
} as const;
const TABLE_WIDTH = COLUMNS.reduce((sum, column) => sum + column.width, ACTIONS_WIDTH);

export function SessionsTable({
  rows,
  sort,
  dir,
  onSort,
}: {
  rows: Session[];
  sort: SortKey;
  dir: SortDir;
  onSort: (key: SortKey) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => rows[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;

  return (
    <TableContainer
      ref={scroller}
      tabIndex={0}
      aria-label="Sessions, scrollable"
      sx={{ height: "calc(100vh - 300px)", minHeight: 320, overflow: "auto", border: 1, borderColor: "divider", borderRadius: 1 }}
    >
      <Table stickyHeader size="small" aria-rowcount={rows.length + 1} sx={{ tableLayout: "fixed", minWidth: TABLE_WIDTH }}>
        <TableHead>
          <TableRow aria-rowindex={1}>
            {COLUMNS.map((column) => (
              <TableCell
                key={column.key}
                align={column.numeric === true ? "right" : "left"}
                sx={{ width: column.width }}
                sortDirection={sort === column.key ? dir : false}
              >
                <TableSortLabel
                  active={sort === column.key}
                  direction={sort === column.key ? dir : "asc"}
                  onClick={() => {
                    onSort(column.key);
                  }}
                >
                  {column.label}
                </TableSortLabel>
              </TableCell>
            ))}
            <TableCell sx={{ width: ACTIONS_WIDTH, ...STICKY_ACTIONS, zIndex: 3 }}>Actions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {before > 0 && (
            <TableRow aria-hidden>
              <TableCell colSpan={COLUMNS.length + 1} sx={{ p: 0, border: 0 }} style={{ height: before }} />
            </TableRow>
          )}
          {items.map((item) => {
            const session = rows[item.index];
            if (session === undefined) {
              return null;
            }
            return <SessionRow key={item.key} session={session} rowIndex={item.index + 2} />;
          })}
          {after > 0 && (
            <TableRow aria-hidden>
              <TableCell colSpan={COLUMNS.length + 1} sx={{ p: 0, border: 0 }} style={{ height: after }} />
            </TableRow>
          )}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/**
 * One session's row. Memoized: a refreshed list keeps the objects of unchanged
 * sessions (the query's structural sharing), so only changed rows render again.
 */
const SessionRow = memo(function SessionRow({ session, rowIndex }: { session: Session; rowIndex: number }) {
  const navigate = useNavigate();
  return (
    <TableRow
      hover
      aria-rowindex={rowIndex}
      sx={{ height: ROW_HEIGHT, cursor: "pointer" }}
      onClick={() => {
        void navigate(`/sessions/${session.id}`);
      }}
    >
      <TableCell sx={{ whiteSpace: "nowrap", overflow: "hidden" }}>
        <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 1, maxWidth: "100%" }}>
          <SessionType type={session.type} />
          <BrokerMarker session={session} />
        </Box>
      </TableCell>
      <TableCell sx={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>
        <Link
          component={RouterLink}
          to={`/sessions/${session.id}`}
          title={session.id}
          onClick={(event) => {
            event.stopPropagation();
          }}
        >
          {session.name}
        </Link>
      </TableCell>
      <TableCell sx={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>
        {session.strategy?.name ?? "—"}
      </TableCell>
      <TableCell>
        <Tooltip title={session.state_reason ?? ""} describeChild>
          <span>
            <StatusChip status={session.state} />
          </span>
        </Tooltip>
      </TableCell>
      <TableCell align="right">
        <Money value={session.total_realized_pnl} pnl />
      </TableCell>
      <TableCell align="right">
        <Money value={session.total_unrealized_pnl} pnl />
      </TableCell>
      <TableCell align="right">
        <Money value={session.exposure} />
      </TableCell>
      <TableCell align="right">
        <Uptime session={session} />
      </TableCell>
      <TableCell sx={{ whiteSpace: "nowrap" }} title={formatTime(session.created_at)}>
        {formatMinute(session.created_at)}
      </TableCell>
      {/* Clicks in the controls (and their dialogs) do not open the session. */}
      <TableCell
        sx={{ whiteSpace: "nowrap", py: 0, ...STICKY_ACTIONS }}
        onClick={(event) => {
          event.stopPropagation();
        }}
      >
        <SessionControls session={session} compact />
      </TableCell>
    </TableRow>
  );
});
