import { Box, Button, MenuItem, TextField } from "@mui/material";

import { TYPE_LABELS } from "../sessions/SessionType";
import type { HistoryView } from "./query";

const STATES = ["completed", "stopped", "killed"];

/** Type, strategy, state and the period the sessions ended in. */
export function HistoryFilters({
  view,
  strategies,
  onChange,
}: {
  view: HistoryView;
  strategies: string[];
  onChange: (change: Partial<HistoryView>) => void;
}) {
  const select = {
    select: true,
    size: "small",
    sx: { minWidth: 150 },
    slotProps: { select: { displayEmpty: true }, inputLabel: { shrink: true } },
  } as const;
  const date = { type: "date", size: "small", slotProps: { inputLabel: { shrink: true } } } as const;
  const names = [...new Set([...strategies, ...(view.strategy === "" ? [] : [view.strategy])])].sort();
  const filtered = view.type !== "" || view.strategy !== "" || view.state !== "" || view.since !== "" || view.until !== "";
  return (
    <Box role="search" aria-label="Filter history" sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "center" }}>
      <TextField {...select} label="Type" value={view.type} onChange={(event) => { onChange({ type: event.target.value, page: 0 }); }}>
        <MenuItem value="">All types</MenuItem>
        {Object.entries(TYPE_LABELS).map(([type, label]) => (
          <MenuItem key={type} value={type}>
            {label}
          </MenuItem>
        ))}
      </TextField>
      <TextField {...select} label="Strategy" value={view.strategy} onChange={(event) => { onChange({ strategy: event.target.value, page: 0 }); }}>
        <MenuItem value="">All strategies</MenuItem>
        {names.map((name) => (
          <MenuItem key={name} value={name}>
            {name}
          </MenuItem>
        ))}
      </TextField>
      <TextField {...select} label="State" value={view.state} onChange={(event) => { onChange({ state: event.target.value, page: 0 }); }}>
        <MenuItem value="">All states</MenuItem>
        {STATES.map((state) => (
          <MenuItem key={state} value={state}>
            {state}
          </MenuItem>
        ))}
      </TextField>
      <TextField {...date} label="Ended from" value={view.since} onChange={(event) => { onChange({ since: event.target.value, page: 0 }); }} />
      <TextField {...date} label="Ended until" value={view.until} onChange={(event) => { onChange({ until: event.target.value, page: 0 }); }} />
      {filtered && (
        <Button size="small" onClick={() => { onChange({ type: "", strategy: "", state: "", since: "", until: "", page: 0 }); }}>
          Clear filters
        </Button>
      )}
    </Box>
  );
}
