/**
 * A multi-strategy session's arms (`/arms`): each strategy's metrics, the
 * differences between arms with their confidence intervals (bootstrap), and
 * the P&L attributed to each strategy (`/attribution`).
 */
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";

import { Money } from "../../components/Money";
import { plainRatio, ratioPercent } from "../../format/metrics";
import type { Interval } from "./analyticsTypes";
import { useArms, useAttribution } from "./analyticsQueries";
import { Section } from "./Section";

function interval(value: Interval, percent: boolean): string {
  const show = percent ? ratioPercent : plainRatio;
  return `${show(value.estimate)} [${show(value.low)}, ${show(value.high)}]`;
}

export function ArmsPanel({ sessionId }: { sessionId: string }) {
  const arms = useArms(sessionId);
  const attribution = useAttribution(sessionId);
  const armList = arms.data?.arms ?? [];
  const rows = attribution.data?.items ?? [];
  if (armList.length < 2 && rows.length < 2) {
    return null; // one strategy (or none): nothing to split
  }
  return (
    <Section title="Arms">
      {armList.length > 0 && (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            Mode: {arms.data?.mode ?? "—"}
          </Typography>
          <Box sx={{ overflowX: "auto" }}>
            <Table size="small" aria-label="Arms">
              <TableHead>
                <TableRow>
                  <TableCell>Arm</TableCell>
                  <TableCell>Strategy</TableCell>
                  <TableCell>Parameters</TableCell>
                  <TableCell align="right">Weight</TableCell>
                  <TableCell align="right">Return</TableCell>
                  <TableCell align="right">Sharpe</TableCell>
                  <TableCell align="right">Max drawdown</TableCell>
                  <TableCell align="right">Trades</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {armList.map((arm) => (
                  <TableRow key={arm.label}>
                    <TableCell component="th" scope="row">
                      {arm.label}
                    </TableCell>
                    <TableCell>{arm.strategy}</TableCell>
                    <TableCell sx={{ fontFamily: "monospace", fontSize: 12 }}>{JSON.stringify(arm.params)}</TableCell>
                    <TableCell align="right">{arm.weight}</TableCell>
                    <TableCell align="right">{ratioPercent(arm.metrics?.total_return)}</TableCell>
                    <TableCell align="right">{plainRatio(arm.metrics?.sharpe)}</TableCell>
                    <TableCell align="right">{ratioPercent(arm.metrics?.max_drawdown)}</TableCell>
                    <TableCell align="right">{arm.metrics === null ? "—" : arm.metrics.num_trades.toLocaleString("en-US")}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        </>
      )}
      {(arms.data?.comparisons.length ?? 0) > 0 && (
        <>
          <Typography variant="subtitle1" component="h3" sx={{ mt: 2 }}>
            Differences between arms
          </Typography>
          <Table size="small" aria-label="Differences between arms">
            <TableHead>
              <TableRow>
                <TableCell>Arms</TableCell>
                <TableCell align="right">Sharpe difference [CI]</TableCell>
                <TableCell align="right">Return difference [CI]</TableCell>
                <TableCell align="right">Confidence</TableCell>
                <TableCell align="right">Resamples</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {(arms.data?.comparisons ?? []).map((row) => (
                <TableRow key={`${row.a}-${row.b}`}>
                  <TableCell component="th" scope="row">
                    {row.a} − {row.b}
                  </TableCell>
                  <TableCell align="right">{interval(row.sharpe_diff, false)}</TableCell>
                  <TableCell align="right">{interval(row.return_diff, true)}</TableCell>
                  <TableCell align="right">{ratioPercent(row.confidence)}</TableCell>
                  <TableCell align="right">{row.resamples.toLocaleString("en-US")}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
      {rows.length > 0 && (
        <>
          <Typography variant="subtitle1" component="h3" sx={{ mt: 2 }}>
            Attribution
          </Typography>
          <Table size="small" aria-label="Attribution by strategy">
            <TableHead>
              <TableRow>
                <TableCell>Arm</TableCell>
                <TableCell>Strategy</TableCell>
                <TableCell align="right">Realized P&amp;L</TableCell>
                <TableCell align="right">Unrealized P&amp;L</TableCell>
                <TableCell align="right">Fees</TableCell>
                <TableCell align="right">Fills</TableCell>
                <TableCell align="right">Orders</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={row.label ?? row.strategy ?? "unattributed"}>
                  <TableCell component="th" scope="row">
                    {row.label ?? "—"}
                  </TableCell>
                  <TableCell>{row.strategy ?? "(by hand)"}</TableCell>
                  <TableCell align="right"><Money value={row.realized_pnl} pnl /></TableCell>
                  <TableCell align="right"><Money value={row.unrealized_pnl} pnl /></TableCell>
                  <TableCell align="right"><Money value={row.fees} /></TableCell>
                  <TableCell align="right">{row.fills.toLocaleString("en-US")}</TableCell>
                  <TableCell align="right">{row.orders.toLocaleString("en-US")}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </Section>
  );
}
