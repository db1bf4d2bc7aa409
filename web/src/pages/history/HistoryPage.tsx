/**
 * Past sessions (`GET /v1/history`: every ended session with its stored
 * summary), filtered, sorted and paged by the server from the address;
 * rows picked here open side by side on the compare page.
 */
import CompareArrowsIcon from "@mui/icons-material/CompareArrows";
import { Box, Button, Chip, Stack, TablePagination, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate, useSearchParams } from "react-router";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import { ErrorAlert } from "../../components/ErrorAlert";
import { QueryContent } from "../../components/QueryContent";
import { useHistory } from "./api";
import { HistoryFilters } from "./HistoryFilters";
import { HistoryTable } from "./HistoryTable";
import { PER_PAGE, readHistoryView, writeHistoryView, type HistoryView } from "./query";

export default function HistoryPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const view = readHistoryView(params);
  const history = useHistory(view);
  const strategies = useQuery({ queryKey: keys.strategies, queryFn: () => call(api.GET("/v1/strategies")) });
  // Picked sessions stay picked across pages and filters: id → name.
  const [selected, setSelected] = useState<Map<string, string>>(() => new Map());

  const setView = (change: Partial<HistoryView>) => {
    setParams(writeHistoryView({ ...view, ...change }), { replace: true });
  };

  return (
    <Stack spacing={2}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2, flexWrap: "wrap" }}>
        <Typography variant="h4" component="h1" sx={{ flexGrow: 1 }}>
          History
        </Typography>
        <Button
          variant="contained"
          startIcon={<CompareArrowsIcon />}
          disabled={selected.size < 2}
          onClick={() => {
            void navigate(`/compare?sessions=${[...selected.keys()].join(",")}`);
          }}
        >
          Compare{selected.size > 0 ? ` (${selected.size})` : ""}
        </Button>
      </Box>
      <HistoryFilters
        view={view}
        strategies={(strategies.data ?? []).map((strategy) => strategy.name)}
        onChange={setView}
      />
      {selected.size > 0 && (
        <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center" }} aria-label="Selected sessions" role="group">
          <Typography variant="body2">Selected:</Typography>
          {[...selected.entries()].map(([id, name]) => (
            <Chip
              key={id}
              label={name}
              size="small"
              onDelete={() => {
                setSelected((current) => {
                  const next = new Map(current);
                  next.delete(id);
                  return next;
                });
              }}
            />
          ))}
          {selected.size < 2 && (
            <Typography variant="body2" color="text.secondary">
              Pick at least two to compare.
            </Typography>
          )}
        </Box>
      )}
      <QueryContent
        query={history}
        loading="Loading history…"
        isEmpty={(data) => data.total === 0}
        empty={
          <>
            <Typography variant="h6" component="p">
              No past session{view.type || view.strategy || view.state || view.since || view.until ? " matches these filters" : " yet"}
            </Typography>
            <Typography color="text.secondary">A session shows here once it has ended (completed, stopped or killed).</Typography>
          </>
        }
      >
        {(data) => (
          <>
            {history.isError && <ErrorAlert error={history.error} title="Could not refresh the history" />}
            <HistoryTable
              rows={data.items}
              sort={view.sort}
              order={view.order}
              onSort={(sort) => {
                setView({ sort, order: view.sort === sort && view.order === "desc" ? "asc" : "desc", page: 0 });
              }}
              selected={selected}
              onToggle={(row) => {
                setSelected((current) => {
                  const next = new Map(current);
                  if (next.has(row.session_id)) next.delete(row.session_id);
                  else next.set(row.session_id, row.name);
                  return next;
                });
              }}
            />
            <TablePagination
              component="div"
              count={data.total}
              page={view.page}
              rowsPerPage={view.perPage}
              rowsPerPageOptions={[...PER_PAGE]}
              onPageChange={(_, page) => {
                setView({ page });
              }}
              onRowsPerPageChange={(event) => {
                setView({ perPage: Number(event.target.value), page: 0 });
              }}
            />
          </>
        )}
      </QueryContent>
    </Stack>
  );
}
