/**
 * One page of ended sessions: sortable by the server (a header click asks
 * for that order), each row selectable for the compare page, a click on a
 * row opens the session.
 */
import {
  Box,
  Checkbox,
  Link,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TableSortLabel,
} from "@mui/material";
import type { ReactNode } from "react";
import { Link as RouterLink, useNavigate } from "react-router";

import { Money } from "../../components/Money";
import { StatusChip } from "../../components/StatusChip";
import { plainRatio, ratioPercent } from "../../format/metrics";
import { formatTime } from "../../format/time";
import { SessionType } from "../sessions/SessionType";
import type { HistorySort, SessionSummary } from "./types";
import { VISUALLY_HIDDEN } from "../../components/visuallyHidden";

interface Column {
  label: string;
  sort?: HistorySort;
  numeric?: boolean;
  render: (row: SessionSummary) => ReactNode;
}

const COLUMNS: Column[] = [
  { label: "Ended", sort: "ended_at", render: (row) => formatTime(row.ended_at) },
  {
    label: "Name",
    sort: "name",
    render: (row) => (
      <Link component={RouterLink} to={`/sessions/${row.session_id}`} onClick={(event) => { event.stopPropagation(); }}>
        {row.name}
      </Link>
    ),
  },
  { label: "Strategy", render: (row) => row.strategy ?? "—" },
  { label: "Type", render: (row) => <SessionType type={row.type} /> },
  { label: "State", render: (row) => <StatusChip status={row.state} /> },
  { label: "P&L", sort: "pnl", numeric: true, render: (row) => <Money value={row.pnl} pnl /> },
  { label: "Return", sort: "total_return", numeric: true, render: (row) => ratioPercent(row.total_return) },
  { label: "Max drawdown", sort: "max_drawdown", numeric: true, render: (row) => ratioPercent(row.max_drawdown) },
  { label: "Sharpe", sort: "sharpe", numeric: true, render: (row) => plainRatio(row.sharpe) },
  { label: "Trades", sort: "trades", numeric: true, render: (row) => row.trades.toLocaleString("en-US") },
];

export function HistoryTable({
  rows,
  sort,
  order,
  onSort,
  selected,
  onToggle,
}: {
  rows: SessionSummary[];
  sort: HistorySort;
  order: "asc" | "desc";
  onSort: (sort: HistorySort) => void;
  selected: ReadonlyMap<string, string>;
  onToggle: (row: SessionSummary) => void;
}) {
  const navigate = useNavigate();
  return (
    <TableContainer sx={{ border: 1, borderColor: "divider", borderRadius: 1 }}>
      <Table size="small" aria-label="Past sessions">
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox">
              <Box component="span" sx={VISUALLY_HIDDEN}>
                Select
              </Box>
            </TableCell>
            {COLUMNS.map((column) => (
              <TableCell
                key={column.label}
                align={column.numeric === true ? "right" : "left"}
                sortDirection={column.sort !== undefined && sort === column.sort ? order : false}
              >
                {column.sort === undefined ? column.label : <SortLabel by={column.sort} label={column.label} sort={sort} order={order} onSort={onSort} />}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow
              key={row.session_id}
              hover
              selected={selected.has(row.session_id)}
              sx={{ cursor: "pointer" }}
              onClick={() => {
                void navigate(`/sessions/${row.session_id}`);
              }}
            >
              <TableCell padding="checkbox" onClick={(event) => { event.stopPropagation(); }}>
                <Checkbox
                  checked={selected.has(row.session_id)}
                  onChange={() => {
                    onToggle(row);
                  }}
                  slotProps={{ input: { "aria-label": `Select ${row.name}` } }}
                />
              </TableCell>
              {COLUMNS.map((column) => (
                <TableCell key={column.label} align={column.numeric === true ? "right" : "left"} sx={{ whiteSpace: "nowrap" }}>
                  {column.render(row)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function SortLabel({
  by,
  label,
  sort,
  order,
  onSort,
}: {
  by: HistorySort;
  label: string;
  sort: HistorySort;
  order: "asc" | "desc";
  onSort: (sort: HistorySort) => void;
}) {
  return (
    <TableSortLabel
      active={sort === by}
      direction={sort === by ? order : "desc"}
      onClick={() => {
        onSort(by);
      }}
    >
      {label}
    </TableSortLabel>
  );
}
