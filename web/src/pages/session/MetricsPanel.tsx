/**
 * The session's results: P&L and exposure and execution quality from the
 * session view, performance figures and the trade log from the metrics route.
 */
import { Box, Typography } from "@mui/material";
import type { ReactNode } from "react";

import { Money } from "../../components/Money";
import { formatDecimal, formatPercent } from "../../format/numbers";
import { formatDuration } from "../../format/time";
import { Section } from "./Section";
import type { useMetrics } from "./queries";
import type { SessionView } from "./types";
import { type Column, VirtualTable } from "./VirtualTable";

/** The first of `names` the metrics have. */
function pick(values: Record<string, unknown> | undefined, ...names: string[]): unknown {
  for (const name of names) {
    const value = values?.[name];
    if (value !== undefined && value !== null) {
      return value;
    }
  }
  return null;
}

function percent(value: unknown): string {
  return value === null ? "—" : formatPercent(Number(value));
}

function plain(value: unknown, places = 2): string {
  return typeof value === "string" || typeof value === "number" ? formatDecimal(value, { places }) : "—";
}

function duration(value: unknown): string {
  if (typeof value === "number") {
    return formatDuration(value);
  }
  return typeof value === "string" ? value : "—";
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box component="div" role="group" aria-label={label} sx={{ minWidth: 150 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography component="div" sx={{ fontVariantNumeric: "tabular-nums", fontWeight: 500 }}>
        {children}
      </Typography>
    </Box>
  );
}

export function MetricsPanel({ session, metrics }: { session: SessionView; metrics: ReturnType<typeof useMetrics> }) {
  const values = metrics.data?.values;
  const quality = session.execution_quality;
  const trades = metrics.data?.trades ?? [];
  const exposure = session.exposure ?? pick(values, "exposure", "gross_exposure");
  return (
    <Section title="Metrics">
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 3 }}>
        <Figure label="Realized P&L">
          <Money value={session.total_realized_pnl} pnl />
        </Figure>
        <Figure label="Unrealized P&L">
          <Money value={session.total_unrealized_pnl} pnl />
        </Figure>
        <Figure label="Total return">{percent(pick(values, "total_return", "return"))}</Figure>
        <Figure label="Sharpe ratio">{plain(pick(values, "sharpe", "sharpe_ratio"))}</Figure>
        <Figure label="Max drawdown">{percent(pick(values, "max_drawdown"))}</Figure>
        <Figure label="Win rate">{percent(pick(values, "win_rate"))}</Figure>
        <Figure label="Average trade duration">
          {duration(pick(values, "average_trade_duration_s", "avg_trade_duration_s", "average_trade_duration"))}
        </Figure>
        <Figure label="Exposure">
          {typeof exposure === "string" || typeof exposure === "number" ? <Money value={exposure} /> : "—"}
        </Figure>
      </Box>
      <Typography variant="subtitle1" component="h3" sx={{ mt: 2 }}>
        Execution quality
      </Typography>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 3 }}>
        <Figure label="Fills">{quality.fills.toLocaleString("en-US")}</Figure>
        <Figure label="Orders">{quality.orders.toLocaleString("en-US")}</Figure>
        <Figure label="Fill ratio">{percent(quality.fill_ratio)}</Figure>
        <Figure label="Slippage cost">
          <Money value={quality.slippage_cost} />
        </Figure>
        <Figure label="Slippage">
          {quality.slippage_bps === null ? "—" : `${formatDecimal(quality.slippage_bps, { places: 2 })} bps`}
        </Figure>
        <Figure label="Average latency">
          {quality.average_latency_ms === null ? "—" : `${formatDecimal(quality.average_latency_ms, { places: 1 })} ms`}
        </Figure>
        <Figure label="Fees">
          <Money value={quality.fees} />
        </Figure>
      </Box>
      {metrics.isError && (
        <Typography color="error" sx={{ mt: 1 }}>
          Performance figures unavailable: {metrics.error.message}
        </Typography>
      )}
      {metrics.data === null && (
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 1 }}>
          This server has no metrics route: return, Sharpe, drawdown, win rate and the trade log are not shown.
        </Typography>
      )}
      {trades.length > 0 && <TradeLog trades={trades} />}
    </Section>
  );
}

function cell(value: unknown): string {
  if (value === null || value === undefined) {
    return "—";
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return JSON.stringify(value);
}

function TradeLog({ trades }: { trades: Record<string, unknown>[] }) {
  const names = Object.keys(trades[0] ?? {});
  const columns: Column<Record<string, unknown>>[] = names.map((name) => ({
    key: name,
    label: name.replace(/_/g, " "),
    render: (row) => cell(row[name]),
  }));
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="subtitle1" component="h3">
        Trade log ({trades.length.toLocaleString("en-US")} trades)
      </Typography>
      <VirtualTable
        rows={trades}
        columns={columns}
        rowKey={(row) => cell(row.id ?? trades.indexOf(row))}
        label="Trade log"
      />
    </Box>
  );
}
