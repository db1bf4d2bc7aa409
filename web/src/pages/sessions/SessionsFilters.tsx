import { Box, InputAdornment, MenuItem, TextField } from "@mui/material";
import SearchIcon from "@mui/icons-material/Search";

import { NO_STRATEGY, type View } from "./rows";
import { TYPE_LABELS } from "./SessionType";

const STATES = ["running", "paused", "stopping", "stopped", "killed", "completed", "error"];

/** Type, state, strategy and a name search; each change rewrites the page's query string. */
export function SessionsFilters({
  view,
  strategies,
  onChange,
}: {
  view: View;
  strategies: string[];
  onChange: (change: Partial<View>) => void;
}) {
  // An empty value is "all": shown as such, with the label above it.
  const select = {
    select: true,
    size: "small",
    sx: { minWidth: 150 },
    slotProps: { select: { displayEmpty: true }, inputLabel: { shrink: true } },
  } as const;
  return (
    <Box role="search" aria-label="Filter sessions" sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "center" }}>
      <TextField
        label="Search by name"
        size="small"
        type="search"
        value={view.q}
        onChange={(event) => {
          onChange({ q: event.target.value });
        }}
        slotProps={{
          input: {
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon fontSize="small" />
              </InputAdornment>
            ),
          },
        }}
      />
      <TextField
        {...select}
        label="Type"
        value={view.type}
        onChange={(event) => {
          onChange({ type: event.target.value });
        }}
      >
        <MenuItem value="">All types</MenuItem>
        {Object.entries(TYPE_LABELS).map(([type, label]) => (
          <MenuItem key={type} value={type}>
            {label}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        {...select}
        label="State"
        value={view.state}
        onChange={(event) => {
          onChange({ state: event.target.value });
        }}
      >
        <MenuItem value="">All states</MenuItem>
        {STATES.map((state) => (
          <MenuItem key={state} value={state}>
            {state}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        {...select}
        label="Strategy"
        value={view.strategy}
        onChange={(event) => {
          onChange({ strategy: event.target.value });
        }}
      >
        <MenuItem value="">All strategies</MenuItem>
        <MenuItem value={NO_STRATEGY}>None (traded by hand)</MenuItem>
        {/* A strategy in the URL that no session runs still shows, selected. */}
        {[...new Set([...strategies, ...(view.strategy !== "" && view.strategy !== NO_STRATEGY ? [view.strategy] : [])])]
          .sort()
          .map((name) => (
            <MenuItem key={name} value={name}>
              {name}
            </MenuItem>
          ))}
      </TextField>
    </Box>
  );
}
