/** Submit an order to the session's default account; a refusal shows the server's message. */
import {
  Alert,
  Button,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Stack,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
} from "@mui/material";
import { type SyntheticEvent, useState } from "react";

import { type Schemas, api, call } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { Section } from "./Section";
import { useSessionMutation } from "./queries";

type Kind = "market" | "limit" | "stop";
type Tif = Schemas["TimeInForce"];

export interface OrderFields {
  symbol: string;
  side: "buy" | "sell";
  qty: string;
  type: Kind;
  limit: string;
  stop: string;
  tif: Tif;
}

/** The request body for the fields: prices only where the type takes them. */
export function orderBody(fields: OrderFields) {
  return {
    symbol: fields.symbol.trim().toUpperCase(),
    side: fields.side,
    qty: fields.qty.trim(),
    type: fields.type,
    time_in_force: fields.tif,
    order_class: "simple" as const,
    extended_hours: false,
    ...(fields.type === "limit" ? { limit_price: fields.limit.trim() } : {}),
    ...(fields.type === "stop" ? { stop_price: fields.stop.trim() } : {}),
  };
}

export function OrderForm({
  sessionId,
  accountId,
  symbols,
}: {
  sessionId: string;
  accountId: string;
  symbols: string[];
}) {
  const [fields, setFields] = useState<OrderFields>({
    symbol: symbols[0] ?? "",
    side: "buy",
    qty: "10",
    type: "market",
    limit: "",
    stop: "",
    tif: "day",
  });
  const submit = useSessionMutation(sessionId, (body: ReturnType<typeof orderBody>) =>
    call(
      api.POST("/v1/trading/accounts/{accountId}/orders", {
        params: { path: { accountId }, header: { "X-Session-Id": sessionId } },
        body,
      }),
    ),
  );
  const set = (patch: Partial<OrderFields>) => {
    setFields((old) => ({ ...old, ...patch }));
  };
  const onSubmit = (event: SyntheticEvent) => {
    event.preventDefault();
    submit.mutate(orderBody(fields));
  };
  const incomplete =
    fields.symbol.trim() === "" ||
    fields.qty.trim() === "" ||
    (fields.type !== "market" && fields[fields.type].trim() === "");

  return (
    <Section title="Submit order">
      <Stack component="form" onSubmit={onSubmit} aria-label="Submit order" sx={{ gap: 2 }}>
        <Stack direction="row" sx={{ gap: 2, flexWrap: "wrap", alignItems: "center" }}>
          <TextField
            label="Symbol"
            size="small"
            value={fields.symbol}
            onChange={(event) => {
              set({ symbol: event.target.value });
            }}
            sx={{ width: 110 }}
            slotProps={{ htmlInput: { list: "session-symbols" } }}
          />
          <datalist id="session-symbols">
            {symbols.map((symbol) => (
              <option key={symbol} value={symbol} />
            ))}
          </datalist>
          <ToggleButtonGroup
            exclusive
            size="small"
            value={fields.side}
            aria-label="Side"
            onChange={(_, value: "buy" | "sell" | null) => {
              if (value !== null) {
                set({ side: value });
              }
            }}
          >
            <ToggleButton value="buy" color="success">
              Buy
            </ToggleButton>
            <ToggleButton value="sell" color="error">
              Sell
            </ToggleButton>
          </ToggleButtonGroup>
          <TextField
            label="Quantity"
            size="small"
            value={fields.qty}
            onChange={(event) => {
              set({ qty: event.target.value });
            }}
            sx={{ width: 110 }}
            slotProps={{ htmlInput: { inputMode: "decimal" } }}
          />
          <FormControl size="small" sx={{ minWidth: 110 }}>
            <InputLabel id="order-type-label">Type</InputLabel>
            <Select
              labelId="order-type-label"
              label="Type"
              value={fields.type}
              onChange={(event) => {
                set({ type: event.target.value });
              }}
            >
              <MenuItem value="market">Market</MenuItem>
              <MenuItem value="limit">Limit</MenuItem>
              <MenuItem value="stop">Stop</MenuItem>
            </Select>
          </FormControl>
          {fields.type !== "market" && (
            <TextField
              label={fields.type === "limit" ? "Limit price" : "Stop price"}
              size="small"
              value={fields[fields.type]}
              onChange={(event) => {
                set({ [fields.type]: event.target.value });
              }}
              sx={{ width: 120 }}
              slotProps={{ htmlInput: { inputMode: "decimal" } }}
            />
          )}
          <FormControl size="small" sx={{ minWidth: 110 }}>
            <InputLabel id="tif-label">Time in force</InputLabel>
            <Select
              labelId="tif-label"
              label="Time in force"
              value={fields.tif}
              onChange={(event) => {
                set({ tif: event.target.value });
              }}
            >
              {(["day", "gtc", "ioc", "fok", "opg", "cls"] as const).map((tif) => (
                <MenuItem key={tif} value={tif}>
                  {tif}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <Button type="submit" variant="contained" disabled={incomplete || submit.isPending}>
            Submit order
          </Button>
        </Stack>
        {submit.isError && <ErrorAlert error={submit.error} title="Order refused" />}
        {submit.isSuccess && (
          <Alert severity="success" role="status">
            Order {submit.data.side} {submit.data.qty} {submit.data.symbol} accepted ({submit.data.status}).
          </Alert>
        )}
      </Stack>
    </Section>
  );
}
