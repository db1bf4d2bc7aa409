import { Box, MenuItem, TextField } from "@mui/material";
import type { ReactNode } from "react";

/** A choice of a filter: its value, and the text shown when that differs. */
export type FilterOption = string | { value: string; label: string };

/** The filters of a list, one row that wraps, named for assistive technology as a search. */
export function FilterBar({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box role="search" aria-label={label} sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "center" }}>
      {children}
    </Box>
  );
}

/**
 * A select filter whose empty value is "all": shown as `all` (never a blank
 * box), with the label above it.
 */
export function FilterSelect({
  label,
  value,
  all,
  options,
  onChange,
}: {
  label: string;
  value: string;
  all: string;
  options: readonly FilterOption[];
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      select
      size="small"
      sx={{ minWidth: 150 }}
      slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
      label={label}
      value={value}
      onChange={(event) => {
        onChange(event.target.value);
      }}
    >
      <MenuItem value="">{all}</MenuItem>
      {options.map((option) => {
        const choice = typeof option === "string" ? { value: option, label: option } : option;
        return (
          <MenuItem key={choice.value} value={choice.value}>
            {choice.label}
          </MenuItem>
        );
      })}
    </TextField>
  );
}

/**
 * The names to offer, sorted and once each: those known, and the one chosen
 * (from the address) even when nothing has it, so that it still shows,
 * selected. `special` values (e.g. "none") are offered apart.
 */
export function filterNames(known: readonly string[], chosen: string, special: readonly string[] = []): string[] {
  const extra = chosen === "" || special.includes(chosen) ? [] : [chosen];
  return [...new Set([...known, ...extra])].sort();
}
