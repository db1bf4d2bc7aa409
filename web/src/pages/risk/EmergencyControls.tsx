/**
 * The emergency controls: cancel every order, close every position, the kill
 * switch, reduce every position or tighten every stop by a percentage. Each
 * asks first, naming what it will do and where, and takes an optional reason
 * (journaled and audited). The session page and the risk page share them.
 */
import CancelIcon from "@mui/icons-material/Cancel";
import CompressIcon from "@mui/icons-material/Compress";
import HighlightOffIcon from "@mui/icons-material/HighlightOff";
import PowerSettingsNewIcon from "@mui/icons-material/PowerSettingsNew";
import TrendingDownIcon from "@mui/icons-material/TrendingDown";
import { Button, Stack, TextField, Tooltip } from "@mui/material";
import { useState, type ReactElement } from "react";

import { ConfirmDialog } from "../../components/ConfirmDialog";
import type { EmergencyAction, EmergencyRequest } from "./types";

function plural(count: number, word: string): string {
  return `${String(count)} ${word}${count === 1 ? "" : "s"}`;
}

/** What each control does, in the words its confirmation uses. */
export const ACTION_LABELS: Record<EmergencyAction, string> = {
  cancel_all: "Cancel all orders",
  close_all: "Close all positions",
  kill: "Kill switch",
  reduce: "Reduce positions",
  tighten_stops: "Tighten stops",
};

const PERCENT = /^(\d+\.?\d*|\.\d+)$/;

export function EmergencyControls({
  where,
  positions,
  openOrders,
  busy,
  onRun,
}: {
  /** Where the controls act, as the confirmations name it: `'momentum-paper'`, `3 sessions`. */
  where: string;
  /** The counts the confirmations name (and that disable a control with nothing to act on). */
  positions?: number;
  openOrders?: number;
  busy: boolean;
  onRun: (request: EmergencyRequest) => void;
}) {
  const [asking, setAsking] = useState<EmergencyAction | null>(null);
  const [percent, setPercent] = useState("50");
  const percentOk = PERCENT.test(percent.trim()) && Number(percent) > 0 && Number(percent) <= 100;

  const text: Record<EmergencyAction, string> = {
    cancel_all: `Cancel ${openOrders === undefined ? "every working order" : plural(openOrders, "open order")} in ${where}?`,
    close_all: `Close ${positions === undefined ? "every position" : plural(positions, "position")} in ${where} with market orders as the clock moves?`,
    kill: `Kill switch for ${where}: cancel every working order, close every position at market, and halt new entries until the kill_switch breaker is reset with a reason.`,
    reduce: `Reduce every position in ${where} by ${percent.trim()} % with market orders?`,
    tighten_stops: `Move every protective stop in ${where} ${percent.trim()} % closer to the price?`,
  };

  const button = (action: EmergencyAction, icon: ReactElement, variant: "contained" | "outlined", why: string) => (
    <Tooltip key={action} title={why}>
      <span>
        <Button
          variant={variant}
          color="error"
          startIcon={icon}
          disabled={why !== "" || busy}
          onClick={() => {
            setAsking(action);
          }}
        >
          {action === "reduce" || action === "tighten_stops" ? `${ACTION_LABELS[action]} by ${percent.trim()} %` : ACTION_LABELS[action]}
        </Button>
      </span>
    </Tooltip>
  );

  return (
    <Stack sx={{ gap: 2 }}>
      <Stack direction="row" sx={{ gap: 2, flexWrap: "wrap" }}>
        {button("cancel_all", <CancelIcon />, "outlined", openOrders === 0 ? "No open orders to cancel" : "")}
        {button("close_all", <HighlightOffIcon />, "contained", positions === 0 ? "No open positions to close" : "")}
        {button("kill", <PowerSettingsNewIcon />, "contained", "")}
      </Stack>
      <Stack direction="row" sx={{ gap: 2, flexWrap: "wrap", alignItems: "flex-start" }}>
        <TextField
          size="small"
          label="Percent"
          value={percent}
          error={!percentOk}
          helperText={percentOk ? "For reduce and tighten" : "Above 0, at most 100"}
          slotProps={{ htmlInput: { inputMode: "decimal" } }}
          sx={{ width: 170 }}
          onChange={(event) => {
            setPercent(event.target.value);
          }}
        />
        {button("reduce", <TrendingDownIcon />, "outlined", !percentOk ? "Enter a percentage first" : positions === 0 ? "No open positions to reduce" : "")}
        {button("tighten_stops", <CompressIcon />, "outlined", !percentOk ? "Enter a percentage first" : "")}
      </Stack>
      <ConfirmDialog
        open={asking !== null}
        title={asking === null ? "" : ACTION_LABELS[asking]}
        text={asking === null ? "" : text[asking]}
        confirmLabel={asking === null ? "" : asking === "kill" ? "Kill" : ACTION_LABELS[asking]}
        reason="optional"
        onConfirm={(reason) => {
          if (asking === null) return;
          const needsPercent = asking === "reduce" || asking === "tighten_stops";
          onRun({ action: asking, reason, ...(needsPercent ? { percent: percent.trim() } : {}) });
        }}
        onClose={() => {
          setAsking(null);
        }}
      />
    </Stack>
  );
}

/** An outcome in words: `Kill switch: 2 orders canceled, 3 orders submitted. <message>`. */
export function describeOutcome(result: { action: string; canceled: string[]; submitted: string[]; message: string }): string {
  const label = ACTION_LABELS[result.action as EmergencyAction] as string | undefined;
  const counts = `${plural(result.canceled.length, "order")} canceled, ${plural(result.submitted.length, "order")} submitted`;
  return `${label ?? result.action}: ${counts}.${result.message === "" ? "" : ` ${result.message}`}`;
}
