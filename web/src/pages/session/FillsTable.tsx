/** The account's fills (virtualized), newest first, with how each was priced. */
import { Typography } from "@mui/material";

import { ErrorAlert } from "../../components/ErrorAlert";
import { Money } from "../../components/Money";
import { PageLoading } from "../../components/PageLoading";
import { formatDecimal } from "../../format/numbers";
import { formatTime } from "../../format/time";
import { Section } from "./Section";
import type { useFills } from "./queries";
import type { FillRow } from "./types";
import { type Column, VirtualTable } from "./VirtualTable";

const COLUMNS: Column<FillRow>[] = [
  { key: "time", label: "Time", render: (f) => formatTime(f.time) },
  { key: "symbol", label: "Symbol", render: (f) => f.symbol },
  { key: "side", label: "Side", render: (f) => f.side },
  { key: "qty", label: "Qty", align: "right", render: (f) => formatDecimal(f.qty) },
  // Prices exactly as filled (the tick is finer than a cent).
  { key: "price", label: "Price", align: "right", render: (f) => formatDecimal(f.price, { prefix: "$" }) },
  {
    key: "ref",
    label: "Reference",
    align: "right",
    render: (f) => formatDecimal(f.referencePrice, { prefix: "$" }),
  },
  { key: "slip", label: "Slippage", align: "right", render: (f) => formatDecimal(f.slippage) },
  { key: "fee", label: "Fee", align: "right", render: (f) => <Money value={f.fee} /> },
  { key: "rule", label: "Rule", render: (f) => f.rule ?? "—" },
  { key: "how", label: "How", long: true, render: (f) => f.explanation ?? "—" },
];

export function FillsTable({ query }: { query: ReturnType<typeof useFills> }) {
  return (
    <Section title="Fills">
      {query.isPending ? (
        <PageLoading label="Loading fills…" />
      ) : query.isError ? (
        <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />
      ) : query.data.rows.length === 0 ? (
        <Typography color="text.secondary">No fills yet.</Typography>
      ) : (
        <>
          {query.data.fromOrders && (
            <Typography variant="caption" color="text.secondary">
              This server lists no fills: one row per filled order (total quantity, average price).
            </Typography>
          )}
          <VirtualTable
            rows={[...query.data.rows].reverse()}
            columns={COLUMNS}
            rowKey={(f) => f.id}
            label="Fills"
          />
        </>
      )}
    </Section>
  );
}
