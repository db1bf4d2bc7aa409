/** A sweep's results: every run with its parameters, window, score and key metrics, sortable; each can be opened as a session. */
import OpenInNewIcon from "@mui/icons-material/OpenInNew";
import { Box, Button, Table, TableBody, TableCell, TableHead, TableRow, TableSortLabel } from "@mui/material";
import { useMemo, useState } from "react";

import { formatMetric, metricNumber, plainRatio, valueText } from "../../format/metrics";
import type { SweepResult } from "./types";
import { metricsRecord } from "../history/types";

interface Column {
  key: string;
  label: string;
  numeric: boolean;
  value: (row: SweepResult) => unknown;
  render: (row: SweepResult) => string;
}

const METRIC_COLUMNS: { name: string; label: string; kind: "percent" | "ratio" | "count" }[] = [
  { name: "total_return", label: "Return", kind: "percent" },
  { name: "sharpe", label: "Sharpe", kind: "ratio" },
  { name: "max_drawdown", label: "Max drawdown", kind: "percent" },
  { name: "num_trades", label: "Trades", kind: "count" },
];

export function columnsFor(params: string[]): Column[] {
  return [
    { key: "idx", label: "#", numeric: true, value: (row) => row.idx, render: (row) => String(row.idx) },
    ...params.map((name) => ({
      key: `param:${name}`,
      label: name,
      numeric: true,
      value: (row: SweepResult) => row.params[name],
      render: (row: SweepResult) => (row.params[name] === undefined ? "—" : valueText(row.params[name])),
    })),
    {
      key: "window",
      label: "Window",
      numeric: false,
      value: (row) => `${String(row.fold)} ${row.window.phase}`,
      render: (row) => (row.window.phase === "full" ? "whole period" : `fold ${String(row.fold)} ${row.window.phase.replace(/_/g, "-")}`),
    },
    { key: "score", label: "Score", numeric: true, value: (row) => row.score, render: (row) => (row.error === null ? plainRatio(row.score) : "failed") },
    ...METRIC_COLUMNS.map((metric) => ({
      key: metric.name,
      label: metric.label,
      numeric: true,
      value: (row: SweepResult) => metricsRecord(row.metrics)[metric.name],
      render: (row: SweepResult) => formatMetric(metric.kind, metricsRecord(row.metrics)[metric.name]),
    })),
  ];
}

function compare(a: unknown, b: unknown): number {
  const x = metricNumber(a);
  const y = metricNumber(b);
  if (x !== null && y !== null) return x - y;
  if (x === null && y !== null) return -1;
  if (x !== null && y === null) return 1;
  return valueText(a ?? "").localeCompare(valueText(b ?? ""));
}

export function SweepResultsTable({
  results,
  params,
  opening,
  onOpen,
}: {
  results: SweepResult[];
  params: string[];
  opening: boolean;
  onOpen: (row: SweepResult) => void;
}) {
  const columns = useMemo(() => columnsFor(params), [params]);
  const [sort, setSort] = useState<{ key: string; dir: "asc" | "desc" }>({ key: "score", dir: "desc" });
  const rows = useMemo(() => {
    const column = columns.find((item) => item.key === sort.key) ?? columns[0];
    if (column === undefined) return results;
    const sorted = [...results].sort((a, b) => compare(column.value(a), column.value(b)));
    return sort.dir === "desc" ? sorted.reverse() : sorted;
  }, [results, columns, sort]);
  return (
    <Box sx={{ overflow: "auto", maxHeight: 480 }}>
      <Table size="small" stickyHeader aria-label="Sweep results">
        <TableHead>
          <TableRow>
            {columns.map((column) => (
              <TableCell key={column.key} align={column.numeric ? "right" : "left"} sortDirection={sort.key === column.key ? sort.dir : false}>
                <TableSortLabel
                  active={sort.key === column.key}
                  direction={sort.key === column.key ? sort.dir : "desc"}
                  onClick={() => {
                    setSort((current) => ({ key: column.key, dir: current.key === column.key && current.dir === "desc" ? "asc" : "desc" }));
                  }}
                >
                  {column.label}
                </TableSortLabel>
              </TableCell>
            ))}
            <TableCell>Session</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={`${String(row.idx)}-${String(row.fold)}-${row.window.phase}`} hover>
              {columns.map((column) => (
                <TableCell key={column.key} align={column.numeric ? "right" : "left"} sx={{ whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" }} title={column.key === "score" && row.error !== null ? row.error : undefined}>
                  {column.render(row)}
                </TableCell>
              ))}
              <TableCell>
                <Button
                  size="small"
                  startIcon={<OpenInNewIcon />}
                  disabled={opening || row.error !== null}
                  aria-label={`Open as session: result ${String(row.idx)}`}
                  onClick={() => {
                    onOpen(row);
                  }}
                >
                  Open as session
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
