import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { axeViolations } from "../../test/axe";
import { type FakeServer, type Route, fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { riskView } from "../risk/testData";
import type { Arms } from "./analyticsTypes";
import SessionPage from "./SessionPage";
import { ACCOUNT_ID, FILL, METRICS, METRIC_VALUES, SESSION_ID, sessionView } from "./testData";

// The charts are stand-ins, as in SessionPage.test.tsx.
vi.mock("./CandleChart", () => ({
  default: ({ symbol, markers }: { symbol: string; markers: { text: string }[] }) => (
    <div>
      candles of {symbol}: {markers.map((marker) => marker.text).join(", ")}
    </div>
  ),
}));
vi.mock("./EquityChart", () => ({
  default: ({ equity }: { equity: number[] }) => <div>equity of {equity.length} samples</div>,
}));

configure({ asyncUtilTimeout: 10_000 });
vi.setConfig({ testTimeout: 30_000 });

const ARM_A = "acc-a";
const ARM_B = "acc-b";

const ARMS: Arms = {
  mode: "ab",
  arms: [
    {
      label: "a",
      strategy: "sma_crossover",
      params: { fast: 3 },
      account_id: ARM_A,
      weight: "0.5",
      metrics: null,
      equity: [
        { t: "2012-01-03T05:00:00Z", v: "50000" },
        { t: "2012-01-04T05:00:00Z", v: "50010.5" },
        { t: "2012-01-05T05:00:00Z", v: "50020.25" },
      ],
    },
    {
      label: "b",
      strategy: "buy_and_hold",
      params: {},
      account_id: ARM_B,
      weight: "0.5",
      metrics: null,
      equity: [{ t: "2012-01-03T05:00:00Z", v: "50000" }],
    },
  ],
  comparisons: [],
};

/** Each account's fills: the default account holds nothing, arm a bought 10, arm b sold 5. */
const FILLS: Record<string, unknown[]> = {
  [ACCOUNT_ID]: [],
  [ARM_A]: [{ ...FILL, id: "f-a", account_id: ARM_A }],
  [ARM_B]: [{ ...FILL, id: "f-b", account_id: ARM_B, side: "sell", qty: "5", rule: "limit_through" }],
};

/** Each account's Sharpe ratio, to tell whose metrics are shown. */
const SHARPE: Record<string, string> = { [ACCOUNT_ID]: "0", [ARM_A]: "1.5", [ARM_B]: "-0.5" };

function routes(arms: Route = { body: ARMS }): Record<string, Route> {
  const perAccount: Record<string, Route> = {};
  for (const account of [ACCOUNT_ID, ARM_A, ARM_B]) {
    const trading = `/v1/trading/accounts/${account}`;
    perAccount[`GET ${trading}/positions`] = { body: [] };
    perAccount[`GET ${trading}/orders`] = { body: [] };
    perAccount[`GET ${trading}/fills`] = { body: FILLS[account] };
  }
  return {
    [`GET /v1/sessions/${SESSION_ID}`]: { body: sessionView({ strategy: null }) },
    [`GET /v1/sessions/${SESSION_ID}/arms`]: arms,
    [`GET /v1/sessions/${SESSION_ID}/attribution`]: { body: { items: [] } },
    [`GET /v1/sessions/${SESSION_ID}/risk`]: { body: riskView() },
    [`GET /v1/sessions/${SESSION_ID}/metrics`]: (request) => {
      const account = new URL(request.url).searchParams.get("accountId") ?? ACCOUNT_ID;
      return {
        body: { ...METRICS, account_id: account, metrics: { ...METRIC_VALUES, sharpe: SHARPE[account] ?? null } },
      };
    },
    [`GET /sessions/${SESSION_ID}/v2/stocks/AAPL/bars`]: {
      body: {
        symbol: "AAPL",
        next_page_token: null,
        bars: [{ t: "2012-01-03T05:00:00Z", o: 409.4, h: 412.5, l: 409, c: 411.23, v: 10793600, n: null, vw: null }],
      },
    },
    [`GET /sessions/${SESSION_ID}/v2/account/portfolio/history`]: {
      body: {
        timestamp: [1325566800, 1325653200],
        equity: [0, 0],
        profit_loss: [0, 0],
        profit_loss_pct: [0, 0],
        base_value: 0,
        timeframe: "1D",
        cashflow: {},
      },
    },
    ...perAccount,
  };
}

function renderSession() {
  return renderPage(<SessionPage />, { path: `/sessions/${SESSION_ID}`, route: "/sessions/:sessionId" });
}

function metricsAccounts(server: FakeServer): (string | null)[] {
  return server
    .calls(`GET /v1/sessions/${SESSION_ID}/metrics`)
    .map((request) => new URL(request.url).searchParams.get("accountId"));
}

async function choose(name: string) {
  await userEvent.click(screen.getByRole("combobox", { name: "Account" }));
  await userEvent.click(await screen.findByRole("option", { name }));
}

describe("SessionPage of an A/B test", () => {
  it("shows the first arm's account first, and reads nothing of the empty default account", async () => {
    const server = fakeServer(routes());
    renderSession();
    const select = await screen.findByRole("combobox", { name: "Account" });
    expect(select).toHaveTextContent("a (sma_crossover)");
    const fills = await screen.findByRole("table", { name: "Fills" });
    expect(within(fills).getByText("market_at_arrival")).toBeInTheDocument();
    expect(await screen.findByText("candles of AAPL: B 10")).toBeInTheDocument();
    expect(await screen.findByText("equity of 3 samples")).toBeInTheDocument();
    expect(await screen.findByRole("group", { name: "Sharpe ratio" })).toHaveTextContent("1.50");
    expect(screen.getByText(/the chosen account's: a \(sma_crossover\)/)).toBeInTheDocument();
    expect(metricsAccounts(server)).toEqual([ARM_A]);
    expect(server.calls(`GET /v1/trading/accounts/${ACCOUNT_ID}/fills`)).toEqual([]);
    expect(server.calls(`GET /v1/trading/accounts/${ACCOUNT_ID}/positions`)).toEqual([]);
    expect(server.calls(`GET /sessions/${SESSION_ID}/v2/account/portfolio/history`)).toEqual([]);
    // The emergency actions act on every account, not on the one shown: not counted from it.
    expect(screen.getByRole("button", { name: "Close all positions" })).toBeEnabled();
    expect(await axeViolations()).toEqual([]);
  });

  it("lists every account, and the panels follow the one chosen", async () => {
    const server = fakeServer(routes());
    renderSession();
    await screen.findByText("candles of AAPL: B 10");
    await userEvent.click(screen.getByRole("combobox", { name: "Account" }));
    const options = await screen.findAllByRole("option");
    expect(options.map((option) => option.textContent)).toEqual(["default", "a (sma_crossover)", "b (buy_and_hold)"]);
    await userEvent.click(screen.getByRole("option", { name: "b (buy_and_hold)" }));

    expect(await screen.findByText("candles of AAPL: S 5")).toBeInTheDocument();
    const fills = await screen.findByRole("table", { name: "Fills" });
    expect(within(fills).getByText("limit_through")).toBeInTheDocument();
    expect(within(fills).queryByText("market_at_arrival")).toBeNull();
    expect(await screen.findByText("equity of 1 samples")).toBeInTheDocument();
    await waitFor(() => {
      expect(screen.getByRole("group", { name: "Sharpe ratio" })).toHaveTextContent("−0.50");
    });
    expect(metricsAccounts(server)).toEqual([ARM_A, ARM_B]);
    expect(server.calls(`GET /v1/trading/accounts/${ARM_B}/orders`).length).toBeGreaterThan(0);

    // The order form sends to the chosen account.
    const form = screen.getByRole("form", { name: "Submit order" });
    await userEvent.clear(within(form).getByLabelText("Quantity"));
    await userEvent.type(within(form).getByLabelText("Quantity"), "3");
    await userEvent.click(within(form).getByRole("button", { name: "Submit order" }));
    await waitFor(() => {
      expect(server.calls(`POST /v1/trading/accounts/${ARM_B}/orders`)).toHaveLength(1);
    });

    await choose("default");
    expect(await screen.findByText("No fills yet.")).toBeInTheDocument();
    expect(await screen.findByText("equity of 2 samples")).toBeInTheDocument();
    expect(screen.getByText(/the chosen account's: default/)).toBeInTheDocument();
  });

  it("shows no choice on a session of one account, and falls back to it if the arms cannot be read", async () => {
    fakeServer(routes({ status: 500, body: { code: 50000000, message: "boom" } }));
    renderSession();
    expect(await screen.findByText("No fills yet.")).toBeInTheDocument();
    expect(screen.queryByRole("combobox", { name: "Account" })).toBeNull();
  });
});
