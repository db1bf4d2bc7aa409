/** Open and past orders (virtualized), with Cancel and Replace on working ones. */
import { Button, Stack, Tab, Tabs, Typography } from "@mui/material";
import { useState } from "react";

import { api, call } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import { StatusChip } from "../../components/StatusChip";
import { formatDecimal, formatMoney } from "../../format/numbers";
import { formatTime } from "../../format/time";
import { ReplaceDialog, type ReplaceBody } from "./ReplaceDialog";
import { Section } from "./Section";
import { useOrders, useSessionMutation } from "./queries";
import type { Order } from "./types";
import { type Column, VirtualTable } from "./VirtualTable";

export function OrdersTable({ sessionId, accountId }: { sessionId: string; accountId: string }) {
  const [status, setStatus] = useState<"open" | "closed">("open");
  const orders = useOrders(sessionId, accountId, status);
  const [replacing, setReplacing] = useState<Order | null>(null);
  const params = (orderId: string) => ({
    path: { accountId, orderId },
    header: { "X-Session-Id": sessionId },
  });
  const cancel = useSessionMutation(sessionId, (order: Order) =>
    call(api.DELETE("/v1/trading/accounts/{accountId}/orders/{orderId}", { params: params(order.id) })),
  );
  const replace = useSessionMutation(sessionId, ({ order, body }: { order: Order; body: ReplaceBody }) =>
    call(api.PATCH("/v1/trading/accounts/{accountId}/orders/{orderId}", { params: params(order.id), body })),
  );

  const columns: Column<Order>[] = [
    { key: "time", label: "Submitted", render: (o) => formatTime(o.submitted_at) },
    { key: "symbol", label: "Symbol", render: (o) => o.symbol },
    { key: "side", label: "Side", render: (o) => o.side },
    { key: "type", label: "Type", render: (o) => o.type },
    { key: "qty", label: "Qty", align: "right", render: (o) => formatDecimal(o.qty ?? o.notional) },
    { key: "filled", label: "Filled", align: "right", render: (o) => formatDecimal(o.filled_qty) },
    {
      key: "price",
      label: "Limit / stop",
      align: "right",
      render: (o) =>
        [o.limit_price, o.stop_price]
          .filter((p) => p !== null)
          .map((p) => formatMoney(p))
          .join(" / ") || "—",
    },
    { key: "avg", label: "Avg fill", align: "right", render: (o) => formatMoney(o.filled_avg_price) },
    { key: "tif", label: "TIF", render: (o) => o.time_in_force },
    { key: "status", label: "Status", render: (o) => <StatusChip status={o.status} /> },
  ];
  if (status === "open") {
    columns.push({
      key: "actions",
      label: "Actions",
      render: (o) => (
        <Stack direction="row" sx={{ gap: 1 }}>
          <Button
            size="small"
            color="error"
            aria-label={`Cancel ${o.side} ${o.qty ?? ""} ${o.symbol}`}
            disabled={cancel.isPending}
            onClick={() => {
              cancel.mutate(o);
            }}
          >
            Cancel
          </Button>
          <Button
            size="small"
            aria-label={`Replace ${o.side} ${o.qty ?? ""} ${o.symbol}`}
            onClick={() => {
              replace.reset();
              setReplacing(o);
            }}
          >
            Replace
          </Button>
        </Stack>
      ),
    });
  } else {
    columns.push({ key: "reason", label: "Reject reason", render: (o) => o.reject_message ?? o.reject_reason ?? "" });
  }

  return (
    <Section title="Orders">
      <Tabs
        value={status}
        onChange={(_, value: "open" | "closed") => {
          setStatus(value);
        }}
        aria-label="Order status"
      >
        <Tab value="open" label="Open" />
        <Tab value="closed" label="Past" />
      </Tabs>
      {cancel.isError && <ErrorAlert error={cancel.error} title="Not canceled" />}
      {orders.isPending ? (
        <PageLoading label="Loading orders…" />
      ) : orders.isError ? (
        <ErrorAlert error={orders.error} onRetry={() => void orders.refetch()} />
      ) : orders.data.length === 0 ? (
        <Typography color="text.secondary" sx={{ mt: 1 }}>
          {status === "open" ? "No open orders." : "No past orders."}
        </Typography>
      ) : (
        <VirtualTable
          rows={[...orders.data].reverse()}
          columns={columns}
          rowKey={(o) => o.id}
          label={status === "open" ? "Open orders" : "Past orders"}
        />
      )}
      {replacing !== null && (
        <ReplaceDialog
          order={replacing}
          pending={replace.isPending}
          error={replace.error}
          onClose={() => {
            setReplacing(null);
          }}
          onReplace={(body) => {
            replace.mutate(
              { order: replacing, body },
              {
                onSuccess: () => {
                  setReplacing(null);
                },
              },
            );
          }}
        />
      )}
    </Section>
  );
}
