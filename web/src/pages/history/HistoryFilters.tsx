import { Button, TextField } from "@mui/material";

import { FilterBar, filterNames, FilterSelect } from "../../components/FilterSelect";
import { TYPE_OPTIONS } from "../sessions/SessionType";
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
  const date = { type: "date", size: "small", slotProps: { inputLabel: { shrink: true } } } as const;
  const filtered = view.type !== "" || view.strategy !== "" || view.state !== "" || view.since !== "" || view.until !== "";
  return (
    <FilterBar label="Filter history">
      <FilterSelect label="Type" value={view.type} all="All types" options={TYPE_OPTIONS} onChange={(type) => { onChange({ type, page: 0 }); }} />
      <FilterSelect
        label="Strategy"
        value={view.strategy}
        all="All strategies"
        options={filterNames(strategies, view.strategy)}
        onChange={(strategy) => { onChange({ strategy, page: 0 }); }}
      />
      <FilterSelect label="State" value={view.state} all="All states" options={STATES} onChange={(state) => { onChange({ state, page: 0 }); }} />
      <TextField {...date} label="Ended from" value={view.since} onChange={(event) => { onChange({ since: event.target.value, page: 0 }); }} />
      <TextField {...date} label="Ended until" value={view.until} onChange={(event) => { onChange({ until: event.target.value, page: 0 }); }} />
      {filtered && (
        <Button size="small" onClick={() => { onChange({ type: "", strategy: "", state: "", since: "", until: "", page: 0 }); }}>
          Clear filters
        </Button>
      )}
    </FilterBar>
  );
}
