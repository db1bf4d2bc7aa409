import { Box, Table, TableBody, TableCell, TableRow, Typography } from "@mui/material";
import type { ReactNode } from "react";

import { formatDecimal } from "../../format/numbers";
import { describeModel } from "./ExecutionPicker";
import type { CreateRequest, WizardState } from "./wizardState";

function describeFeed(feed: Record<string, unknown>): string {
  return Object.entries(feed)
    .map(([key, value]) => (key === "type" ? String(value) : `${key} ${String(value)}`))
    .join(", ");
}

/** Step 4: everything the session will be created with, and the exact request. */
export function ReviewStep({ state, request, defaultPreset }: { state: WizardState; request: CreateRequest; defaultPreset: string }) {
  const body = request.body;
  const strategy = body.strategy;
  const params = typeof strategy === "object" && strategy !== null ? (strategy.params ?? {}) : {};
  const changed = Object.entries(params);
  const execution = body.execution;
  const rows: [string, ReactNode][] = [
    ["Type", request.kind === "backtest" ? "Backtest" : "Paper"],
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
      formatDecimal(request.kind === "backtest" ? request.body.initialCash : request.body.initial_cash, { prefix: "$" }),
    ],
    [
      "Execution",
      execution === undefined || execution === null
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
  return (
    <Box sx={{ maxWidth: 900 }}>
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
        {request.kind === "backtest" ? "POST /v1/sessions" : "POST /api/paper-trading/sessions"}
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
