import { Alert, Autocomplete, Chip, MenuItem, Stack, TextField, Typography } from "@mui/material";
import type { UseQueryResult } from "@tanstack/react-query";

import type { Schemas } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import { formatDuration } from "../../format/time";
import { BrokerFields } from "./BrokerFields";
import { ExecutionPicker, type Preset } from "./ExecutionPicker";
import type { FormErrors } from "./schemaForm";
import { generatedName, type FeedType, type WizardState } from "./wizardState";

export type Asset = Schemas["AssetPublic"];

interface Props {
  state: WizardState;
  assets: UseQueryResult<Asset[]>;
  presets: UseQueryResult<Preset[]>;
  errors: FormErrors;
  onChange: (change: (state: WizardState) => WizardState) => void;
  onSymbols: (symbols: string[], assets: Asset[]) => void;
}

const day = (iso: string) => iso.slice(0, 10);

/** The days every one of `symbols` has data: the latest start to the earliest end. */
export function commonRange(symbols: string[], assets: Asset[]): { start: string; end: string } | null {
  const picked = assets.filter((asset) => symbols.includes(asset.symbol));
  if (picked.length === 0) return null;
  const start = picked.map((asset) => day(asset.data_start)).reduce((a, b) => (a > b ? a : b));
  const end = picked.map((asset) => day(asset.data_end)).reduce((a, b) => (a < b ? a : b));
  return { start, end };
}

const FEEDS: { type: FeedType; label: string }[] = [
  { type: "replay", label: "Replay: the server's history, played from a moment at a speed" },
  { type: "synthetic", label: "Synthetic: a seeded random walk of every symbol" },
  { type: "alpaca", label: "Alpaca: the live market-data stream (the server's Alpaca keys)" },
];

/** Step 3: symbols, period or feed, money and execution (a live session: its broker), name. */
export function TradingStep({ state, assets, presets, errors, onChange, onSymbols }: Props) {
  if (assets.isPending) return <PageLoading label="Loading the symbols…" />;
  if (assets.isError) {
    return (
      <ErrorAlert
        error={assets.error}
        title="The symbols could not be loaded"
        onRetry={() => {
          void assets.refetch();
        }}
      />
    );
  }
  const list = assets.data;
  if (list.length === 0) {
    return <Alert severity="info">The server has no market data: import some (docs/data.md) to trade symbols.</Alert>;
  }
  const bySymbol = new Map(list.map((asset) => [asset.symbol, asset]));
  const range = commonRange(state.symbols, list);
  const text = (key: string, value: string, set: (value: string) => (s: WizardState) => WizardState) => ({
    value,
    error: errors[key] !== undefined,
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
      onChange(set(event.target.value));
    },
  });
  const feed = state.feed;
  return (
    <Stack spacing={3} sx={{ maxWidth: 720 }}>
      <Autocomplete
        multiple
        options={list.map((asset) => asset.symbol)}
        value={state.symbols}
        onChange={(_event, symbols) => {
          onSymbols(symbols, list);
        }}
        getOptionLabel={(symbol) => symbol}
        renderOption={(props, symbol) => {
          const { key, ...rest } = props;
          const asset = bySymbol.get(symbol);
          return (
            <li key={key} {...rest}>
              <Stack>
                <span>{symbol}</span>
                {asset !== undefined && (
                  <Typography variant="caption" color="text.secondary">
                    {asset.asset_class} · {day(asset.data_start)} – {day(asset.data_end)} · bars of {formatDuration(asset.bar_duration_seconds)}
                  </Typography>
                )}
              </Stack>
            </li>
          );
        }}
        renderValue={(items, getItemProps) =>
          items.map((symbol, index) => {
            const { key, ...itemProps } = getItemProps({ index });
            const asset = bySymbol.get(symbol);
            const label = asset === undefined ? symbol : `${symbol} (${day(asset.data_start)} – ${day(asset.data_end)})`;
            return <Chip key={key} label={label} size="small" {...itemProps} />;
          })
        }
        renderInput={(params) => (
          <TextField
            {...params}
            label="Symbols"
            required
            error={errors.symbols !== undefined}
            helperText={errors.symbols ?? "Each with the days the server has data for"}
          />
        )}
      />
      {state.kind === "backtest" && (
        <Stack spacing={1}>
          <Stack direction="row" spacing={2}>
            <TextField
              type="date"
              label="Start (UTC)"
              required
              slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: range?.start, max: range?.end } }}
              helperText={errors.start ?? " "}
              {...text("start", state.start, (start) => (s) => ({ ...s, start }))}
            />
            <TextField
              type="date"
              label="End (UTC, included)"
              required
              slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: range?.start, max: range?.end } }}
              helperText={errors.end ?? " "}
              {...text("end", state.end, (end) => (s) => ({ ...s, end }))}
            />
          </Stack>
          <Typography variant="body2" color="text.secondary">
            {range === null
              ? "Pick symbols to see the days they have data for."
              : range.start > range.end
                ? `The symbols picked have no days of data in common.`
                : `Data for all the symbols picked: ${range.start} – ${range.end}.`}
          </Typography>
        </Stack>
      )}
      {(state.kind === "paper" || state.kind === "live") && (
        <Stack spacing={2}>
          <TextField
            select
            label="Feed"
            value={feed.type}
            error={errors["feed.type"] !== undefined}
            helperText={errors["feed.type"] ?? "Where the session's bars come from"}
            onChange={(event) => {
              onChange((s) => ({ ...s, feed: { ...s.feed, type: event.target.value as FeedType } }));
            }}
          >
            {FEEDS.map((option) => (
              <MenuItem key={option.type} value={option.type}>
                {option.label}
              </MenuItem>
            ))}
          </TextField>
          {feed.type === "replay" && (
            <Stack direction="row" spacing={2}>
              <TextField
                label="Speed (times real time)"
                required
                helperText={errors["feed.speed"] ?? "> 0, ≤ 1000000; 60 plays an hour of bars in a minute"}
                {...text("feed.speed", feed.speed, (speed) => (s) => ({ ...s, feed: { ...s.feed, speed } }))}
              />
              <TextField
                type="date"
                label="Replay from (UTC)"
                slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: range?.start, max: range?.end } }}
                helperText={errors["feed.start"] ?? "Empty: the data's first bar"}
                {...text("feed.start", feed.start, (start) => (s) => ({ ...s, feed: { ...s.feed, start } }))}
              />
            </Stack>
          )}
          {feed.type === "synthetic" && (
            <Stack direction="row" spacing={2}>
              <TextField
                label="Seed"
                required
                helperText={errors["feed.seed"] ?? "≥ 0, < 4294967296"}
                {...text("feed.seed", feed.seed, (seed) => (s) => ({ ...s, feed: { ...s.feed, seed } }))}
              />
              <TextField
                label="Seconds per bar"
                required
                helperText={errors["feed.intervalSeconds"] ?? "≥ 0.01, ≤ 86400"}
                {...text("feed.intervalSeconds", feed.intervalSeconds, (intervalSeconds) => (s) => ({
                  ...s,
                  feed: { ...s.feed, intervalSeconds },
                }))}
              />
            </Stack>
          )}
        </Stack>
      )}
      {state.kind === "live" ? (
        <BrokerFields
          form={state.broker}
          errors={errors}
          onChange={(change) => {
            onChange((s) => ({ ...s, broker: change(s.broker) }));
          }}
        />
      ) : (
        <>
          <TextField
            label="Initial balance"
            required
            helperText={errors.initialCash ?? "Cash of the session's account, in its currency (e.g. 100000 or 2500.50)"}
            slotProps={{ htmlInput: { inputMode: "decimal" } }}
            {...text("initialCash", state.initialCash, (initialCash) => (s) => ({ ...s, initialCash }))}
          />
          <ExecutionPicker presets={presets} value={state.execution} errors={errors} onChange={onChange} />
        </>
      )}
      <TextField
        label="Session name"
        value={state.nameEdited ? state.name : generatedName(state)}
        error={errors.name !== undefined}
        helperText={errors.name ?? "Made from the strategy and symbols until you edit it"}
        onChange={(event) => {
          const name = event.target.value;
          onChange((s) => ({ ...s, name, nameEdited: true }));
        }}
      />
    </Stack>
  );
}
