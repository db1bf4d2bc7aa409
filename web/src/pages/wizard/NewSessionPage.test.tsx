import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeServer, type Route } from "../../test/fetch";
import { renderPage } from "../../test/render";
import assets from "./fixtures/assets.json";
import presets from "./fixtures/presets.json";
import strategies from "./fixtures/strategies.json";
import NewSessionPage from "./NewSessionPage";
import { emptyState, type WizardState } from "./wizardState";

const broken = {
  name: "broken_plugin",
  origin: "acme-strategies",
  description: "",
  uses_sentiment: null,
  params_schema: null,
  error: "ModuleNotFoundError: No module named 'acme' (acme_strategies/__init__.py, line 3)",
};

function server(overrides: Record<string, Route> = {}) {
  return fakeServer({
    "GET /v1/strategies": { body: [...strategies, broken] },
    "GET /v1/assets": { body: assets },
    "GET /v1/execution/presets": { body: presets },
    ...overrides,
  });
}

/** Open the wizard at `step` (1-based) with `state` saved for the tab, as after a reload. */
function open(step = 1, state: Partial<WizardState> = {}) {
  sessionStorage.setItem("paperbroker.newSession", JSON.stringify({ ...emptyState(), ...state }));
  return renderPage(<NewSessionPage />, { path: `/sessions/new?step=${String(step)}`, route: "/sessions/new" });
}

const atStrategy: Partial<WizardState> = { kind: "backtest" };
const atTrading: Partial<WizardState> = { kind: "backtest", strategy: "mean_reversion" };

describe("NewSessionPage: the type step", { timeout: 30_000 }, () => {
  it("asks for a type before going on, and offers live trading at a broker", async () => {
    server();
    open();
    expect(screen.getByRole("heading", { level: 1, name: "New session" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /^Live \(broker\)/ })).toHaveTextContent("Real money on Alpaca's live endpoint");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(screen.getByRole("alert")).toHaveTextContent("Pick a type of session");
    await userEvent.click(screen.getByRole("button", { name: /^Paper/ }));
    expect(screen.getByRole("button", { name: /^Paper/ })).toHaveAttribute("aria-pressed", "true");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("list", { name: "Strategies" })).toBeInTheDocument();
  });
});

describe("NewSessionPage: the strategy step", { timeout: 30_000 }, () => {
  it("shows that the strategies are loading", () => {
    server({ "GET /v1/strategies": { delayMs: Infinity } });
    open(2, atStrategy);
    expect(screen.getByRole("status")).toHaveTextContent("Loading the strategies");
  });

  it("shows the server's message when the strategies do not load", async () => {
    server({ "GET /v1/strategies": { status: 403, body: { code: 40310000, message: "a session key creates nothing" } } });
    open(2, atStrategy);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The strategies could not be loaded");
    expect(alert).toHaveTextContent("a session key creates nothing");
  });

  it("says so when the server offers none", async () => {
    server({ "GET /v1/strategies": { body: [] } });
    open(2, atStrategy);
    expect(await screen.findByText(/The server offers no strategies/)).toBeInTheDocument();
  });

  it("lists them with descriptions, a broken one disabled with its error, and draws the chosen one's form", async () => {
    server();
    open(2, atStrategy);
    const list = await screen.findByRole("list", { name: "Strategies" });
    expect(within(list).getByText("Mean reversion, long only, in one of two modes.")).toBeInTheDocument();
    expect(within(list).getByRole("button", { name: /^broken_plugin/ })).toHaveAttribute("aria-disabled", "true");
    expect(within(list).getByText(/No module named 'acme'/)).toBeInTheDocument();
    await userEvent.click(within(list).getByRole("button", { name: /^sentiment_momentum/ }));
    const form = screen.getByRole("region", { name: "Parameters of sentiment_momentum" });
    expect(within(form).getByRole("switch", { name: "Require Sentiment" })).toBeChecked();
    await userEvent.click(within(list).getByRole("button", { name: /^mean_reversion/ }));
    const window = screen.getByLabelText("Window");
    expect(window).toHaveValue("20");
    await userEvent.clear(window);
    await userEvent.type(window, "1");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(screen.getByText("Must be at least 2")).toBeInTheDocument(); // the schema's minimum
    expect(screen.getByRole("list", { name: "Strategies" })).toBeInTheDocument(); // still on this step
  });
});

describe("NewSessionPage: the trading step", { timeout: 30_000 }, () => {
  it("shows that the symbols are loading", () => {
    server({ "GET /v1/assets": { delayMs: Infinity } });
    open(3, atTrading);
    expect(screen.getByRole("status")).toHaveTextContent("Loading the symbols");
  });

  it("shows the server's message when the symbols do not load", async () => {
    server({ "GET /v1/assets": { status: 500, body: { code: 50010000, message: "internal server error" } } });
    open(3, atTrading);
    expect(await screen.findByRole("alert")).toHaveTextContent("internal server error");
  });

  it("says so when the server has no data", async () => {
    server({ "GET /v1/assets": { body: [] } });
    open(3, atTrading);
    expect(await screen.findByText(/The server has no market data/)).toBeInTheDocument();
  });

  it("offers each symbol with its data range and defaults the period to the last year of it", async () => {
    server();
    open(3, atTrading);
    await userEvent.type(await screen.findByLabelText(/Symbols/), "FB");
    const option = await screen.findByRole("option", { name: /FB/ });
    expect(option).toHaveTextContent("2012-05-18 – 2013-03-01");
    await userEvent.click(option);
    expect(screen.getByLabelText(/Start \(UTC\)/)).toHaveValue("2012-05-18");
    expect(screen.getByLabelText(/End \(UTC/)).toHaveValue("2013-03-01");
    expect(screen.getByText("Data for all the symbols picked: 2012-05-18 – 2013-03-01.")).toBeInTheDocument();
    expect(screen.getByText(/half_spread \(spread_bps 2\) \+ sqrt_impact/)).toBeInTheDocument(); // the default preset
  });
});

describe("NewSessionPage: creating", { timeout: 30_000 }, () => {
  it("creates a backtest with exactly the body the choices make, then opens it", async () => {
    const fake = server({ "POST /v1/sessions": { status: 201, body: { id: "s-123" } } });
    open();
    await userEvent.click(screen.getByRole("button", { name: /^Backtest/ }));
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await userEvent.click(await screen.findByRole("button", { name: /^mean_reversion/ }));
    await userEvent.clear(screen.getByLabelText("Window"));
    await userEvent.type(screen.getByLabelText("Window"), "30");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await userEvent.type(await screen.findByLabelText(/Symbols/), "AAPL");
    await userEvent.click(await screen.findByRole("option", { name: /AAPL/ }));
    await userEvent.clear(screen.getByLabelText(/Initial balance/));
    await userEvent.type(screen.getByLabelText(/Initial balance/), "25000.50");
    await userEvent.click(screen.getByRole("switch", { name: /Replace the preset/ }));
    await userEvent.click(screen.getByRole("combobox", { name: "Slippage" }));
    await userEvent.click(screen.getByRole("option", { name: "fixed, in basis points" }));
    await userEvent.type(screen.getByLabelText(/Slippage \(bps\)/), "5");
    await userEvent.click(screen.getByRole("combobox", { name: "Fees" }));
    await userEvent.click(screen.getByRole("option", { name: "per share" }));
    await userEvent.type(screen.getByLabelText(/Fee per share/), "0.005");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(screen.getByRole("region", { name: "Risk" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    const review = screen.getByRole("table", { name: "Review" });
    expect(review).toHaveTextContent("window = 30");
    expect(review).toHaveTextContent("$25,000.50");
    expect(review).toHaveTextContent(
      "equities_realistic (default); slippage fixed_bps (bps 5); fees per_share (per_share 0.005)",
    );
    await userEvent.click(screen.getByRole("button", { name: "Create backtest" }));
    expect(await screen.findByText("elsewhere", {}, { timeout: 5000 })).toBeInTheDocument();
    const request = fake.calls("POST /v1/sessions")[0];
    expect(await request?.json()).toEqual({
      name: "mean_reversion-AAPL",
      startTime: "2012-03-01T00:00:00Z",
      endTime: "2013-03-01T23:59:59Z",
      initialCash: "25000.50",
      execution: {
        slippage: { model: "fixed_bps", bps: "5" },
        fees: { model: "per_share", per_share: "0.005" },
      },
      strategy: { name: "mean_reversion", params: { window: 30 }, symbols: ["AAPL"] },
      mode: "ab",
      allocation: "fixed",
    });
    expect(sessionStorage.getItem("paperbroker.newSession")).toBeNull();
  });

  it("creates a paper session on the feed chosen", async () => {
    const fake = server({ "POST /api/paper-trading/sessions": { status: 201, body: { id: "p-1" } } });
    open(3, { kind: "paper", strategy: "sentiment_momentum", symbols: ["MSFT", "IBM"], name: "walk", nameEdited: true });
    await userEvent.click(await screen.findByRole("combobox", { name: "Feed" }));
    await userEvent.click(screen.getByRole("option", { name: /Synthetic/ }));
    await userEvent.clear(screen.getByLabelText(/Seed/));
    await userEvent.type(screen.getByLabelText(/Seed/), "7");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await userEvent.click(screen.getByRole("button", { name: "Create paper session" }));
    expect(await screen.findByText("elsewhere", {}, { timeout: 5000 })).toBeInTheDocument();
    expect(await fake.calls("POST /api/paper-trading/sessions")[0]?.json()).toEqual({
      name: "walk",
      symbols: ["MSFT", "IBM"],
      strategy: { name: "sentiment_momentum", params: {} },
      initial_cash: "100000",
      feed: { type: "synthetic", seed: 7, interval_seconds: 1 },
      mode: "ab",
      allocation: "fixed",
    });
  });

  it("puts a refused parameter back on its field, on the strategy step", async () => {
    const message = "parameter 'num_std': Input should be greater than 0";
    server({
      "POST /v1/sessions": { status: 422, body: { code: 42210000, message, field: "strategy.params.num_std" } },
    });
    open(5, { ...atTrading, symbols: ["AAPL"], start: "2012-01-03", end: "2012-06-29", params: {} });
    await userEvent.click(await screen.findByRole("button", { name: "Create backtest" }));
    const field = await screen.findByLabelText("Num Std", {}, { timeout: 5000 });
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(screen.getAllByText(message).length).toBeGreaterThanOrEqual(1);
    expect(screen.getByRole("region", { name: "Strategy" })).toBeInTheDocument();
    await userEvent.type(field, "5"); // an edit clears the server's complaint about that field
    await waitFor(() => {
      expect(field).toHaveAttribute("aria-invalid", "false");
    });
  });

  it("puts a refused field named only in the message on its field", async () => {
    server({
      "POST /v1/sessions": {
        status: 422,
        body: { code: 42210000, message: "endTime must be after startTime" },
      },
    });
    open(5, { ...atTrading, symbols: ["AAPL"], start: "2012-01-03", end: "2012-01-03" });
    await userEvent.click(await screen.findByRole("button", { name: "Create backtest" }));
    expect(await screen.findByLabelText(/End \(UTC/, {}, { timeout: 5000 })).toHaveAttribute("aria-invalid", "true");
  });

  it("shows a message that names no field, or another error, at the top", async () => {
    server({ "POST /v1/sessions": { status: 409, body: { code: 40910000, message: "the server is shutting down" } } });
    open(5, { ...atTrading, symbols: ["AAPL"], start: "2012-01-03", end: "2012-06-29" });
    await userEvent.click(await screen.findByRole("button", { name: "Create backtest" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("the server is shutting down");
    expect(screen.getByRole("table", { name: "Review" })).toBeInTheDocument();
  });

  it("goes back to a step done from the stepper, keeping what was chosen", async () => {
    server();
    open(3, { ...atTrading, symbols: ["AAPL"], start: "2012-01-03", end: "2012-06-29" });
    await userEvent.click(await screen.findByRole("tab", { name: /Type/ }));
    expect(screen.getByRole("button", { name: /^Backtest/ })).toHaveAttribute("aria-pressed", "true");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("combobox", { name: /Symbols/ })).toBeInTheDocument();
    expect(screen.getByLabelText(/Start \(UTC\)/)).toHaveValue("2012-01-03");
  });

  it("keeps the step of the address only as far as the choices go", async () => {
    server();
    open(4, { kind: "backtest" }); // no strategy yet: the strategy step
    expect(await screen.findByRole("list", { name: "Strategies" })).toBeInTheDocument();
  });
});
