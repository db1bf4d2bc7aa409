/**
 * A metric over two parameters as a grid of coloured cells (a table, so a
 * screen reader reads it as rows and columns): red low, green high.
 */
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography, useTheme } from "@mui/material";

import { plainRatio } from "../../format/metrics";
import type { Heatmap } from "./types";

/** A value's place between the lowest and highest of the grid, 0..1 (null: no value). */
export function shade(value: unknown, low: number, high: number): number | null {
  const n = value === null || value === undefined ? NaN : Number(value);
  if (!Number.isFinite(n)) return null;
  return high === low ? 0.5 : (n - low) / (high - low);
}

export function HeatmapGrid({ heatmap }: { heatmap: Heatmap }) {
  const theme = useTheme();
  const numbers = heatmap.cells.flat().map(Number).filter(Number.isFinite);
  const low = numbers.length > 0 ? Math.min(...numbers) : 0;
  const high = numbers.length > 0 ? Math.max(...numbers) : 0;
  const color = (share: number | null) => {
    if (share === null) return theme.palette.action.disabledBackground;
    // Hue from red (0) to green (120), light enough for dark text.
    return `hsl(${Math.round(share * 120)}, 65%, ${theme.palette.mode === "dark" ? 30 : 78}%)`;
  };
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" aria-label={`Heatmap of ${heatmap.metric} by ${heatmap.y.name} and ${heatmap.x.name}`} sx={{ width: "auto" }}>
        <TableHead>
          <TableRow>
            <TableCell>
              {heatmap.y.name} ↓ / {heatmap.x.name} →
            </TableCell>
            {heatmap.x.values.map((value) => (
              <TableCell key={String(value)} align="center">
                {String(value)}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {heatmap.y.values.map((yValue, row) => (
            <TableRow key={String(yValue)}>
              <TableCell component="th" scope="row">
                {String(yValue)}
              </TableCell>
              {heatmap.x.values.map((xValue, column) => {
                const value = heatmap.cells[row]?.[column] ?? null;
                return (
                  <TableCell
                    key={String(xValue)}
                    align="center"
                    title={`${heatmap.x.name}=${String(xValue)}, ${heatmap.y.name}=${String(yValue)}: ${value ?? "no result"}`}
                    sx={{ bgcolor: color(shade(value, low, high)), color: "text.primary", minWidth: 64, fontVariantNumeric: "tabular-nums" }}
                  >
                    {plainRatio(value)}
                  </TableCell>
                );
              })}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Typography variant="caption" color="text.secondary">
        Red is the lowest {heatmap.metric} of the grid ({plainRatio(low)}), green the highest ({plainRatio(high)}); grey: no result.
      </Typography>
    </Box>
  );
}
