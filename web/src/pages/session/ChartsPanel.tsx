/**
 * Candles per traded symbol (tabs) with the chosen account's fills marked,
 * then that account's equity and drawdown curves. The charts themselves are
 * lazy chunks.
 */
import {
  Box,
  Card,
  CardContent,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Skeleton,
  Stack,
  Tab,
  Tabs,
  Typography,
} from "@mui/material";
import { Suspense, lazy, useMemo, useState } from "react";

import { ErrorAlert } from "../../components/ErrorAlert";
import type { AccountOption } from "./accounts";
import { armCurve, candlesFrom, fillMarkers } from "./chartData";
import { useBars, usePortfolioHistory } from "./queries";
import type { FillRow, SessionView } from "./types";

const CandleChart = lazy(() => import("./CandleChart"));
const EquityChart = lazy(() => import("./EquityChart"));

const TIMEFRAMES = [
  { value: "1Day", label: "Day" },
  { value: "1Hour", label: "Hour" },
  { value: "15Min", label: "15 min" },
  { value: "1Min", label: "1 min" },
];
const CONTEXT_DAYS = 60;

/** Symbols traded first (fills, then positions and orders), then the rest the session knows. */
export function chartSymbols(session: SessionView, traded: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const symbol of [...traded, ...session.symbols]) {
    if (symbol !== "") {
      seen.add(symbol);
    }
  }
  return [...seen];
}

const loading = <Skeleton variant="rectangular" height={300} aria-label="Loading chart" />;

export function ChartsPanel({
  session,
  account,
  fills,
  traded,
}: {
  session: SessionView;
  /** The account whose fills and equity are shown; undefined while it is being chosen. */
  account: AccountOption | undefined;
  fills: FillRow[];
  traded: string[];
}) {
  const symbols = chartSymbols(session, traded);
  const [chosen, setChosen] = useState<string | null>(null);
  // The bundled data is daily; a finer choice is refused by the server (its message shows).
  const [timeframe, setTimeframe] = useState("1Day");
  const symbol = chosen !== null && symbols.includes(chosen) ? chosen : (symbols[0] ?? "");

  return (
    <Card variant="outlined">
      <CardContent>
        <Stack direction="row" sx={{ alignItems: "center", gap: 2, flexWrap: "wrap" }}>
          <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
            Prices and fills
          </Typography>
          <FormControl size="small" sx={{ minWidth: 120 }}>
            <InputLabel id="timeframe-label">Bars</InputLabel>
            <Select
              labelId="timeframe-label"
              label="Bars"
              value={timeframe}
              onChange={(event) => {
                setTimeframe(event.target.value);
              }}
            >
              {TIMEFRAMES.map((option) => (
                <MenuItem key={option.value} value={option.value}>
                  {option.label}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        </Stack>
        {symbols.length === 0 ? (
          <Typography color="text.secondary">This session has no symbols to chart.</Typography>
        ) : (
          <>
            <Tabs
              value={symbol}
              onChange={(_, value: string) => {
                setChosen(value);
              }}
              variant="scrollable"
              aria-label="Symbol"
            >
              {symbols.map((name) => (
                <Tab key={name} value={name} label={name} />
              ))}
            </Tabs>
            <SymbolChart session={session} symbol={symbol} timeframe={timeframe} fills={fills} />
          </>
        )}
        <EquitySection session={session} account={account} />
      </CardContent>
    </Card>
  );
}

function SymbolChart({
  session,
  symbol,
  timeframe,
  fills,
}: {
  session: SessionView;
  symbol: string;
  timeframe: string;
  fills: FillRow[];
}) {
  const start = new Date(Date.parse(session.simulation_start) - CONTEXT_DAYS * 86_400_000).toISOString();
  const bars = useBars(session.id, symbol, timeframe, start, session.current_time);
  const barList = bars.data;
  const candles = useMemo(() => candlesFrom(barList ?? []), [barList]);
  const markers = useMemo(
    () =>
      fillMarkers(
        fills,
        candles.map((candle) => candle.time),
        symbol,
      ),
    [fills, candles, symbol],
  );
  return (
    <Box sx={{ mt: 1 }}>
      {bars.isPending ? (
        loading
      ) : bars.isError ? (
        <ErrorAlert error={bars.error} onRetry={() => void bars.refetch()} />
      ) : candles.length === 0 ? (
        <Typography color="text.secondary">No {symbol} bars up to the session's time.</Typography>
      ) : (
        <Suspense fallback={loading}>
          <CandleChart symbol={symbol} candles={candles} markers={markers} intraday={!timeframe.endsWith("Day")} />
        </Suspense>
      )}
      <Typography variant="caption" color="text.secondary">
        {plural(markers.length, "marker")} for{" "}
        {plural(fills.filter((fill) => fill.symbol === symbol).length, `${symbol} fill`)} (one per bar; hover a
        marker for its fills).
      </Typography>
    </Box>
  );
}

function EquitySection({ session, account }: { session: SessionView; account: AccountOption | undefined }) {
  const span = Date.parse(session.current_time) - Date.parse(session.simulation_start);
  const timeframe = span >= 3 * 86_400_000 ? "1D" : "15Min";
  // The default account's curve is its portfolio history; an arm's, its daily equity in the arms report.
  const own = account === undefined ? undefined : account.equity;
  const history = usePortfolioHistory(session.id, session.simulation_start.slice(0, 10), timeframe, own === null);
  const arm = useMemo(() => (own === undefined || own === null ? null : armCurve(own)), [own]);
  const times = useMemo(() => arm?.times ?? history.data?.timestamp ?? [], [arm, history.data]);
  const equity = useMemo(() => arm?.equity ?? history.data?.equity ?? [], [arm, history.data]);
  return (
    <Box sx={{ mt: 3 }}>
      <Typography variant="subtitle1" component="h3">
        Equity and drawdown
      </Typography>
      {arm === null && (own === undefined || history.isPending) ? (
        loading
      ) : arm === null && history.isError ? (
        <ErrorAlert error={history.error} onRetry={() => void history.refetch()} />
      ) : times.length === 0 ? (
        <Typography color="text.secondary">
          No equity samples yet{session.type === "backtest" ? ": advance the clock" : ""}.
        </Typography>
      ) : (
        <Suspense fallback={loading}>
          <EquityChart times={times} equity={equity} />
        </Suspense>
      )}
    </Box>
  );
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}
