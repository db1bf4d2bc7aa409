/**
 * One sweep: its progress live (the socket's `sweeps` topic, with the time
 * left), its results sortable, a heatmap of any metric over any two of its
 * parameters, and any result opened as a backtest session of its own.
 */
import { Alert, Box, MenuItem, Stack, TextField, Typography } from "@mui/material";
import { useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router";

import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import { RequestError } from "../../components/RequestError";
import { StatusChip } from "../../components/StatusChip";
import { plainRatio } from "../../format/metrics";
import { formatTime } from "../../format/time";
import { useFollowTopic } from "../../live/LiveContext";
import { Section } from "../session/Section";
import { useHeatmap, useOpenResult, useSweep, useSweepResults } from "./api";
import { HeatmapGrid } from "./HeatmapGrid";
import { SweepProgress } from "./SweepProgress";
import { SweepResultsTable } from "./SweepResultsTable";
import type { Sweep } from "./types";

/** The parameters a sweep varies: its space's, else those its results name. */
export function sweptParams(sweep: Sweep, results: { params: Record<string, unknown> }[]): string[] {
  const space = sweep.spec.space;
  if (typeof space === "object" && space !== null) return Object.keys(space);
  return [...new Set(results.flatMap((result) => Object.keys(result.params)))];
}

export default function SweepPage() {
  const { sweepId = "" } = useParams();
  useFollowTopic("sweeps");
  const sweep = useSweep(sweepId);
  if (sweep.isPending) {
    return <PageLoading label="Loading sweep…" />;
  }
  if (sweep.data === undefined) {
    return (
      <Stack spacing={2}>
        <Typography variant="h4" component="h1">
          Sweep
        </Typography>
        <ErrorAlert error={sweep.error} onRetry={() => void sweep.refetch()} />
      </Stack>
    );
  }
  return <SweepDetail sweep={sweep.data} />;
}

function SweepDetail({ sweep }: { sweep: Sweep }) {
  const navigate = useNavigate();
  const results = useSweepResults(sweep.id, "desc", sweep.done);
  const open = useOpenResult(sweep.id);
  const items = useMemo(() => results.data?.items ?? [], [results.data]);
  const params = useMemo(() => sweptParams(sweep, items), [sweep, items]);
  const objective = typeof sweep.spec.objective === "string" ? sweep.spec.objective : "sharpe";
  const [axes, setAxes] = useState<{ x: string; y: string; metric: string } | null>(null);
  const chosen = axes ?? { x: params[0] ?? "", y: params[1] ?? "", metric: "score" };
  const heatmap = useHeatmap(sweep.id, chosen.x, chosen.y, chosen.metric, sweep.done);
  const metrics = ["score", ...new Set([objective, "sharpe", "total_return", "max_drawdown", "cagr", "sortino", "calmar", "profit_factor"])];

  return (
    <Stack spacing={2}>
      <Box component="header" sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
        <Typography variant="h4" component="h1">
          {sweep.name}
        </Typography>
        <StatusChip status={sweep.status} size="medium" />
        <Typography color="text.secondary">
          {sweep.strategy} · objective {objective} · created {formatTime(sweep.created_at)}
        </Typography>
      </Box>
      <SweepProgress sweep={sweep} wide />
      {sweep.error !== null && (
        <Alert severity="error" role="alert">
          {sweep.error}
        </Alert>
      )}
      {sweep.best !== null && (
        <Typography>
          Best so far: score {plainRatio(sweep.best.score)} with{" "}
          {Object.entries(sweep.best.params)
            .map(([name, value]) => `${name} = ${String(value)}`)
            .join(", ")}
        </Typography>
      )}
      <RequestError error={open.error} onClose={() => { open.reset(); }} />
      <Section title="Heatmap">
        {params.length < 2 ? (
          <Typography color="text.secondary">A heatmap needs a sweep over two parameters or more.</Typography>
        ) : (
          <Stack spacing={2}>
            <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap" }}>
              {(["x", "y"] as const).map((axis) => (
                <TextField
                  key={axis}
                  select
                  size="small"
                  sx={{ minWidth: 160 }}
                  label={axis === "x" ? "Columns (x)" : "Rows (y)"}
                  value={chosen[axis]}
                  onChange={(event) => { setAxes({ ...chosen, [axis]: event.target.value }); }}
                >
                  {params.map((name) => (
                    <MenuItem key={name} value={name}>
                      {name}
                    </MenuItem>
                  ))}
                </TextField>
              ))}
              <TextField
                select
                size="small"
                sx={{ minWidth: 160 }}
                label="Metric"
                value={chosen.metric}
                onChange={(event) => { setAxes({ ...chosen, metric: event.target.value }); }}
              >
                {metrics.map((name) => (
                  <MenuItem key={name} value={name}>
                    {name}
                  </MenuItem>
                ))}
              </TextField>
            </Box>
            {chosen.x === chosen.y ? (
              <Typography color="text.secondary">Pick two different parameters.</Typography>
            ) : heatmap.data !== undefined ? (
              <HeatmapGrid heatmap={heatmap.data} />
            ) : heatmap.isError ? (
              <ErrorAlert error={heatmap.error} />
            ) : (
              <PageLoading label="Loading the heatmap…" />
            )}
          </Stack>
        )}
      </Section>
      <Section title={`Results (${(results.data?.total ?? 0).toLocaleString("en-US")})`}>
        {results.data === undefined ? (
          results.isError ? (
            <ErrorAlert error={results.error} />
          ) : (
            <PageLoading label="Loading results…" />
          )
        ) : items.length === 0 ? (
          <Typography color="text.secondary">No run has finished yet.</Typography>
        ) : (
          <SweepResultsTable
            results={items}
            params={params}
            opening={open.isPending}
            onOpen={(row) => {
              open.mutate(row.idx, {
                onSuccess: (id) => {
                  void navigate(`/sessions/${id}`);
                },
              });
            }}
          />
        )}
      </Section>
    </Stack>
  );
}
