/** Every metric of the compared sessions side by side, the best of each row marked. */
import { Box, Table, TableBody, TableCell, TableHead, TableRow } from "@mui/material";
import { Fragment } from "react";

import { bestIndexes, formatMetric, METRIC_GROUPS } from "../../format/metrics";
import { metricsRecord } from "../history/types";
import type { ComparedSession } from "./types";

export function MetricsComparison({ sessions }: { sessions: ComparedSession[] }) {
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" aria-label="Metrics side by side">
        <TableHead>
          <TableRow>
            <TableCell>Metric</TableCell>
            {sessions.map((session) => (
              <TableCell key={session.session_id} align="right">
                {session.name}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {METRIC_GROUPS.map((group) => {
            const rows = group.metrics.filter((spec) => sessions.some((session) => metricsRecord(session.metrics)[spec.name] !== undefined));
            if (rows.length === 0) return null;
            return (
              <Fragment key={group.title}>
                <TableRow>
                  <TableCell component="th" scope="rowgroup" colSpan={sessions.length + 1} sx={{ fontWeight: 700, bgcolor: "action.hover" }}>
                    {group.title}
                  </TableCell>
                </TableRow>
                {rows.map((spec) => {
                  const values = sessions.map((session) => metricsRecord(session.metrics)[spec.name]);
                  const best = bestIndexes(spec, values);
                  return (
                    <TableRow key={spec.name}>
                      <TableCell component="th" scope="row">
                        {spec.label}
                      </TableCell>
                      {values.map((value, index) => (
                        <TableCell
                          key={sessions[index]?.session_id ?? index}
                          align="right"
                          sx={{
                            fontVariantNumeric: "tabular-nums",
                            ...(best.has(index) ? { fontWeight: 700, color: "success.main" } : {}),
                          }}
                        >
                          {formatMetric(spec.kind, value)}
                          {best.has(index) && (
                            <Box component="span" sx={{ ml: 0.5 }} aria-label="best" title="best of the row">
                              ★
                            </Box>
                          )}
                        </TableCell>
                      ))}
                    </TableRow>
                  );
                })}
              </Fragment>
            );
          })}
        </TableBody>
      </Table>
    </Box>
  );
}
