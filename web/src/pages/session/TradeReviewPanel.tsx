/**
 * Every round trip reviewed (`GET /v1/sessions/{id}/trades`): how far it went
 * against (MAE) and for (MFE) the position while held, what slippage cost,
 * how long it was held, and the orders and factor behind it.
 */
import { Money } from "../../components/Money";
import { formatDecimal } from "../../format/numbers";
import { ratioPercent } from "../../format/metrics";
import { formatDuration, formatTime } from "../../format/time";
import type { TradeReview } from "./analyticsTypes";
import { useTradeReview } from "./analyticsQueries";
import { Section } from "./Section";
import { type Column, VirtualTable } from "./VirtualTable";

const COLUMNS: Column<TradeReview>[] = [
  { key: "symbol", label: "Symbol", render: (t) => t.symbol },
  { key: "direction", label: "Direction", render: (t) => t.direction },
  { key: "qty", label: "Qty", align: "right", render: (t) => formatDecimal(t.qty) },
  { key: "entry", label: "Entry", render: (t) => formatTime(t.entry_time) },
  { key: "exit", label: "Exit", render: (t) => (t.exit_time === null ? "open" : formatTime(t.exit_time)) },
  { key: "pnl", label: "P&L", align: "right", render: (t) => <Money value={t.pnl} pnl /> },
  { key: "return", label: "Return", align: "right", render: (t) => ratioPercent(t.return_pct) },
  { key: "mae", label: "MAE", align: "right", render: (t) => ratioPercent(t.mae) },
  { key: "mfe", label: "MFE", align: "right", render: (t) => ratioPercent(t.mfe) },
  { key: "slippage", label: "Slippage", align: "right", render: (t) => <Money value={t.slippage} /> },
  {
    key: "held",
    label: "Held",
    align: "right",
    render: (t) => (t.holding_seconds === null ? "—" : formatDuration(Number(t.holding_seconds))),
  },
  { key: "factor", label: "Factor", long: true, render: (t) => t.factor ?? "—" },
];

export function TradeReviewPanel({ sessionId }: { sessionId: string }) {
  const review = useTradeReview(sessionId);
  if (review.data === null || review.data === undefined || review.data.items.length === 0) {
    return null;
  }
  return (
    <Section title="Trade review">
      <VirtualTable
        rows={review.data.items}
        columns={COLUMNS}
        rowKey={(t) => `${t.symbol}-${t.entry_time}-${t.fill_ids[0] ?? ""}`}
        label="Trade review"
      />
    </Section>
  );
}
