/**
 * Launch a parameter sweep: a strategy from the catalog, symbols and a
 * period, the parameters to vary (from the strategy's parameter schema),
 * the search method, objective, walk-forward folds and workers.
 */
import {
  Autocomplete,
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  MenuItem,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import { RequestError } from "../../components/RequestError";
import { fieldsOf } from "../wizard/schemaForm";
import { useLaunchSweep } from "./api";
import {
  emptySweepForm,
  gridSize,
  initialRange,
  OBJECTIVES,
  spaceOf,
  sweepable,
  sweepBody,
  sweepErrors,
  type ParamRange,
  type SweepForm,
} from "./sweepForm";

export function LaunchSweepForm() {
  const navigate = useNavigate();
  const launch = useLaunchSweep();
  const strategies = useQuery({ queryKey: keys.strategies, queryFn: () => call(api.GET("/v1/strategies")) });
  const assets = useQuery({ queryKey: keys.assets, queryFn: () => call(api.GET("/v1/assets")) });
  const [form, setForm] = useState<SweepForm>(emptySweepForm);
  const [shown, setShown] = useState(false);
  const strategy = strategies.data?.find((item) => item.name === form.strategy);
  const fields = useMemo(() => sweepable(fieldsOf(strategy?.params_schema)), [strategy]);
  const errors = shown ? sweepErrors(form, fields) : {};
  const size = gridSize(spaceOf(form, fields));
  const set = (change: Partial<SweepForm>) => {
    setForm((current) => ({ ...current, ...change }));
  };
  const setRange = (name: string, change: Partial<ParamRange>) => {
    setForm((current) => {
      const field = fields.find((item) => item.name === name);
      const range = current.ranges[name] ?? (field === undefined ? undefined : initialRange(field));
      return range === undefined ? current : { ...current, ranges: { ...current.ranges, [name]: { ...range, ...change } } };
    });
  };

  return (
    <Stack
      component="form"
      spacing={2}
      aria-label="Launch a sweep"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setShown(true);
        if (Object.keys(sweepErrors(form, fields)).length === 0) {
          launch.mutate(sweepBody(form, fields), {
            onSuccess: (sweep) => {
              void navigate(`/sweeps/${sweep.id}`);
            },
          });
        }
      }}
    >
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap" }}>
        <TextField label="Name" size="small" value={form.name} onChange={(event) => { set({ name: event.target.value }); }} />
        <TextField
          select
          label="Strategy"
          size="small"
          required
          sx={{ minWidth: 200 }}
          value={form.strategy}
          error={errors.strategy !== undefined}
          helperText={errors.strategy}
          onChange={(event) => {
            const picked = strategies.data?.find((item) => item.name === event.target.value);
            const ranges = Object.fromEntries(
              sweepable(fieldsOf(picked?.params_schema)).map((field) => [field.name, initialRange(field)]),
            );
            set({ strategy: event.target.value, ranges });
          }}
        >
          {(strategies.data ?? [])
            .filter((item) => item.params_schema !== null)
            .map((item) => (
              <MenuItem key={item.name} value={item.name}>
                {item.name}
              </MenuItem>
            ))}
        </TextField>
        <Autocomplete
          multiple
          size="small"
          sx={{ minWidth: 240 }}
          options={(assets.data ?? []).map((asset) => asset.symbol)}
          value={form.symbols}
          onChange={(_, symbols) => { set({ symbols }); }}
          renderInput={(params) => (
            <TextField {...params} label="Symbols" required error={errors.symbols !== undefined} helperText={errors.symbols} />
          )}
        />
        <TextField
          label="Start"
          type="date"
          size="small"
          required
          value={form.start}
          error={errors.start !== undefined}
          helperText={errors.start}
          slotProps={{ inputLabel: { shrink: true } }}
          onChange={(event) => { set({ start: event.target.value }); }}
        />
        <TextField
          label="End"
          type="date"
          size="small"
          required
          value={form.end}
          error={errors.end !== undefined}
          helperText={errors.end}
          slotProps={{ inputLabel: { shrink: true } }}
          onChange={(event) => { set({ end: event.target.value }); }}
        />
        <TextField label="Initial cash" size="small" value={form.initialCash} onChange={(event) => { set({ initialCash: event.target.value }); }} />
      </Box>
      <Typography variant="subtitle1" component="h3">
        Parameters to vary
      </Typography>
      {form.strategy === "" ? (
        <Typography color="text.secondary">Pick a strategy: its parameters show here.</Typography>
      ) : fields.length === 0 ? (
        <Typography color="text.secondary">This strategy has no parameter a sweep can vary.</Typography>
      ) : (
        <Stack spacing={1} role="group" aria-label="Parameter ranges">
          {fields.map((field) => {
            const range = form.ranges[field.name] ?? initialRange(field);
            const error = errors[`range:${field.name}`];
            return (
              <Box key={field.name} sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
                <FormControlLabel
                  sx={{ minWidth: 180 }}
                  control={<Checkbox checked={range.enabled} onChange={(event) => { setRange(field.name, { enabled: event.target.checked }); }} />}
                  label={field.label}
                />
                {range.enabled && (field.kind === "integer" || field.kind === "number") && (
                  <TextField
                    select
                    size="small"
                    label={`${field.label}: as`}
                    value={range.mode}
                    onChange={(event) => { setRange(field.name, { mode: event.target.value as ParamRange["mode"] }); }}
                  >
                    <MenuItem value="range">min, max, step</MenuItem>
                    <MenuItem value="values">values</MenuItem>
                  </TextField>
                )}
                {range.enabled && range.mode === "range" && (
                  <>
                    <TextField size="small" sx={{ width: 110 }} label={`${field.label} min`} value={range.min} error={error !== undefined} onChange={(event) => { setRange(field.name, { min: event.target.value }); }} />
                    <TextField size="small" sx={{ width: 110 }} label={`${field.label} max`} value={range.max} error={error !== undefined} onChange={(event) => { setRange(field.name, { max: event.target.value }); }} />
                    <TextField size="small" sx={{ width: 110 }} label={`${field.label} step`} value={range.step} error={error !== undefined} onChange={(event) => { setRange(field.name, { step: event.target.value }); }} />
                  </>
                )}
                {range.enabled && range.mode === "values" && (
                  <TextField size="small" sx={{ minWidth: 220 }} label={`${field.label} values`} value={range.values} error={error !== undefined} helperText="separated by commas" onChange={(event) => { setRange(field.name, { values: event.target.value }); }} />
                )}
                {error !== undefined && (
                  <Typography color="error" variant="body2">
                    {error}
                  </Typography>
                )}
              </Box>
            );
          })}
          {errors.space !== undefined && (
            <Typography color="error" variant="body2">
              {errors.space}
            </Typography>
          )}
        </Stack>
      )}
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "center" }}>
        <TextField select size="small" label="Method" value={form.method} onChange={(event) => { set({ method: event.target.value as SweepForm["method"] }); }}>
          <MenuItem value="grid">Grid (every combination)</MenuItem>
          <MenuItem value="random">Random samples</MenuItem>
        </TextField>
        {form.method === "random" && (
          <>
            <TextField size="small" sx={{ width: 110 }} label="Samples" value={form.samples} error={errors.samples !== undefined} helperText={errors.samples} onChange={(event) => { set({ samples: event.target.value }); }} />
            <TextField size="small" sx={{ width: 110 }} label="Seed" value={form.seed} onChange={(event) => { set({ seed: event.target.value }); }} />
          </>
        )}
        <TextField select size="small" label="Objective" value={form.objective} onChange={(event) => { set({ objective: event.target.value }); }}>
          {OBJECTIVES.map((objective) => (
            <MenuItem key={objective} value={objective}>
              {objective}
            </MenuItem>
          ))}
        </TextField>
        <TextField size="small" sx={{ width: 100 }} label="Workers" value={form.workers} error={errors.workers !== undefined} helperText={errors.workers} onChange={(event) => { set({ workers: event.target.value }); }} />
        <FormControlLabel control={<Switch checked={form.walkForward} onChange={(event) => { set({ walkForward: event.target.checked }); }} />} label="Walk-forward" />
        {form.walkForward && (
          <>
            <TextField size="small" sx={{ width: 100 }} label="Folds" value={form.folds} error={errors.folds !== undefined} helperText={errors.folds} onChange={(event) => { set({ folds: event.target.value }); }} />
            <TextField size="small" sx={{ width: 140 }} label="In-sample share" value={form.inSample} error={errors.inSample !== undefined} helperText={errors.inSample} onChange={(event) => { set({ inSample: event.target.value }); }} />
          </>
        )}
      </Box>
      <RequestError error={launch.error} prefix="The server refused the sweep: " />
      <Box sx={{ display: "flex", gap: 2, alignItems: "center" }}>
        <Button type="submit" variant="contained" disabled={launch.isPending}>
          {launch.isPending ? "Launching…" : "Launch sweep"}
        </Button>
        {form.method === "grid" && size !== null && Object.keys(spaceOf(form, fields)).length > 0 && (
          <Typography variant="body2" color="text.secondary" role="status">
            {size.toLocaleString("en-US")} combination{size === 1 ? "" : "s"}
            {form.walkForward ? ` × ${form.folds} folds` : ""}
          </Typography>
        )}
      </Box>
    </Stack>
  );
}
