/**
 * Sessions side by side (`GET /v1/compare?sessions=a,b`): their metrics (the
 * best of each row marked), their equity curves and drawdowns overlaid (with
 * a benchmark's, when one is named), their returns by month and year, and
 * how each did in up, down and flat markets.
 */
import { Autocomplete, Box, Button, Stack, TextField, Typography } from "@mui/material";
import { lazy, Suspense, useMemo, useState } from "react";
import { useSearchParams } from "react-router";

import type { Line } from "../../components/chartPoints";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import { Section } from "../session/Section";
import { useComparison, usePickable } from "./api";
import { MetricsComparison } from "./MetricsComparison";
import { PeriodTable } from "./PeriodTable";
import { periodRows } from "./periods";
import type { Comparison } from "./types";

const OverlayChart = lazy(() => import("../../components/OverlayChart"));

interface Option {
  id: string;
  name: string;
}

export default function ComparePage() {
  const [params, setParams] = useSearchParams();
  const ids = (params.get("sessions") ?? "").split(",").filter((id) => id !== "");
  const benchmark = params.get("benchmark") ?? "";
  const [symbol, setSymbol] = useState(benchmark);
  const pickable = usePickable();
  const comparison = useComparison(ids, benchmark);

  const options: Option[] = useMemo(() => {
    const known = new Map((pickable.data?.items ?? []).map((item) => [item.session_id, item.name]));
    for (const session of comparison.data?.sessions ?? []) known.set(session.session_id, session.name);
    return [...known.entries()].map(([id, name]) => ({ id, name }));
  }, [pickable.data, comparison.data]);
  const chosen = ids.map((id) => options.find((option) => option.id === id) ?? { id, name: id });

  const write = (sessions: string[], bench: string) => {
    const next = new URLSearchParams();
    if (sessions.length > 0) next.set("sessions", sessions.join(","));
    if (bench !== "") next.set("benchmark", bench);
    setParams(next, { replace: true });
  };

  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">
        Compare
      </Typography>
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "flex-start" }}>
        <Autocomplete
          multiple
          sx={{ minWidth: 360, flex: 1 }}
          options={options}
          value={chosen}
          loading={pickable.isPending}
          getOptionLabel={(option) => option.name}
          isOptionEqualToValue={(a, b) => a.id === b.id}
          getOptionKey={(option) => option.id}
          onChange={(_, value) => {
            write(
              value.map((option) => option.id),
              benchmark,
            );
          }}
          renderInput={(input) => <TextField {...input} label="Sessions" placeholder="Pick ended sessions" size="small" />}
        />
        <Box
          component="form"
          sx={{ display: "flex", gap: 1 }}
          onSubmit={(event) => {
            event.preventDefault();
            write(ids, symbol.trim().toUpperCase());
          }}
        >
          <TextField
            label="Benchmark symbol"
            size="small"
            value={symbol}
            placeholder="e.g. SPY"
            onChange={(event) => {
              setSymbol(event.target.value);
            }}
          />
          <Button type="submit" variant="outlined">
            Apply
          </Button>
        </Box>
      </Box>
      {ids.length < 2 ? (
        <Typography color="text.secondary">Pick two or more sessions above, or select them on the History page.</Typography>
      ) : comparison.isPending ? (
        <PageLoading label="Comparing…" />
      ) : comparison.data === undefined ? (
        <ErrorAlert error={comparison.error} onRetry={() => void comparison.refetch()} />
      ) : (
        <CompareResult comparison={comparison.data} />
      )}
    </Stack>
  );
}

function CompareResult({ comparison }: { comparison: Comparison }) {
  const { sessions, benchmark, regimes } = comparison;
  const names = sessions.map((session) => session.name);
  // The charts draw again when their lines change: made once per comparison.
  const equity: Line[] = useMemo(
    () => [
      ...comparison.sessions.map((session) => ({ label: session.name, points: session.equity })),
      ...(comparison.benchmark === null
        ? []
        : [{ label: comparison.benchmark.symbol, points: comparison.benchmark.equity, dashed: true }]),
    ],
    [comparison],
  );
  const drawdowns: Line[] = useMemo(
    () => comparison.sessions.map((session) => ({ label: session.name, points: session.drawdown })),
    [comparison],
  );
  return (
    <>
      <Section title="Metrics">
        <MetricsComparison sessions={sessions} />
      </Section>
      <Section title="Equity">
        <Suspense fallback={<PageLoading label="Loading the chart…" />}>
          <OverlayChart lines={equity} label={`Equity curves of ${names.join(", ")}`} />
        </Suspense>
        <Legend names={[...names, ...(benchmark === null ? [] : [`${benchmark.symbol} (benchmark)`])]} />
      </Section>
      <Section title="Drawdowns">
        <Suspense fallback={<PageLoading label="Loading the chart…" />}>
          <OverlayChart lines={drawdowns} label={`Drawdowns of ${names.join(", ")}`} height={220} percent />
        </Suspense>
      </Section>
      <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", lg: "1fr 1fr" } }}>
        <Section title="Returns by month">
          <PeriodTable label="Returns by month" heading="Month" names={names} rows={periodRows(sessions.map((s) => s.returns_by_month))} />
        </Section>
        <Section title="Returns by year">
          <PeriodTable label="Returns by year" heading="Year" names={names} rows={periodRows(sessions.map((s) => s.returns_by_year))} />
        </Section>
      </Box>
      <Section title="Regimes">
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Each session&apos;s return over the days the market went up, down or sideways.
        </Typography>
        <PeriodTable
          label="Returns by market regime"
          heading="Regime"
          names={names}
          rows={regimes.map((regime) => ({
            key: regime.regime,
            values: sessions.map((session) => regime.sessions[session.session_id]),
          }))}
        />
      </Section>
    </>
  );
}

function Legend({ names }: { names: string[] }) {
  return (
    <Box component="ul" aria-label="Chart legend" sx={{ display: "flex", gap: 2, listStyle: "none", p: 0, m: 0, mt: 1, flexWrap: "wrap" }}>
      {names.map((name, index) => (
        <Typography component="li" variant="body2" key={`${name}-${String(index)}`}>
          {name}
        </Typography>
      ))}
    </Box>
  );
}
