import { Box } from "@mui/material";

import { formatMoney, signOf } from "../format/numbers";

/** Money right-aligned; with `pnl`, signed and green/red. */
export function Money({ value, pnl = false }: { value: string | number | null | undefined; pnl?: boolean }) {
  const sign = signOf(value);
  const color = !pnl || sign === 0 ? "inherit" : sign > 0 ? "success.main" : "error.main";
  return (
    <Box component="span" sx={{ color, fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" }}>
      {formatMoney(value, pnl)}
    </Box>
  );
}
