import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { axeViolations } from "../../test/axe";
import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { COMPARISON, summary } from "../history/testData";
import ComparePage from "./ComparePage";

// lightweight-charts draws on a canvas jsdom does not have: the chart is a labelled box here
// (the browser tests draw the real one).
vi.mock("../../components/OverlayChart", () => ({
  default: ({ label, lines }: { label: string; lines: { label: string }[] }) => (
    <div role="img" aria-label={label}>
      {lines.map((line) => line.label).join(" ")}
    </div>
  ),
}));

describe("ComparePage", { timeout: 30_000 }, () => {
  it("shows the sessions' metrics side by side with the best marked, and their returns by period and regime", async () => {
    const withMetrics = {
      ...COMPARISON,
      sessions: COMPARISON.sessions.map((session, index) => ({
        ...session,
        metrics: { ...BASE, sharpe: index === 0 ? "1.5" : "0.2", fees: index === 0 ? "3" : "1" },
      })),
    };
    const server = fakeServer({
      "GET /v1/compare": { body: withMetrics },
      "GET /v1/history": { body: { items: [summary({ session_id: "a", name: "fast" })], total: 1 } },
    });
    renderPage(<ComparePage />, { path: "/compare?sessions=a,b", route: "/compare" });
    const table = await screen.findByRole("table", { name: "Metrics side by side" });
    expect(within(table).getByRole("columnheader", { name: "fast" })).toBeInTheDocument();
    expect(within(table).getByRole("columnheader", { name: "slow" })).toBeInTheDocument();
    const sharpe = within(table).getByRole("rowheader", { name: "Sharpe ratio" }).closest("tr")!;
    expect(within(sharpe).getAllByRole("cell")[0]).toHaveTextContent("1.50★");
    expect(within(sharpe).getAllByRole("cell")[1]).toHaveTextContent(/^0\.20$/);
    const fees = within(table).getByRole("rowheader", { name: "Fees" }).closest("tr")!;
    expect(within(fees).getAllByRole("cell")[1]).toHaveTextContent("$1.00★"); // lower is better
    expect(within(screen.getByRole("table", { name: "Returns by month" })).getByRole("row", { name: /2012-01/ })).toHaveTextContent("0.50 %−1.00 %");
    expect(within(screen.getByRole("table", { name: "Returns by market regime" })).getByRole("row", { name: /up/ })).toHaveTextContent("2.00 %");
    expect(await screen.findByRole("img", { name: "Equity curves of fast, slow" })).toBeInTheDocument();
    expect(new URL(server.calls("GET /v1/compare")[0]!.url).searchParams.get("sessions")).toBe("a,b");
    expect(await axeViolations()).toEqual([]);
  });

  it("asks for two sessions before comparing", async () => {
    const server = fakeServer({ "GET /v1/history": { body: { items: [], total: 0 } } });
    renderPage(<ComparePage />, { path: "/compare?sessions=a", route: "/compare" });
    expect(await screen.findByText(/Pick two or more sessions/)).toBeInTheDocument();
    expect(server.calls("GET /v1/compare")).toHaveLength(0);
  });
});

const BASE = {
  start: "2012-01-03T05:00:00Z",
  end: "2012-01-13T05:00:00Z",
  initial_cash: "100000",
  final_equity: "100151.8246",
  total_return: "0.0015",
  cagr: null,
  max_drawdown: "-0.0002",
  max_drawdown_duration_seconds: "259200",
  volatility_annual: null,
  sharpe: null,
  sortino: null,
  trading_days_per_year: 252,
  num_trades: 1,
  num_open_trades: 0,
  win_rate: "1",
  profit_factor: null,
  avg_trade_pnl: "97.30",
  best_trade_return: null,
  worst_trade_return: null,
  fees: "1",
  exposure: null,
  risk_free_rate: "0",
  annualized_return: null,
  calmar: null,
  omega: null,
  recovery_seconds: null,
  var_95: null,
  var_99: null,
  es_95: null,
  es_99: null,
  expectancy: null,
  avg_win: null,
  avg_loss: null,
  largest_win: null,
  largest_loss: null,
  longest_win_streak: 0,
  longest_loss_streak: 0,
  trades_per_day: null,
  avg_holding_seconds: null,
  turnover: null,
  slippage_cost: "0",
  alpha: null,
  beta: null,
  benchmark_return: null,
  fill_ratio: null,
  avg_slippage_bps: null,
  avg_latency_seconds: null,
};
