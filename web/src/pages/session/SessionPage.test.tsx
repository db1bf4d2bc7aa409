import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { type Route, fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { riskView } from "../risk/testData";
import SessionPage from "./SessionPage";
import { ACCOUNT_ID, FILL, METRICS, POSITION, SESSION_ID, order, sessionView } from "./testData";

// lightweight-charts draws on a canvas jsdom does not have: the charts are
// stand-ins here (their data shaping is tested in chartData.test.ts) and the
// real ones are checked in a browser.
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

// The whole page renders in each test: give jsdom time.
configure({ asyncUtilTimeout: 10_000 });
vi.setConfig({ testTimeout: 30_000 });

const TRADING = `/v1/trading/accounts/${ACCOUNT_ID}`;

function routes(extra: Record<string, Route> = {}): Record<string, Route> {
  return {
    [`GET /v1/sessions/${SESSION_ID}`]: { body: sessionView() },
    [`GET ${TRADING}/positions`]: { body: [POSITION] },
    [`GET ${TRADING}/orders`]: (request) => ({
      body: new URL(request.url).searchParams.get("status") === "open" ? [order()] : [],
    }),
    [`GET ${TRADING}/fills`]: { body: [FILL] },
    [`GET /v1/sessions/${SESSION_ID}/metrics`]: { body: METRICS },
    [`GET /v1/sessions/${SESSION_ID}/risk`]: { body: riskView() },
    [`GET /sessions/${SESSION_ID}/v2/stocks/AAPL/bars`]: {
      body: {
        symbol: "AAPL",
        next_page_token: null,
        bars: [
          { t: "2012-01-03T05:00:00Z", o: 409.4, h: 412.5, l: 409, c: 411.23, v: 10793600, n: null, vw: null },
          { t: "2012-01-04T05:00:00Z", o: 410, h: 414.68, l: 409.28, c: 413.44, v: 9286500, n: null, vw: null },
        ],
      },
    },
    [`GET /sessions/${SESSION_ID}/v2/account/portfolio/history`]: {
      body: {
        timestamp: [1325566800, 1325653200],
        equity: [100016.8, 100038.9],
        profit_loss: [16.8, 38.9],
        profit_loss_pct: [0.000168, 0.000389],
        base_value: 100000,
        timeframe: "1D",
        cashflow: {},
      },
    },
    ...extra,
  };
}

function renderSession() {
  return renderPage(<SessionPage />, { path: `/sessions/${SESSION_ID}`, route: "/sessions/:sessionId" });
}

describe("SessionPage", () => {
  it("says it is loading while the session is on its way", async () => {
    fakeServer({ [`GET /v1/sessions/${SESSION_ID}`]: { delayMs: Infinity } });
    renderSession();
    expect(await screen.findByRole("status")).toHaveTextContent("Loading session");
  });

  it("shows the server's message for a session that does not exist", async () => {
    fakeServer({
      [`GET /v1/sessions/${SESSION_ID}`]: { status: 404, body: { code: 40410000, message: "session s-1 not found" } },
    });
    renderSession();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("session s-1 not found");
    expect(alert).toHaveTextContent("HTTP 404");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Session");
  });

  it("says what is empty in a new session", async () => {
    fakeServer(
      routes({
        [`GET ${TRADING}/positions`]: { body: [] },
        [`GET ${TRADING}/orders`]: { body: [] },
        [`GET ${TRADING}/fills`]: { body: [] },
      }),
    );
    renderSession();
    expect(await screen.findByText("No open positions.")).toBeInTheDocument();
    expect(await screen.findByText("No open orders.")).toBeInTheDocument();
    expect(await screen.findByText("No fills yet.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Close all positions" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Cancel all orders" })).toBeDisabled();
  });

  it("shows the session, its positions, orders, fills, charts and metrics", async () => {
    fakeServer(routes());
    renderSession();
    expect(await screen.findByRole("heading", { level: 1, name: "momentum-paper" })).toBeInTheDocument();
    expect(screen.getByText("2012-01-06 14:30Z")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: /Agent flow/ })).toHaveAttribute("href", `/sessions/${SESSION_ID}/agents`);
    const positions = await screen.findByRole("table", { name: "Positions" });
    expect(within(positions).getByText("$4,180.30")).toBeInTheDocument();
    expect(within(positions).getByText("+$85.80")).toBeInTheDocument();
    const orders = await screen.findByRole("table", { name: "Open orders" });
    expect(within(orders).getByText("$999.00")).toBeInTheDocument();
    const fills = await screen.findByRole("table", { name: "Fills" });
    expect(within(fills).getByText("market_at_arrival")).toBeInTheDocument();
    expect(within(fills).getByText("$409.4000")).toBeInTheDocument();
    expect(within(fills).getByText("0.0454")).toBeInTheDocument();
    expect(await screen.findByText("candles of AAPL: B 10")).toBeInTheDocument();
    expect(await screen.findByText("equity of 2 samples")).toBeInTheDocument();
    expect(await screen.findByRole("group", { name: "Sharpe ratio" })).toHaveTextContent("9.83");
    expect(screen.getByRole("group", { name: "Total return" })).toHaveTextContent("0.15 %");
    expect(screen.getByRole("group", { name: "Max drawdown" })).toHaveTextContent("−0.02 %");
    expect(screen.getByRole("group", { name: "Win rate" })).toHaveTextContent("100.00 % of 1 closed");
    expect(screen.getByRole("group", { name: "Average trade duration" })).toHaveTextContent("6d 0h");
    const log = screen.getByRole("table", { name: "Trade log" });
    expect(within(log).getByText("+$94.85")).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "Slippage" })).toHaveTextContent("1.11 bps");
    // One account: no choice of account, and the metrics say nothing of whose they are.
    expect(screen.queryByRole("combobox", { name: "Account" })).toBeNull();
    expect(screen.queryByText(/the chosen account's/)).toBeNull();
  });

  it("marks filled orders when the server has no fills route", async () => {
    fakeServer(
      routes({
        [`GET ${TRADING}/fills`]: { status: 404, body: { code: 40410000, message: "Not Found" } },
        [`GET ${TRADING}/orders`]: {
          body: [
            order({
              id: "o-0",
              side: "buy",
              type: "market",
              qty: "10",
              filled_qty: "10",
              filled_avg_price: "409.45",
              filled_at: "2012-01-03T14:30:00Z",
              status: "filled",
            }),
          ],
        },
      }),
    );
    renderSession();
    expect(await screen.findByText("candles of AAPL: B 10")).toBeInTheDocument();
    expect(screen.getByText(/one row per filled order/)).toBeInTheDocument();
  });

  it("advances the clock by a step, by minutes and to a time", async () => {
    const server = fakeServer(
      routes({
        [`POST /v1/sessions/${SESSION_ID}/time/advance`]: {
          body: { previousTime: "", currentTime: "", simulationEnd: "", isCompleted: false },
        },
      }),
    );
    renderSession();
    await userEvent.click(await screen.findByRole("button", { name: /advance 1 hour/i }));
    await userEvent.clear(screen.getByLabelText("Minutes"));
    await userEvent.type(screen.getByLabelText("Minutes"), "90");
    await userEvent.click(screen.getByRole("button", { name: "Advance" }));
    await userEvent.type(screen.getByLabelText("Advance to (UTC)"), "2012-01-10T15:00");
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    await waitFor(() => {
      expect(server.calls(`POST /v1/sessions/${SESSION_ID}/time/advance`)).toHaveLength(3);
    });
    const bodies = await Promise.all(
      server.calls(`POST /v1/sessions/${SESSION_ID}/time/advance`).map((request) => request.json()),
    );
    expect(bodies).toEqual([{ duration: 60 }, { duration: 90 }, { targetTime: "2012-01-10T15:00:00Z" }]);
  });

  it("shows why the clock did not move", async () => {
    fakeServer(
      routes({
        [`POST /v1/sessions/${SESSION_ID}/time/play`]: {
          status: 409,
          body: { code: 40910000, message: "session s-1 is completed" },
        },
      }),
    );
    renderSession();
    await userEvent.click(await screen.findByRole("button", { name: "Play" }));
    expect(await screen.findByText("session s-1 is completed")).toBeInTheDocument();
  });

  it("cancels an order and shows the server's refusal", async () => {
    const server = fakeServer(
      routes({
        [`DELETE ${TRADING}/orders/o-1`]: { status: 422, body: { code: 42210000, message: "order is not cancelable" } },
      }),
    );
    renderSession();
    await userEvent.click(await screen.findByRole("button", { name: "Cancel sell 4 AAPL" }));
    expect(await screen.findByText("order is not cancelable")).toBeInTheDocument();
    const [request] = server.calls(`DELETE ${TRADING}/orders/o-1`);
    expect(request?.headers.get("X-Session-Id")).toBe(SESSION_ID);
  });

  it("replaces an order with the changed fields and shows a refusal in the dialog", async () => {
    let answer: { status: number; body: unknown } = {
      status: 422,
      body: { code: 42210000, message: "limit_price must be positive" },
    };
    const server = fakeServer(routes({ [`PATCH ${TRADING}/orders/o-1`]: () => answer }));
    renderSession();
    await userEvent.click(await screen.findByRole("button", { name: "Replace sell 4 AAPL" }));
    const dialog = await screen.findByRole("dialog");
    const limit = within(dialog).getByLabelText("Limit price");
    await userEvent.clear(limit);
    await userEvent.type(limit, "-5");
    await userEvent.click(within(dialog).getByRole("button", { name: "Replace order" }));
    expect(await within(dialog).findByText("limit_price must be positive")).toBeInTheDocument();
    answer = { status: 200, body: order({ id: "o-2", limit_price: "420.0000" }) };
    await userEvent.clear(limit);
    await userEvent.type(limit, "420");
    await userEvent.clear(within(dialog).getByLabelText("Quantity"));
    await userEvent.type(within(dialog).getByLabelText("Quantity"), "3");
    await userEvent.click(within(dialog).getByRole("button", { name: "Replace order" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    const bodies = await Promise.all(server.calls(`PATCH ${TRADING}/orders/o-1`).map((request) => request.json()));
    expect(bodies).toEqual([{ limit_price: "-5" }, { qty: "3", limit_price: "420" }]);
  });

  it("submits an order and shows a 403's message", async () => {
    const server = fakeServer(
      routes({
        [`POST ${TRADING}/orders`]: {
          status: 403,
          body: { code: 40310000, message: "insufficient buying power" },
        },
      }),
    );
    renderSession();
    const form = await screen.findByRole("form", { name: "Submit order" });
    await userEvent.click(within(form).getByRole("button", { name: "Sell" }));
    await userEvent.clear(within(form).getByLabelText("Quantity"));
    await userEvent.type(within(form).getByLabelText("Quantity"), "1000");
    await userEvent.click(within(form).getByRole("combobox", { name: "Type" }));
    await userEvent.click(await screen.findByRole("option", { name: "Limit" }));
    await userEvent.type(within(form).getByLabelText("Limit price"), "400.5");
    await userEvent.click(within(form).getByRole("button", { name: "Submit order" }));
    expect(await screen.findByText("insufficient buying power")).toBeInTheDocument();
    const [request] = server.calls(`POST ${TRADING}/orders`);
    expect(await request?.json()).toEqual({
      symbol: "AAPL",
      side: "sell",
      qty: "1000",
      type: "limit",
      limit_price: "400.5",
      time_in_force: "day",
      order_class: "simple",
      extended_hours: false,
    });
  });

  it("asks before closing every position, naming how many, and says what was done", async () => {
    const server = fakeServer(
      routes({
        [`POST /v1/sessions/${SESSION_ID}/emergency`]: {
          body: { session_id: SESSION_ID, action: "close_all", canceled: [], submitted: ["o-7"], message: "" },
        },
      }),
    );
    renderSession();
    await screen.findByRole("table", { name: "Positions" });
    await userEvent.click(screen.getByRole("button", { name: "Close all positions" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("Close 1 position in 'momentum-paper' with market orders as the clock moves?");
    await userEvent.click(within(dialog).getByRole("button", { name: "Close all positions" }));
    expect(await screen.findByText("Close all positions: 0 orders canceled, 1 order submitted.")).toBeInTheDocument();
    expect(await server.calls(`POST /v1/sessions/${SESSION_ID}/emergency`)[0]?.json()).toEqual({
      action: "close_all",
      reason: "",
    });
  });
});
