/** The feed's filters: severity, session and kinds (the parameters of `GET /api/activity`). */
import { Autocomplete, Box, MenuItem, TextField } from "@mui/material";
import { memo } from "react";

import type { FeedFilter, Severity } from "./feed";
import { useSessionList } from "./SessionLink";

/** Kinds operators filter by most; any other CamelCase kind may be typed. */
export const COMMON_KINDS = [
  "OrderFilled",
  "OrderRejected",
  "OrderCanceled",
  "OrderDenied",
  "BreakerTripped",
  "RiskCommanded",
  "RiskAdjusted",
  "SessionStateChanged",
  "SessionCreated",
  "SystemStopped",
  "SystemStarted",
];

const SEVERITY_CHOICES: { value: Severity; label: string }[] = [
  { value: "info", label: "Everything (info and above)" },
  { value: "warning", label: "Warnings and errors" },
  { value: "error", label: "Errors only" },
];

export const ActivityFilters = memo(function ActivityFilters({
  filter,
  onChange,
  seenKinds,
}: {
  filter: FeedFilter;
  onChange: (filter: FeedFilter) => void;
  seenKinds: readonly string[];
}) {
  const sessions = useSessionList();
  const known = sessions.data ?? [];
  const kinds = [...new Set([...COMMON_KINDS, ...seenKinds])].sort();
  return (
    <Box sx={{ display: "flex", flexWrap: "wrap", gap: 2, mb: 2 }}>
      <TextField
        select
        size="small"
        label="Severity"
        value={filter.severity}
        onChange={(event) => {
          onChange({ ...filter, severity: event.target.value as Severity });
        }}
        sx={{ minWidth: 240 }}
      >
        {SEVERITY_CHOICES.map((choice) => (
          <MenuItem key={choice.value} value={choice.value}>
            {choice.label}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        size="small"
        label="Session"
        value={filter.session ?? ""}
        onChange={(event) => {
          onChange({ ...filter, session: event.target.value === "" ? null : event.target.value });
        }}
        helperText={sessions.isError ? "The session list could not be read" : undefined}
        slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}
        sx={{ minWidth: 260 }}
      >
        <MenuItem value="">Every session</MenuItem>
        {filter.session !== null && !known.some((session) => session.id === filter.session) && (
          <MenuItem value={filter.session}>{filter.session}</MenuItem>
        )}
        {known.map((session) => (
          <MenuItem key={session.id} value={session.id}>
            {session.name} ({session.id.slice(0, 8)})
          </MenuItem>
        ))}
      </TextField>
      <Autocomplete
        multiple
        freeSolo
        size="small"
        options={kinds}
        value={[...filter.types]}
        onChange={(_event, value) => {
          onChange({ ...filter, types: value.filter((kind) => /^[A-Z][A-Za-z0-9]{0,63}$/.test(kind)) });
        }}
        renderInput={(params) => <TextField {...params} label="Kinds" placeholder="every kind" />}
        sx={{ minWidth: 320, flex: 1 }}
      />
    </Box>
  );
});
