/** Returns by period (month or year), or by market regime: one column per session. */
import { Box, Table, TableBody, TableCell, TableHead, TableRow } from "@mui/material";

import { ratioPercent } from "../../format/metrics";
import { signOf } from "../../format/numbers";

export function PeriodTable({
  label,
  heading,
  names,
  rows,
}: {
  label: string;
  heading: string;
  names: string[];
  rows: { key: string; values: (string | null | undefined)[] }[];
}) {
  return (
    <Box sx={{ overflowX: "auto", maxHeight: 360 }}>
      <Table size="small" stickyHeader aria-label={label}>
        <TableHead>
          <TableRow>
            <TableCell>{heading}</TableCell>
            {names.map((name, index) => (
              <TableCell key={`${name}-${String(index)}`} align="right">
                {name}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.key}>
              <TableCell component="th" scope="row">
                {row.key}
              </TableCell>
              {row.values.map((value, index) => (
                <TableCell
                  key={index}
                  align="right"
                  sx={{ fontVariantNumeric: "tabular-nums", color: signOf(value) < 0 ? "error.main" : signOf(value) > 0 ? "success.main" : undefined }}
                >
                  {ratioPercent(value)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

