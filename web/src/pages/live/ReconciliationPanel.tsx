/**
 * A live session's reconciliations: every run (time, trigger, outcome, how
 * many differences), each opening onto its differences (kind, symbol, the
 * session's figures against the broker's). A halted run awaiting approval
 * halts trading; approving it (confirmed) applies the broker's figures and
 * resumes the session. "Reconcile now" runs one at once.
 */
import CheckIcon from "@mui/icons-material/Check";
import KeyboardArrowDownIcon from "@mui/icons-material/KeyboardArrowDown";
import KeyboardArrowRightIcon from "@mui/icons-material/KeyboardArrowRight";
import SyncIcon from "@mui/icons-material/Sync";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Chip,
  type ChipProps,
  IconButton,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { Fragment, useState } from "react";

import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatTime } from "../../format/time";
import { Section } from "../session/Section";
import { useApproveRun, useReconcileNow, useReconciliations } from "./api";
import type { Difference, Reconciliation } from "./types";
import { VISUALLY_HIDDEN } from "../../components/visuallyHidden";

const KINDS: Record<Difference["kind"], string> = {
  missed_fill: "Missed fill",
  unknown_order: "Unknown order",
  order_status: "Order status",
  quantity_mismatch: "Quantity mismatch",
  position_opened_outside: "Position opened outside",
  position_closed_outside: "Position closed outside",
  cash_drift: "Cash drift",
};

const OUTCOMES: Record<Reconciliation["outcome"], { color: ChipProps["color"]; label: string }> = {
  clean: { color: "success", label: "clean" },
  adopted: { color: "info", label: "adopted" },
  halted: { color: "error", label: "halted" },
  approved: { color: "success", label: "approved" },
};

/** A halted run still waiting for an operator (not approved, not superseded). */
export function awaitsApproval(run: Reconciliation): boolean {
  return run.outcome === "halted" && run.resolved_at === null;
}

/** One side's figures in words: `qty 10, avg_entry_price 150.25`; a dash for none. */
export function figures(side: Record<string, string> | null | undefined): string {
  if (side === null || side === undefined || Object.keys(side).length === 0) return "—";
  return Object.entries(side)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
}

function Outcome({ run }: { run: Reconciliation }) {
  const look = OUTCOMES[run.outcome];
  const superseded = run.outcome === "halted" && run.resolved_at !== null;
  return (
    <Chip
      size="small"
      variant="outlined"
      color={superseded ? "default" : look.color}
      label={superseded ? "halted, superseded" : awaitsApproval(run) ? "halted: awaits approval" : look.label}
    />
  );
}

export function ReconciliationPanel({
  sessionId,
  name,
  intervalSeconds,
}: {
  sessionId: string;
  name: string;
  /** Read the runs again this often (the session's reconciliation interval while it runs); `null`: only on events. */
  intervalSeconds: number | null;
}) {
  const runs = useReconciliations(sessionId, intervalSeconds);
  const now = useReconcileNow(sessionId);
  const approve = useApproveRun(sessionId);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const [approving, setApproving] = useState<Reconciliation | null>(null);
  const pending = runs.data?.find(awaitsApproval);
  const toggle = (id: string) => {
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  };
  return (
    <Section
      title="Reconciliation"
      actions={
        <Button
          startIcon={<SyncIcon />}
          disabled={now.isPending}
          onClick={() => {
            now.mutate(undefined);
          }}
        >
          {now.isPending ? "Reconciling…" : "Reconcile now"}
        </Button>
      }
    >
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        The session's books (orders, fills, positions, cash) checked against the broker's, at start, after each reconnection,
        at its interval and on demand.
      </Typography>
      {now.isError && <ErrorAlert error={now.error} title="The reconciliation did not run" />}
      {now.isSuccess && (
        <Alert severity={now.data.outcome === "halted" ? "warning" : "info"} sx={{ mb: 1 }} role="status">
          Reconciled: {now.data.differences.length} difference(s), {now.data.outcome}.
        </Alert>
      )}
      {approve.isError && <ErrorAlert error={approve.error} title="The run was not approved" />}
      {pending !== undefined && (
        <Alert
          severity="error"
          role="alert"
          sx={{ mb: 1 }}
          action={
            <Button
              color="inherit"
              startIcon={<CheckIcon />}
              disabled={approve.isPending}
              onClick={() => {
                setApproving(pending);
              }}
            >
              Approve
            </Button>
          }
        >
          <AlertTitle>Trading is halted until the broker's figures are approved</AlertTitle>
          The run of {formatTime(pending.ts)} found {pending.differences.length} difference(s) with the broker.
        </Alert>
      )}
      {runs.isPending && <Typography color="text.secondary">Loading reconciliations…</Typography>}
      {runs.isError && <ErrorAlert error={runs.error} onRetry={() => void runs.refetch()} />}
      {runs.data !== undefined && runs.data.length === 0 && (
        <Typography color="text.secondary">No reconciliation yet.</Typography>
      )}
      {runs.data !== undefined && runs.data.length > 0 && (
        <Box sx={{ overflowX: "auto" }}>
          <Table size="small" aria-label="Reconciliation runs">
            <TableHead>
              <TableRow>
                <TableCell sx={{ width: 48 }}>
                  <Box component="span" sx={VISUALLY_HIDDEN}>
                    Details
                  </Box>
                </TableCell>
                <TableCell>Time</TableCell>
                <TableCell>Trigger</TableCell>
                <TableCell>Outcome</TableCell>
                <TableCell align="right">Differences</TableCell>
                <TableCell>Resolved</TableCell>
                <TableCell align="right">Action</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {runs.data.map((run) => {
                const expanded = open.has(run.id);
                return (
                  <Fragment key={run.id}>
                    <TableRow>
                      <TableCell>
                        <IconButton
                          size="small"
                          aria-expanded={expanded}
                          aria-label={`${expanded ? "Hide" : "Show"} the differences of the run of ${formatTime(run.ts)}`}
                          disabled={run.differences.length === 0}
                          onClick={() => {
                            toggle(run.id);
                          }}
                        >
                          {expanded ? <KeyboardArrowDownIcon /> : <KeyboardArrowRightIcon />}
                        </IconButton>
                      </TableCell>
                      <TableCell sx={{ whiteSpace: "nowrap" }}>{formatTime(run.ts)}</TableCell>
                      <TableCell>{run.trigger}</TableCell>
                      <TableCell>
                        <Outcome run={run} />
                      </TableCell>
                      <TableCell align="right">{run.differences.length}</TableCell>
                      <TableCell>
                        {run.resolved_at === null ? "—" : `${formatTime(run.resolved_at)} by ${run.resolved_by ?? "?"}`}
                      </TableCell>
                      <TableCell align="right">
                        {awaitsApproval(run) && (
                          <Button
                            size="small"
                            color="error"
                            variant="outlined"
                            disabled={approve.isPending}
                            onClick={() => {
                              setApproving(run);
                            }}
                          >
                            Approve
                          </Button>
                        )}
                      </TableCell>
                    </TableRow>
                    {expanded && (
                      <TableRow>
                        <TableCell colSpan={7} sx={{ bgcolor: "action.hover" }}>
                          <Differences run={run} />
                        </TableCell>
                      </TableRow>
                    )}
                  </Fragment>
                );
              })}
            </TableBody>
          </Table>
        </Box>
      )}
      <ConfirmDialog
        open={approving !== null}
        title={`Approve the broker's figures for '${name}'?`}
        text={
          approving === null
            ? ""
            : `The ${String(approving.differences.length)} difference(s) found at ${formatTime(approving.ts)} are settled as the broker has them: ${approving.differences
                .map((difference) => `${KINDS[difference.kind]}${difference.symbol === "" ? "" : ` ${difference.symbol}`}`)
                .join(", ")}. The approval is journaled with your key, and the session resumes trading.`
        }
        confirmLabel="Approve"
        confirmColor="warning"
        onConfirm={() => {
          if (approving !== null) approve.mutate(approving.id);
        }}
        onClose={() => {
          setApproving(null);
        }}
      />
    </Section>
  );
}

function Differences({ run }: { run: Reconciliation }) {
  return (
    <Table size="small" aria-label={`Differences of the run of ${formatTime(run.ts)}`}>
      <TableHead>
        <TableRow>
          <TableCell>Kind</TableCell>
          <TableCell>Symbol</TableCell>
          <TableCell>Session</TableCell>
          <TableCell>Broker</TableCell>
          <TableCell>What</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {run.differences.map((difference, index) => (
          <TableRow key={`${difference.kind}-${difference.symbol}-${String(index)}`}>
            <TableCell>{KINDS[difference.kind]}</TableCell>
            <TableCell>{difference.symbol === "" ? "—" : difference.symbol}</TableCell>
            <TableCell>{figures(difference.local)}</TableCell>
            <TableCell>{figures(difference.broker)}</TableCell>
            <TableCell>{difference.message}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
