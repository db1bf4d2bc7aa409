import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";

import { ErrorAlert } from "../../components/ErrorAlert";
import { Money } from "../../components/Money";
import { PageLoading } from "../../components/PageLoading";
import { formatDecimal } from "../../format/numbers";
import { Section } from "./Section";
import type { usePositions } from "./queries";

/** The account's open positions at their marks. */
export function PositionsTable({ query }: { query: ReturnType<typeof usePositions> }) {
  return (
    <Section title="Positions">
      {query.isPending ? (
        <PageLoading label="Loading positions…" />
      ) : query.isError ? (
        <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />
      ) : query.data.length === 0 ? (
        <Typography color="text.secondary">No open positions.</Typography>
      ) : (
        <Box sx={{ overflowX: "auto" }}>
        <Table size="small" aria-label="Positions">
          <TableHead>
            <TableRow>
              <TableCell>Symbol</TableCell>
              <TableCell>Side</TableCell>
              <TableCell align="right">Qty</TableCell>
              <TableCell align="right">Avg entry</TableCell>
              <TableCell align="right">Mark</TableCell>
              <TableCell align="right">Market value</TableCell>
              <TableCell align="right">Unrealized P&amp;L</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {query.data.map((position) => (
              <TableRow key={position.symbol}>
                <TableCell>{position.symbol}</TableCell>
                <TableCell>{position.side}</TableCell>
                <TableCell align="right">{formatDecimal(position.qty)}</TableCell>
                <TableCell align="right">
                  <Money value={position.avg_entry_price} />
                </TableCell>
                <TableCell align="right">
                  <Money value={position.current_price} />
                </TableCell>
                <TableCell align="right">
                  <Money value={position.market_value} />
                </TableCell>
                <TableCell align="right">
                  <Money value={position.unrealized_pnl} pnl />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        </Box>
      )}
    </Section>
  );
}
