import { InputAdornment, TextField } from "@mui/material";
import SearchIcon from "@mui/icons-material/Search";

import { FilterBar, filterNames, FilterSelect } from "../../components/FilterSelect";
import { NO_STRATEGY, type View } from "./rows";
import { TYPE_OPTIONS } from "./SessionType";

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
  return (
    <FilterBar label="Filter sessions">
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
      <FilterSelect label="Type" value={view.type} all="All types" options={TYPE_OPTIONS} onChange={(type) => { onChange({ type }); }} />
      <FilterSelect label="State" value={view.state} all="All states" options={STATES} onChange={(state) => { onChange({ state }); }} />
      <FilterSelect
        label="Strategy"
        value={view.strategy}
        all="All strategies"
        // A strategy in the URL that no session runs still shows, selected.
        options={[{ value: NO_STRATEGY, label: "None (traded by hand)" }, ...filterNames(strategies, view.strategy, [NO_STRATEGY])]}
        onChange={(strategy) => { onChange({ strategy }); }}
      />
    </FilterBar>
  );
}
