/**
 * A session's risk (`GET /v1/sessions/{id}/risk`): whether entries are
 * halted, how much of each limit is used, its exposure (by position and by
 * sector, over the close, and how correlated), its breakers (a
 * tripped one reset with a reason), the orders it denied lately, and the
 * means to change its rules or override them for a while. The session's
 * events (OrderDenied, BreakerTripped, RiskCommanded, RiskAdjusted) refresh it.
 */
import EditIcon from "@mui/icons-material/Edit";
import TimerIcon from "@mui/icons-material/Timer";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useState } from "react";

import { ErrorAlert } from "../../components/ErrorAlert";
import { Money } from "../../components/Money";
import { formatDecimal } from "../../format/numbers";
import { formatTime } from "../../format/time";
import { Section } from "../session/Section";
import { useClearOverride, useResetBreaker, useRiskView } from "./api";
import { OkChip } from "./OkChip";
import { ResetBreakerDialog } from "./ResetBreakerDialog";
import { Correlation, GapRisk, Sectors } from "./RiskFigures";
import { ruleLabel } from "./riskForm";
import { RulesDialog } from "./RulesDialog";
import type { BreakerView, RiskView } from "./types";
import { UsageBar } from "./UsageBar";

function percent(value: string | null): string {
  return value === null ? "" : ` (${formatDecimal(value, { places: 1 })} % of equity)`;
}

export function RiskPanel({ sessionId, name }: { sessionId: string; name: string }) {
  const risk = useRiskView(sessionId);
  const [editing, setEditing] = useState<"edit" | "override" | null>(null);
  const clear = useClearOverride(sessionId);
  if (risk.isPending) {
    return (
      <Section title="Risk">
        <Typography color="text.secondary">Loading risk…</Typography>
      </Section>
    );
  }
  if (risk.isError) {
    return (
      <Section title="Risk">
        <ErrorAlert error={risk.error} onRetry={() => void risk.refetch()} />
      </Section>
    );
  }
  const view = risk.data;
  return (
    <Section
      title="Risk"
      actions={
        <>
          <Button
            startIcon={<EditIcon />}
            onClick={() => {
              setEditing("edit");
            }}
          >
            Edit rules
          </Button>
          <Button
            startIcon={<TimerIcon />}
            onClick={() => {
              setEditing("override");
            }}
          >
            Override for a while
          </Button>
        </>
      }
    >
      <Stack sx={{ gap: 2 }}>
        {view.halted && (
          <Alert severity="error" role="alert">
            <AlertTitle>New entries are halted</AlertTitle>
            {`Tripped: ${view.breakers
              .filter((breaker) => breaker.tripped)
              .map((breaker) => breaker.name)
              .join(", ")}. Exits still work; reset the breaker with a reason to trade again.`}
          </Alert>
        )}
        {view.override !== null && (
          <Alert
            severity="info"
            action={
              <Button color="inherit" size="small" disabled={clear.isPending} onClick={() => { clear.mutate(undefined); }}>
                End override
              </Button>
            }
          >
            An override is in force until {formatTime(view.override.until)} (session time); then the session's own rules
            apply again.
          </Alert>
        )}
        {clear.isError && <ErrorAlert error={clear.error} title="The override was not ended" />}
        <Exposure view={view} />
        <Usage view={view} />
        <Holdings view={view} />
        <Sectors view={view} />
        <GapRisk view={view} />
        <Correlation view={view} />
        <Breakers sessionId={sessionId} name={name} view={view} />
        <Denials view={view} />
      </Stack>
      {editing !== null && (
        <RulesDialog
          sessionId={sessionId}
          mode={editing}
          settings={editing === "edit" ? view.settings : view.effective}
          open
          onClose={() => {
            setEditing(null);
          }}
        />
      )}
    </Section>
  );
}

function Exposure({ view }: { view: RiskView }) {
  const { exposure, scaling } = view;
  return (
    <Stack direction="row" sx={{ gap: 3, flexWrap: "wrap" }} aria-label="Exposure" role="group">
      <Typography variant="body2">
        Equity <Money value={exposure.equity} />
      </Typography>
      <Typography variant="body2">
        Gross <Money value={exposure.gross} />
        {percent(exposure.gross_pct)}
      </Typography>
      <Typography variant="body2">
        Net <Money value={exposure.net} />
        {percent(exposure.net_pct)}
      </Typography>
      {scaling.enabled && <Typography variant="body2">Size multiplier ×{formatDecimal(scaling.multiplier)}</Typography>}
    </Stack>
  );
}

/** Each position as the risk layer sees it: weight, sector, its protective stop, days to exit. */
function Holdings({ view }: { view: RiskView }) {
  const { positions } = view.exposure;
  if (positions.length === 0) {
    return null;
  }
  const pct = (value: string | null) => (value === null ? "—" : `${formatDecimal(value, { places: 1 })} %`);
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" aria-label="Positions at risk">
        <TableHead>
          <TableRow>
            <TableCell>Symbol</TableCell>
            <TableCell>Sector</TableCell>
            <TableCell align="right">Qty</TableCell>
            <TableCell align="right">Value</TableCell>
            <TableCell align="right">Weight</TableCell>
            <TableCell align="right">Stop</TableCell>
            <TableCell align="right">Stop distance</TableCell>
            <TableCell align="right">Days to exit</TableCell>
            <TableCell>Over the close</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {positions.map((position) => (
            <TableRow key={position.symbol}>
              <TableCell component="th" scope="row">
                {position.symbol}
              </TableCell>
              <TableCell>{position.sector ?? "—"}</TableCell>
              <TableCell align="right">{formatDecimal(position.qty)}</TableCell>
              <TableCell align="right">
                <Money value={position.value} />
              </TableCell>
              <TableCell align="right">{pct(position.weight_pct)}</TableCell>
              <TableCell align="right">{position.stop_price === null ? "none" : <Money value={position.stop_price} />}</TableCell>
              <TableCell align="right">{pct(position.stop_distance_pct)}</TableCell>
              <TableCell align="right">{formatDecimal(position.days_to_exit, { places: 2 })}</TableCell>
              <TableCell>{position.held_over_close ? "yes" : "no"}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function Usage({ view }: { view: RiskView }) {
  if (view.usage.length === 0) {
    return <Typography color="text.secondary">No limit is set: nothing to measure against.</Typography>;
  }
  return (
    <Table size="small" aria-label="Limit usage">
      <TableHead>
        <TableRow>
          <TableCell>Limit</TableCell>
          <TableCell align="right">Used</TableCell>
          <TableCell align="right">Limit</TableCell>
          <TableCell sx={{ width: "40%" }}>Usage</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {view.usage.map((usage) => (
          <TableRow key={usage.rule}>
            <TableCell component="th" scope="row" title={usage.rule}>
              {ruleLabel(usage.rule)}
            </TableCell>
            <TableCell align="right">{formatDecimal(usage.value)}</TableCell>
            <TableCell align="right">{formatDecimal(usage.limit)}</TableCell>
            <TableCell>
              <UsageBar ratio={usage.ratio} label={`${ruleLabel(usage.rule)} used`} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The limit a breaker is set to now (`null`: not set), from the rules in force. */
function limitOf(view: RiskView, breaker: BreakerView): string | null {
  if (breaker.limit !== null) return breaker.limit;
  const rules = (view.effective.breakers ?? {}) as Record<string, unknown>;
  const value = rules[breaker.name];
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

function Breakers({ sessionId, name, view }: { sessionId: string; name: string; view: RiskView }) {
  const reset = useResetBreaker();
  const [asking, setAsking] = useState<string | null>(null);
  // The breakers set, and any tripped (the kill switch has no setting: it shows once used).
  const breakers = view.breakers.filter((breaker) => breaker.tripped || limitOf(view, breaker) !== null);
  if (breakers.length === 0) {
    return <Typography color="text.secondary">No circuit breaker is set.</Typography>;
  }
  const tripped = breakers.filter((breaker) => breaker.tripped).length;
  return (
    <Box>
      <Table size="small" aria-label="Breakers">
        <TableHead>
          <TableRow>
            <TableCell>Breaker</TableCell>
            <TableCell>State</TableCell>
            <TableCell align="right">Value</TableCell>
            <TableCell align="right">Limit</TableCell>
            <TableCell>Tripped at</TableCell>
            <TableCell>Message</TableCell>
            <TableCell align="right">
              {tripped > 1 && (
                <Button size="small" color="warning" onClick={() => { setAsking("all"); }}>
                  Reset all
                </Button>
              )}
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {breakers.map((breaker) => (
            <TableRow key={breaker.name}>
              <TableCell component="th" scope="row">
                {breaker.name}
              </TableCell>
              <TableCell>
                <OkChip ok={!breaker.tripped} label={breaker.tripped ? "tripped" : "armed"} />
              </TableCell>
              <TableCell align="right">{formatDecimal(breaker.value)}</TableCell>
              <TableCell align="right">{formatDecimal(limitOf(view, breaker))}</TableCell>
              <TableCell>{breaker.tripped ? formatTime(breaker.tripped_at) : ""}</TableCell>
              <TableCell>{breaker.message}</TableCell>
              <TableCell align="right">
                {breaker.tripped && (
                  <Button
                    size="small"
                    color="warning"
                    variant="outlined"
                    aria-label={`Reset ${breaker.name}`}
                    disabled={reset.isPending}
                    onClick={() => {
                      setAsking(breaker.name);
                    }}
                  >
                    Reset
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <ResetBreakerDialog
        reset={reset}
        sessionId={sessionId}
        name={name}
        breaker={asking}
        onClose={() => {
          setAsking(null);
        }}
      />
    </Box>
  );
}

function Denials({ view }: { view: RiskView }) {
  if (view.denials.length === 0) {
    return <Typography color="text.secondary">No order denied lately.</Typography>;
  }
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>
        Recent denials
      </Typography>
      <Table size="small" aria-label="Recent denials">
        <TableHead>
          <TableRow>
            <TableCell>Time</TableCell>
            <TableCell>Symbol</TableCell>
            <TableCell>Rule</TableCell>
            <TableCell align="right">Limit</TableCell>
            <TableCell align="right">Value</TableCell>
            <TableCell>Message</TableCell>
            <TableCell>Order</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {[...view.denials].reverse().map((denial) => (
            <TableRow key={`${denial.order_id}-${denial.ts}`}>
              <TableCell>{formatTime(denial.ts)}</TableCell>
              <TableCell>{denial.symbol}</TableCell>
              <TableCell title={denial.rule}>{ruleLabel(denial.rule)}</TableCell>
              <TableCell align="right">{formatDecimal(denial.limit)}</TableCell>
              <TableCell align="right">{formatDecimal(denial.value)}</TableCell>
              <TableCell>{denial.message}</TableCell>
              <TableCell sx={{ fontFamily: "monospace", fontSize: 12 }}>{denial.order_id.slice(0, 8)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
