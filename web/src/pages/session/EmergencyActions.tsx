/** Close every position, cancel every order: red, and asked first, naming the counts. */
import CancelIcon from "@mui/icons-material/Cancel";
import HighlightOffIcon from "@mui/icons-material/HighlightOff";
import { Button, Stack, Tooltip } from "@mui/material";
import { useState } from "react";

import { api, call } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorAlert } from "../../components/ErrorAlert";
import { Section } from "./Section";
import { useSessionMutation } from "./queries";

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function EmergencyActions({
  sessionId,
  name,
  positions,
  openOrders,
}: {
  sessionId: string;
  name: string;
  positions: number;
  openOrders: number;
}) {
  const [asking, setAsking] = useState<"close" | "cancel" | null>(null);
  const path = { path: { sessionId } };
  const closeAll = useSessionMutation(sessionId, () =>
    call(api.DELETE("/sessions/{sessionId}/v2/positions", { params: { ...path, query: { cancel_orders: false } } })),
  );
  const cancelAll = useSessionMutation(sessionId, () =>
    call(api.DELETE("/sessions/{sessionId}/v2/orders", { params: path })),
  );
  const error = closeAll.error ?? cancelAll.error;
  return (
    <Section title="Emergency">
      <Stack direction="row" sx={{ gap: 2, flexWrap: "wrap" }}>
        <Tooltip title={positions === 0 ? "No open positions to close" : ""}>
          <span>
            <Button
              variant="contained"
              color="error"
              startIcon={<HighlightOffIcon />}
              disabled={positions === 0 || closeAll.isPending}
              onClick={() => {
                setAsking("close");
              }}
            >
              Close all positions
            </Button>
          </span>
        </Tooltip>
        <Tooltip title={openOrders === 0 ? "No open orders to cancel" : ""}>
          <span>
            <Button
              variant="outlined"
              color="error"
              startIcon={<CancelIcon />}
              disabled={openOrders === 0 || cancelAll.isPending}
              onClick={() => {
                setAsking("cancel");
              }}
            >
              Cancel all orders
            </Button>
          </span>
        </Tooltip>
      </Stack>
      {error !== null && <ErrorAlert error={error} title="Not done" />}
      <ConfirmDialog
        open={asking === "close"}
        title="Close all positions"
        text={`Close ${plural(positions, "position")} in '${name}'? Market orders close them as the clock moves.`}
        confirmLabel="Close all"
        onConfirm={() => {
          closeAll.mutate(undefined);
        }}
        onClose={() => {
          setAsking(null);
        }}
      />
      <ConfirmDialog
        open={asking === "cancel"}
        title="Cancel all orders"
        text={`Cancel ${plural(openOrders, "open order")} in '${name}'?`}
        confirmLabel="Cancel all"
        onConfirm={() => {
          cancelAll.mutate(undefined);
        }}
        onClose={() => {
          setAsking(null);
        }}
      />
    </Section>
  );
}
