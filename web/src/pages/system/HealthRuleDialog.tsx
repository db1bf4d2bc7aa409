/** Why the health is what it is: each input's measurement and the points it cost. */
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";

import { penaltiesOf } from "./healthRule";
import type { Health } from "./queries";

export function HealthRuleDialog({ open, health, onClose }: { open: boolean; health: Health; onClose: () => void }) {
  const penalties = penaltiesOf(health);
  const total = penalties.reduce((sum, penalty) => sum + penalty.points, 0);
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="health-rule-title" maxWidth="md" fullWidth>
      <DialogTitle id="health-rule-title">Health {health.health}%: the rule behind it</DialogTitle>
      <DialogContent>
        <Typography variant="body2" sx={{ mb: 2 }}>
          Start at 100 and subtract each input&apos;s penalty, then clamp to 0–100 and round down. Status is ok from
          80, degraded from 50, down below.
        </Typography>
        <Table size="small" aria-label="Health penalties">
          <TableHead>
            <TableRow>
              <TableCell>Input</TableCell>
              <TableCell>Measured</TableCell>
              <TableCell>Rule</TableCell>
              <TableCell align="right">Points</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {penalties.map((penalty) => (
              <TableRow key={penalty.input}>
                <TableCell component="th" scope="row">
                  {penalty.label}
                </TableCell>
                <TableCell>{penalty.reason}</TableCell>
                <TableCell>{penalty.rule}</TableCell>
                <TableCell align="right" sx={{ fontVariantNumeric: "tabular-nums" }}>
                  {penalty.points === 0 ? "0" : `−${penalty.points}`}
                </TableCell>
              </TableRow>
            ))}
            <TableRow>
              <TableCell component="th" scope="row" colSpan={3}>
                100 − {Math.round(total * 1000) / 1000} → {health.health}% ({health.status})
              </TableCell>
              <TableCell align="right">{health.health}</TableCell>
            </TableRow>
          </TableBody>
        </Table>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
