/** Replace a working order: new qty, limit and stop (only those its type has). */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack, TextField } from "@mui/material";
import { type SyntheticEvent, useState } from "react";

import { ErrorAlert } from "../../components/ErrorAlert";
import type { Order } from "./types";

export interface ReplaceBody {
  qty?: string;
  limit_price?: string;
  stop_price?: string;
}

/** Only what changed goes to the server (an empty field keeps the order's value). */
export function replaceBody(order: Order, qty: string, limit: string, stop: string): ReplaceBody {
  const body: ReplaceBody = {};
  if (qty.trim() !== "" && qty.trim() !== order.qty) {
    body.qty = qty.trim();
  }
  if (limit.trim() !== "" && limit.trim() !== order.limit_price) {
    body.limit_price = limit.trim();
  }
  if (stop.trim() !== "" && stop.trim() !== order.stop_price) {
    body.stop_price = stop.trim();
  }
  return body;
}

export function ReplaceDialog({
  order,
  pending,
  error,
  onReplace,
  onClose,
}: {
  order: Order;
  pending: boolean;
  error: unknown;
  onReplace: (body: ReplaceBody) => void;
  onClose: () => void;
}) {
  const [qty, setQty] = useState(order.qty ?? "");
  const [limit, setLimit] = useState(order.limit_price ?? "");
  const [stop, setStop] = useState(order.stop_price ?? "");
  const hasLimit = order.type === "limit" || order.type === "stop_limit";
  const hasStop = order.type === "stop" || order.type === "stop_limit";
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    onReplace(replaceBody(order, qty, hasLimit ? limit : "", hasStop ? stop : ""));
  };
  return (
    <Dialog open onClose={onClose} aria-labelledby="replace-title">
      <form onSubmit={submit}>
        <DialogTitle id="replace-title">
          Replace {order.side} {order.qty} {order.symbol} {order.type}
        </DialogTitle>
        <DialogContent>
          <Stack sx={{ gap: 2, pt: 1, minWidth: 280 }}>
            <TextField
              label="Quantity"
              value={qty}
              onChange={(event) => {
                setQty(event.target.value);
              }}
              slotProps={{ htmlInput: { inputMode: "decimal" } }}
            />
            {hasLimit && (
              <TextField
                label="Limit price"
                value={limit}
                onChange={(event) => {
                  setLimit(event.target.value);
                }}
                slotProps={{ htmlInput: { inputMode: "decimal" } }}
              />
            )}
            {hasStop && (
              <TextField
                label="Stop price"
                value={stop}
                onChange={(event) => {
                  setStop(event.target.value);
                }}
                slotProps={{ htmlInput: { inputMode: "decimal" } }}
              />
            )}
            {error !== null && <ErrorAlert error={error} title="Not replaced" />}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Close</Button>
          <Button type="submit" variant="contained" disabled={pending}>
            Replace order
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
