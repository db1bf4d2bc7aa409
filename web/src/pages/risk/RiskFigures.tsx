/**
 * The figures that watch a session's concentration (docs/risk-monitoring.md):
 * its gross exposure per sector against each sector's limit, what it carries
 * over the close (gap risk), and how correlated its holdings are, with the
 * effective number of bets they amount to.
 */
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import type { ReactNode } from "react";

import { Money } from "../../components/Money";
import { formatDecimal } from "../../format/numbers";
import type { RiskView } from "./types";
import { VISUALLY_HIDDEN } from "../../components/visuallyHidden";

const pct = (value: string | null) => (value === null ? "—" : `${formatDecimal(value, { places: 1 })} %`);

/** A figure's name with a line saying what it means. */
function Figure({ title, caption, children }: { title: string; caption: string; children: ReactNode }) {
  return (
    <Box role="group" aria-label={title}>
      <Typography variant="subtitle2" component="h3">
        {title}
      </Typography>
      <Typography variant="caption" color="text.secondary" component="p" sx={{ mb: 0.5 }}>
        {caption}
      </Typography>
      {children}
    </Box>
  );
}

export function Sectors({ view }: { view: RiskView }) {
  const { sectors } = view.exposure;
  if (sectors.length === 0) {
    return null;
  }
  return (
    <Figure title="Sectors" caption="Gross exposure per sector, in percent of equity, against the sector's limit.">
      <Box sx={{ overflowX: "auto" }}>
        <Table size="small" aria-label="Sector exposure">
          <TableHead>
            <TableRow>
              <TableCell>Sector</TableCell>
              <TableCell align="right">Gross</TableCell>
              <TableCell align="right">% of equity</TableCell>
              <TableCell align="right">Limit</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {sectors.map((sector) => (
              <TableRow key={sector.sector}>
                <TableCell component="th" scope="row">
                  {sector.sector}
                </TableCell>
                <TableCell align="right">
                  <Money value={sector.gross} />
                </TableCell>
                <TableCell align="right">{pct(sector.pct)}</TableCell>
                <TableCell align="right">{pct(sector.limit_pct)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Box>
    </Figure>
  );
}

export function GapRisk({ view }: { view: RiskView }) {
  const { overnight_exposure: exposure, pct: share } = view.gap_risk;
  return (
    <Figure
      title="Gap risk"
      caption="What is held over the close, where the price can jump past any stop at the next open."
    >
      <Typography variant="body2">
        Overnight exposure <Money value={exposure} />
        {share === null ? "" : ` (${formatDecimal(share, { places: 1 })} % of equity)`}
      </Typography>
    </Figure>
  );
}

export function Correlation({ view }: { view: RiskView }) {
  const { symbols, matrix, effective_bets: bets } = view.correlation;
  if (symbols.length === 0) {
    return null;
  }
  return (
    <Figure
      title="Correlation"
      caption="Effective bets: how many independent positions the portfolio amounts to (1 up to the number of holdings). The matrix: correlations of the held symbols' bar-to-bar returns, — where they cannot be measured."
    >
      <Typography variant="body2" sx={{ mb: 1 }}>
        Effective number of bets {formatDecimal(bets, { places: 2 })}
      </Typography>
      {symbols.length > 1 && (
        <Box sx={{ overflowX: "auto" }}>
          <Table size="small" aria-label="Correlation matrix" sx={{ width: "auto" }}>
            <TableHead>
              <TableRow>
                <TableCell>
                  <Box component="span" sx={VISUALLY_HIDDEN}>
                    Symbol
                  </Box>
                </TableCell>
                {symbols.map((symbol) => (
                  <TableCell key={symbol} align="right">
                    {symbol}
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {symbols.map((symbol, row) => (
                <TableRow key={symbol}>
                  <TableCell component="th" scope="row">
                    {symbol}
                  </TableCell>
                  {symbols.map((other, column) => (
                    <TableCell key={other} align="right">
                      {formatDecimal(matrix[row]?.[column] ?? null, { places: 2 })}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Figure>
  );
}
