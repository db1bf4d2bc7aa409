/**
 * The session's results: P&L, exposure and execution quality from the
 * session view; return, Sharpe, drawdown, win rate, trade duration and the
 * trade log from the metrics route (the account the page shows).
 */
import { Box, Typography } from "@mui/material";
import type { ReactNode } from "react";

import { Money } from "../../components/Money";
import { formatDecimal } from "../../format/numbers";
import { formatDuration, formatTime } from "../../format/time";
import { FullMetrics } from "./FullMetrics";
import { Section } from "./Section";
import type { useMetrics } from "./queries";
import type { SessionView, Trade } from "./types";
import { type Column, VirtualTable } from "./VirtualTable";

/** A ratio the server writes as a decimal string (`"0.0123"`, `"inf"`, null) as a percentage. */
export function ratioPercent(value: string | null | undefined): string {
  if (value === null || value === undefined) {
    return "—";
  }
  if (value === "inf" || value === "-inf") {
    return value === "inf" ? "∞" : "−∞";
  }
  // Shift the point two places on the decimal string: no binary rounding.
  const negative = value.startsWith("-");
  const [whole = "0", frac = ""] = value.replace(/^[+-]/, "").split(".");
  const shifted = `${negative ? "-" : ""}${whole}${frac.padEnd(2, "0").slice(0, 2)}.${frac.slice(2) || "0"}`;
  return `${formatDecimal(shifted, { places: 2 })} %`;
}

function ratio(value: string | null | undefined): string {
  if (value === null || value === undefined) {
    return "—";
  }
  return value === "inf" ? "∞" : value === "-inf" ? "−∞" : formatDecimal(value, { places: 2 });
}

function seconds(value: string | null | undefined): string {
  return value === null || value === undefined ? "—" : formatDuration(Number(value));
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box role="group" aria-label={label} sx={{ minWidth: 150 }}>
      <Typography variant="caption" color="text.secondary" component="div">
        {label}
      </Typography>
      <Typography component="div" sx={{ fontVariantNumeric: "tabular-nums", fontWeight: 500 }}>
        {children}
      </Typography>
    </Box>
  );
}

export function MetricsPanel({
  session,
  metrics,
  account,
}: {
  session: SessionView;
  metrics: ReturnType<typeof useMetrics>;
  /** On a session of several accounts, the one shown: the figures say which are whose. */
  account?: string | undefined;
}) {
  const found = metrics.data?.metrics ?? null;
  const quality = session.execution_quality;
  const trades = metrics.data?.trades ?? [];
  return (
    <Section title="Metrics">
      {account !== undefined && (
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mb: 1 }}>
          P&amp;L, exposure and execution quality are the whole session's (every account); return, Sharpe,
          drawdown, win rate, time in market and the trade log are the chosen account's: {account}.
        </Typography>
      )}
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 3 }}>
        <Figure label="Realized P&L">
          <Money value={session.total_realized_pnl} pnl />
        </Figure>
        <Figure label="Unrealized P&L">
          <Money value={session.total_unrealized_pnl} pnl />
        </Figure>
        <Figure label="Total return">{ratioPercent(found?.total_return)}</Figure>
        <Figure label="Sharpe ratio">{ratio(found?.sharpe)}</Figure>
        <Figure label="Max drawdown">{ratioPercent(found?.max_drawdown)}</Figure>
        <Figure label="Win rate">
          {found === null || found.num_trades === 0
            ? "— (no closed trades)"
            : `${ratioPercent(found.win_rate)} of ${found.num_trades.toLocaleString("en-US")} closed`}
        </Figure>
        <Figure label="Average trade duration">{seconds(metrics.data?.average_trade_duration_seconds)}</Figure>
        <Figure label="Exposure">
          <Money value={session.exposure} />
        </Figure>
        <Figure label="Time in market">{ratioPercent(found?.exposure)}</Figure>
      </Box>
      <Typography variant="subtitle1" component="h3" sx={{ mt: 2 }}>
        Execution quality
      </Typography>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 3 }}>
        <Figure label="Fills">{quality.fills.toLocaleString("en-US")}</Figure>
        <Figure label="Orders">{quality.orders.toLocaleString("en-US")}</Figure>
        <Figure label="Fill ratio">{ratioPercent(quality.fill_ratio)}</Figure>
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
      {metrics.data !== undefined && metrics.data !== null && found === null && (
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 1 }}>
          No daily equity sample yet: the figures start after the session's first day.
        </Typography>
      )}
      {found !== null && <FullMetrics metrics={found} />}
      {trades.length > 0 && <TradeLog trades={trades} />}
    </Section>
  );
}

const TRADE_COLUMNS: Column<Trade>[] = [
  { key: "symbol", label: "Symbol", render: (t) => t.symbol },
  { key: "direction", label: "Direction", render: (t) => t.direction },
  { key: "qty", label: "Qty", align: "right", render: (t) => formatDecimal(t.qty) },
  { key: "entry", label: "Entry", render: (t) => formatTime(t.entry_time) },
  { key: "entryPrice", label: "Entry price", align: "right", render: (t) => <Money value={t.entry_price} /> },
  { key: "exit", label: "Exit", render: (t) => (t.exit_time === null ? "open" : formatTime(t.exit_time)) },
  { key: "exitPrice", label: "Exit price", align: "right", render: (t) => <Money value={t.exit_price} /> },
  { key: "pnl", label: "P&L", align: "right", render: (t) => <Money value={t.pnl} pnl /> },
  { key: "return", label: "Return", align: "right", render: (t) => ratioPercent(t.return_pct) },
  { key: "held", label: "Held", align: "right", render: (t) => seconds(t.holding_seconds) },
];

function TradeLog({ trades }: { trades: Trade[] }) {
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="subtitle1" component="h3">
        Trade log ({trades.length.toLocaleString("en-US")} round trips)
      </Typography>
      <VirtualTable
        rows={trades}
        columns={TRADE_COLUMNS}
        rowKey={(t) => `${t.symbol}-${t.entry_time}-${t.fill_ids[0] ?? ""}`}
        label="Trade log"
      />
    </Box>
  );
}
