import { Chip } from "@mui/material";

/** A two-way state in words: green when it is well, red when it is not. */
export function OkChip({ ok, label }: { ok: boolean; label: string }) {
  return <Chip size="small" variant="outlined" color={ok ? "success" : "error"} label={label} />;
}
