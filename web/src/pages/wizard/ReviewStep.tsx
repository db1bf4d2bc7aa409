import { Alert, AlertTitle, Box, Table, TableBody, TableCell, TableRow, Typography } from "@mui/material";
import type { ReactNode } from "react";

import { brokerName } from "../../components/BrokerMarker";
import { formatDecimal } from "../../format/numbers";
import { useCredentials } from "../credentials/api";
import { ALPACA_URLS } from "./brokerForm";
import { describeRules } from "../risk/riskForm";
import { describeModel } from "./ExecutionPicker";
import type { CreateRequest, WizardState } from "./wizardState";

function describeFeed(feed: Record<string, unknown>): string {
  return Object.entries(feed)
    .map(([key, value]) => (key === "type" ? String(value) : `${key} ${String(value)}`))
    .join(", ");
}

const ROUTES = {
  backtest: "POST /v1/sessions",
  paper: "POST /api/paper-trading/sessions",
  live: "POST /api/live-trading/sessions",
} as const;

const TYPES = { backtest: "Backtest", paper: "Paper", live: "Live (broker)" } as const;

/** Step 5: everything the session will be created with, and the exact request. */
export function ReviewStep({ state, request, defaultPreset }: { state: WizardState; request: CreateRequest; defaultPreset: string }) {
  const credentials = useCredentials(request.kind === "live");
  const body = request.body;
  const strategy = body.strategy;
  const params = typeof strategy === "object" && strategy !== null ? (strategy.params ?? {}) : {};
  const changed = Object.entries(params);
  const execution = request.kind === "live" ? undefined : request.body.execution;
  const rows: [string, ReactNode][] = [
    ["Type", TYPES[request.kind]],
    ["Name", body.name ?? "(an id)"],
    ["Strategy", state.strategy],
    [
      "Parameters",
      changed.length === 0 ? "all defaults" : changed.map(([key, value]) => `${key} = ${JSON.stringify(value)}`).join(", "),
    ],
    ["Symbols", state.symbols.join(", ")],
    request.kind === "backtest"
      ? ["Period", `${state.start} – ${state.end} (UTC, both days included)`]
      : ["Feed", describeFeed(request.body.feed ?? {})],
    [
      "Initial balance",
      request.kind === "live"
        ? "the broker account's cash, read when the session is created"
        : formatDecimal(request.kind === "backtest" ? request.body.initialCash : request.body.initial_cash, { prefix: "$" }),
    ],
    [
      "Execution",
      request.kind === "live"
        ? "at the broker: its fills are the session's"
        : execution === undefined || execution === null
        ? `${defaultPreset || "the server's default"} (default)`
        : [
            execution.preset ?? `${defaultPreset || "the server's default"} (default)`,
            execution.slippage === undefined ? null : `slippage ${describeModel(execution.slippage)}`,
            execution.fees === undefined ? null : `fees ${describeModel(execution.fees)}`,
          ]
            .filter((part) => part !== null)
            .join("; "),
    ],
  ];
  if (request.kind === "live") {
    const broker = request.body.broker;
    const credential = credentials.data?.find((item) => item.id === broker.credentials_id);
    rows.push(
      ["Broker", `${brokerName(broker)} (${broker.base_url ?? (broker.endpoint === "custom" ? "" : ALPACA_URLS[broker.endpoint])})`],
      ["Credentials", credential === undefined ? broker.credentials_id : `${credential.label} (key …${credential.key_hint})`],
      [
        "Reconciliation",
        `${broker.reconcile?.policy === "halt" ? "halt trading for approval" : "adopt the broker's figures"} on a difference, checked every ${String(broker.reconcile?.interval_seconds ?? 60)} s`,
      ],
    );
  }
  const rules = describeRules(body.risk ?? undefined);
  rows.push([
    "Risk",
    rules.length === 0 ? (
      "no rules"
    ) : (
      <Box component="ul" aria-label="Risk rules" sx={{ m: 0, pl: 2.5 }}>
        {rules.map((rule) => (
          <li key={rule}>{rule}</li>
        ))}
      </Box>
    ),
  ]);
  return (
    <Box sx={{ maxWidth: 900 }}>
      {request.kind === "live" && request.body.broker.endpoint === "live" && (
        <Alert severity="error" variant="filled" role="alert" sx={{ mb: 2 }}>
          <AlertTitle>REAL MONEY</AlertTitle>
          This session trades real money at Alpaca live: every order it sends is a real order.{" "}
          {request.body.confirm_real_money
            ? "You confirmed: I understand this trades real money."
            : "Go back to the trading step and confirm that you understand this trades real money."}
        </Alert>
      )}
      <Table size="small" aria-label="Review">
        <TableBody>
          {rows.map(([label, value]) => (
            <TableRow key={label}>
              <TableCell component="th" scope="row" sx={{ width: 180, fontWeight: 600 }}>
                {label}
              </TableCell>
              <TableCell>{value}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Typography variant="subtitle2" component="h2" sx={{ mt: 3 }}>
        {ROUTES[request.kind]}
      </Typography>
      <Box
        component="pre"
        aria-label="Request body"
        sx={{ p: 1.5, bgcolor: "action.hover", borderRadius: 1, overflowX: "auto", fontSize: 13 }}
      >
        {JSON.stringify(body, null, 2)}
      </Box>
    </Box>
  );
}
