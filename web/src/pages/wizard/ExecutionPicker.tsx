import { FormControlLabel, MenuItem, Stack, Switch, TextField, Typography } from "@mui/material";
import type { UseQueryResult } from "@tanstack/react-query";

import type { Schemas } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import type { FormErrors } from "./schemaForm";
import { FEE_FIELDS, type FeeChoice, type SlippageChoice, type WizardState } from "./wizardState";

export type Preset = Schemas["PresetPublic"];

/** A model of an execution configuration in words: `half_spread (spread_bps 2) + sqrt_impact (k 1.0)`. */
export function describeModel(model: unknown): string {
  if (Array.isArray(model)) return model.map(describeModel).join(" + ");
  if (typeof model !== "object" || model === null) return String(model);
  const { model: name, parts, ...rest } = model as Record<string, unknown>;
  if (Array.isArray(parts)) return parts.map(describeModel).join(" + ");
  const entries = Object.entries(rest).filter(([key, value]) => key !== "seed" && value !== null);
  const settings = entries.filter(([, value]) => typeof value !== "object").map(([key, value]) => `${key} ${String(value)}`);
  const nested = entries.filter(([, value]) => typeof value === "object").map(([, value]) => describeModel(value));
  const own = `${String(name)}${settings.length > 0 ? ` (${settings.join(", ")})` : ""}`;
  return nested.length > 0 ? `${own}: ${nested.join(" + ")}` : own;
}

/** What a preset's configuration means, one line per model. */
export function presetSummary(preset: Preset): string[] {
  const { execution } = preset;
  const line = (label: string, key: string) => (execution[key] === undefined ? null : `${label}: ${describeModel(execution[key])}`);
  return [
    line("Slippage", "slippage"),
    line("Fees", "fees"),
    line("Fill quantity", "fill_quantity"),
    line("Latency", "latency"),
    typeof execution.intrabar === "string" ? `Intrabar path: ${execution.intrabar}` : null,
  ].filter((text): text is string => text !== null);
}

interface Props {
  presets: UseQueryResult<Preset[]>;
  value: WizardState["execution"];
  errors: FormErrors;
  onChange: (change: (state: WizardState) => WizardState) => void;
}

/** How orders fill: a preset, optionally with its slippage or fees replaced. */
export function ExecutionPicker({ presets, value, errors, onChange }: Props) {
  const set = (patch: Partial<WizardState["execution"]>) => {
    onChange((s) => ({ ...s, execution: { ...s.execution, ...patch } }));
  };
  if (presets.isPending) return <PageLoading label="Loading the execution presets…" />;
  if (presets.isError) {
    return (
      <ErrorAlert
        error={presets.error}
        title="The execution presets could not be loaded"
        onRetry={() => {
          void presets.refetch();
        }}
      />
    );
  }
  const list = presets.data;
  const fallback = list.find((preset) => preset.default)?.name ?? "";
  const chosen = value.preset === "" ? fallback : value.preset;
  const current = list.find((preset) => preset.name === chosen);
  const feeField = value.fees === "preset" || value.fees === "none" ? null : FEE_FIELDS[value.fees];
  return (
    <Stack spacing={2} component="section" aria-label="Execution">
      <TextField
        select
        label="Execution preset"
        value={chosen}
        error={errors["execution.preset"] !== undefined}
        helperText={errors["execution.preset"] ?? (list.length === 0 ? "The server lists no presets: its default applies" : " ")}
        onChange={(event) => {
          set({ preset: event.target.value });
        }}
      >
        {list.map((preset) => (
          <MenuItem key={preset.name} value={preset.name}>
            {preset.name}
            {preset.default ? " (default)" : ""}
          </MenuItem>
        ))}
      </TextField>
      {current !== undefined && (
        <Stack spacing={0.5} aria-label="What the preset does">
          <Typography variant="body2">{current.description}</Typography>
          {presetSummary(current).map((line) => (
            <Typography key={line} variant="caption" color="text.secondary" sx={{ fontFamily: "monospace" }}>
              {line}
            </Typography>
          ))}
        </Stack>
      )}
      <FormControlLabel
        control={
          <Switch
            checked={value.custom}
            onChange={(event) => {
              set({ custom: event.target.checked });
            }}
          />
        }
        label="Replace the preset's slippage or fees"
      />
      {value.custom && (
        <Stack spacing={2}>
          <Stack direction="row" spacing={2}>
            <TextField
              select
              label="Slippage"
              value={value.slippage}
              sx={{ minWidth: 220 }}
              onChange={(event) => {
                set({ slippage: event.target.value as SlippageChoice });
              }}
            >
              <MenuItem value="preset">the preset&apos;s</MenuItem>
              <MenuItem value="none">none</MenuItem>
              <MenuItem value="fixed_bps">fixed, in basis points</MenuItem>
            </TextField>
            {value.slippage === "fixed_bps" && (
              <TextField
                label="Slippage (bps)"
                required
                value={value.bps}
                error={errors["execution.slippage"] !== undefined}
                helperText={errors["execution.slippage"] ?? "≥ 0, < 10000; of the reference price"}
                onChange={(event) => {
                  set({ bps: event.target.value });
                }}
              />
            )}
          </Stack>
          {value.slippage !== "fixed_bps" && errors["execution.slippage"] !== undefined && (
            <Typography color="error" variant="body2">
              {errors["execution.slippage"]}
            </Typography>
          )}
          <Stack direction="row" spacing={2}>
            <TextField
              select
              label="Fees"
              value={value.fees}
              sx={{ minWidth: 220 }}
              onChange={(event) => {
                set({ fees: event.target.value as FeeChoice });
              }}
            >
              <MenuItem value="preset">the preset&apos;s</MenuItem>
              <MenuItem value="none">none</MenuItem>
              <MenuItem value="per_share">per share</MenuItem>
              <MenuItem value="fixed">per order</MenuItem>
              <MenuItem value="percent">a share of the notional</MenuItem>
            </TextField>
            {feeField !== null && (
              <TextField
                label={feeField.label}
                required
                value={value.feeAmount}
                error={errors["execution.fees"] !== undefined}
                helperText={errors["execution.fees"] ?? ("lt" in feeField.bounds ? "≥ 0, < 1" : "≥ 0")}
                onChange={(event) => {
                  set({ feeAmount: event.target.value });
                }}
              />
            )}
          </Stack>
          {feeField === null && errors["execution.fees"] !== undefined && (
            <Typography color="error" variant="body2">
              {errors["execution.fees"]}
            </Typography>
          )}
        </Stack>
      )}
    </Stack>
  );
}
