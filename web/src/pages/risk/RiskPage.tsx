/**
 * Risk across sessions: every session's halt, tripped breakers, exposure,
 * most used limit and denials today (`GET /v1/risk`), a tripped breaker reset
 * with a reason, the emergency controls for every session at once
 * (`POST /v1/risk/emergency`), and the audit of every risk command.
 */
import { Alert, Stack, Typography } from "@mui/material";

import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import { Section } from "../session/Section";
import { useRiskOverview, useSystemEmergency } from "./api";
import { AuditTable } from "./AuditTable";
import { EmergencyControls, describeOutcome } from "./EmergencyControls";
import { OverviewTable } from "./OverviewTable";
import type { SystemEmergencyResult } from "./types";

function plural(count: number, word: string): string {
  return `${String(count)} ${word}${count === 1 ? "" : "s"}`;
}

function SystemOutcome({ result, names }: { result: SystemEmergencyResult; names: ReadonlyMap<string, string> }) {
  return (
    <Stack sx={{ gap: 1, mt: 2 }}>
      {result.results.map((one) => (
        <Alert key={one.session_id} severity="success" role="status">
          {`${names.get(one.session_id) ?? one.session_id}: ${describeOutcome(one)}`}
        </Alert>
      ))}
      {result.failed.map((one) => (
        <Alert key={one.session_id} severity="error" role="alert">
          {`${names.get(one.session_id) ?? one.session_id}: not done (${one.message})`}
        </Alert>
      ))}
      {result.results.length === 0 && result.failed.length === 0 && <Alert severity="info">No session to act on.</Alert>}
    </Stack>
  );
}

export default function RiskPage() {
  const overview = useRiskOverview();
  const emergency = useSystemEmergency();
  const heading = (
    <Typography variant="h4" component="h1">
      Risk
    </Typography>
  );
  if (overview.isPending) {
    return (
      <Stack sx={{ gap: 2 }}>
        {heading}
        <PageLoading label="Reading every session's risk…" />
      </Stack>
    );
  }
  if (overview.isError) {
    return (
      <Stack sx={{ gap: 2 }}>
        {heading}
        <ErrorAlert error={overview.error} onRetry={() => void overview.refetch()} />
      </Stack>
    );
  }
  const rows = overview.data.sessions;
  const names = new Map(rows.map((row) => [row.session_id, row.name]));
  return (
    <Stack sx={{ gap: 2 }}>
      {heading}
      <Section title="Sessions">
        <OverviewTable rows={rows} />
      </Section>
      <Section title="Every session at once">
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          These act on each of the {plural(rows.length, "session")} above, one after the other.
        </Typography>
        <EmergencyControls
          where={`${plural(rows.length, "session")} (every session of this key)`}
          busy={emergency.isPending}
          onRun={(request) => {
            emergency.mutate(request);
          }}
        />
        {emergency.isError && <ErrorAlert error={emergency.error} title="Not done" />}
        {emergency.isSuccess && <SystemOutcome result={emergency.data} names={names} />}
      </Section>
      <Section title="Audit">
        <AuditTable sessions={rows} />
      </Section>
    </Stack>
  );
}
