import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { fakeServer, type Route } from "../../test/fetch";
import { renderPage } from "../../test/render";
import assets from "./fixtures/assets.json";
import presets from "./fixtures/presets.json";
import strategies from "./fixtures/strategies.json";
import NewSessionPage from "./NewSessionPage";
import { emptyState, type WizardState } from "./wizardState";

function server(overrides: Record<string, Route> = {}) {
  return fakeServer({
    "GET /v1/strategies": { body: strategies },
    "GET /v1/assets": { body: assets },
    "GET /v1/execution/presets": { body: presets },
    ...overrides,
  });
}

const ready: Partial<WizardState> = {
  kind: "backtest",
  strategy: "mean_reversion",
  symbols: ["AAPL"],
  start: "2012-01-03",
  end: "2012-06-29",
};

function open(step: number) {
  sessionStorage.setItem("paperbroker.newSession", JSON.stringify({ ...emptyState(), ...ready }));
  return renderPage(<NewSessionPage />, { path: `/sessions/new?step=${String(step)}`, route: "/sessions/new" });
}

describe("NewSessionPage: the risk step", { timeout: 30_000 }, () => {
  it("sends the rules chosen as the request's risk, and lists them on the review", async () => {
    const fake = server({ "POST /v1/sessions": { status: 201, body: { id: "s-9" } } });
    open(4);
    const step = await screen.findByRole("region", { name: "Risk" });
    expect(within(step).getByRole("group", { name: "Limits" })).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Max position (qty)"), "100");
    await userEvent.type(screen.getByLabelText("Max orders per minute"), "30");
    await userEvent.type(screen.getByLabelText("Stop loss (%)"), "5");
    await userEvent.type(screen.getByLabelText("Daily loss ($)"), "2000");
    await userEvent.click(screen.getByRole("switch", { name: "Allow short positions" }));
    await userEvent.type(screen.getByLabelText("Disabled symbols"), "tsla{Enter}");
    await userEvent.click(screen.getByRole("button", { name: "Add a blackout" }));
    await userEvent.type(screen.getByLabelText("Blackout 1 start (UTC)"), "2012-02-01T13:00");
    await userEvent.type(screen.getByLabelText("Blackout 1 end (UTC)"), "2012-02-01T15:30");
    await userEvent.type(screen.getByLabelText("Blackout 1 reason"), "FOMC");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));

    const rules = within(screen.getByRole("table", { name: "Review" })).getByRole("list", { name: "Risk rules" });
    expect(within(rules).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "Max position (qty) 100",
      "Max orders per minute 30",
      "Stop loss (%) 5",
      "Daily loss ($) 2000",
      "Disabled symbols: TSLA",
      "Allow short positions: off",
      "Blackouts: 2012-02-01T13:00:00Z – 2012-02-01T15:30:00Z (FOMC)",
    ]);
    await userEvent.click(screen.getByRole("button", { name: "Create backtest" }));
    expect(await screen.findByText("elsewhere", {}, { timeout: 5000 })).toBeInTheDocument();
    const body = (await fake.calls("POST /v1/sessions")[0]?.json()) as { risk: unknown };
    expect(body.risk).toEqual({
      limits: { max_position_qty: "100", max_orders_per_minute: 30 },
      safeguards: { stop_loss_pct: "5" },
      breakers: { daily_loss: "2000" },
      hours: { blackouts: [{ start: "2012-02-01T13:00:00Z", end: "2012-02-01T15:30:00Z", reason: "FOMC" }] },
      symbols: { disabled: ["TSLA"], allow_short: false },
    });
  });

  it("sends allowed symbols, sector caps and scaling as set, scaling's settings only while it is on", async () => {
    const fake = server({ "POST /v1/sessions": { status: 201, body: { id: "s-9" } } });
    open(4);
    await screen.findByRole("region", { name: "Risk" });
    await userEvent.type(screen.getByLabelText("Allowed symbols"), "aapl{Enter}msft{Enter}");
    await userEvent.click(screen.getByRole("button", { name: "Add a sector cap" }));
    await userEvent.type(screen.getByLabelText("Sector cap 1 sector"), "Energy");
    await userEvent.type(screen.getByLabelText("Sector cap 1 (% of equity)"), "5");
    await userEvent.click(screen.getByRole("button", { name: "Add a sector cap" }));
    await userEvent.click(screen.getByRole("button", { name: "Remove sector cap 2" }));
    expect(screen.queryByLabelText("Step")).toBeNull(); // scaling off: its settings hidden
    await userEvent.click(screen.getByRole("switch", { name: "Scale order quantities" }));
    const step = screen.getByLabelText("Step");
    expect(step).toHaveValue("0.25");
    expect(screen.getByLabelText("Initial multiplier")).toHaveValue("1");
    expect(screen.getByLabelText("Maximum multiplier")).toHaveValue("2");
    expect(screen.getByLabelText("Window (trading days)")).toHaveValue("5");
    expect(screen.getByLabelText("Min Sharpe to step up")).toHaveValue("1");
    expect(screen.getByLabelText("Window drawdown (%)")).toHaveValue("5");
    await userEvent.clear(step);
    await userEvent.type(step, "0.5");
    await userEvent.clear(screen.getByLabelText("Maximum multiplier"));
    await userEvent.type(screen.getByLabelText("Maximum multiplier"), "3");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));

    const rules = within(screen.getByRole("table", { name: "Review" })).getByRole("list", { name: "Risk rules" });
    expect(within(rules).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "Allowed symbols: AAPL, MSFT",
      "Scale order quantities: on",
      "Step 0.5",
      "Maximum multiplier 3",
      "Max sector exposure (% of equity): Energy 5",
    ]);
    await userEvent.click(screen.getByRole("button", { name: "Create backtest" }));
    expect(await screen.findByText("elsewhere", {}, { timeout: 5000 })).toBeInTheDocument();
    const body = (await fake.calls("POST /v1/sessions")[0]?.json()) as { risk: unknown };
    expect(body.risk).toEqual({
      limits: { sector_max_pct: { Energy: "5" } },
      symbols: { enabled: ["AAPL", "MSFT"] },
      scaling: { enabled: true, step: "0.5", maximum: "3" },
    });
  });

  it("keeps the step while a sector cap or the scaling bounds do not hold", async () => {
    server();
    open(4);
    await userEvent.click(await screen.findByRole("button", { name: "Add a sector cap" }));
    await userEvent.type(screen.getByLabelText("Sector cap 1 sector"), "Energy");
    await userEvent.type(screen.getByLabelText("Sector cap 1 (% of equity)"), "150");
    await userEvent.click(screen.getByRole("switch", { name: "Scale order quantities" }));
    await userEvent.clear(screen.getByLabelText("Initial multiplier"));
    await userEvent.type(screen.getByLabelText("Initial multiplier"), "0.1");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(screen.getByLabelText("Sector cap 1 (% of equity)")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("A percentage above 0, at most 100")).toBeInTheDocument();
    expect(screen.getByLabelText("Initial multiplier")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("Between the minimum and the maximum")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Risk" })).toBeInTheDocument();
  });

  it.each([
    ["risk.scaling.step: Input should be greater than 0", "Step"],
    ["risk.limits.sector_max_pct.Energy: Input should be less than or equal to 100", null],
  ])("puts the server's refusal %s on its field", async (message, label) => {
    server({ "POST /v1/sessions": { status: 422, body: { code: 42210000, message } } });
    const risk = emptyState().risk;
    sessionStorage.setItem(
      "paperbroker.newSession",
      JSON.stringify({
        ...emptyState(),
        ...ready,
        risk: {
          ...risk,
          values: { ...risk.values, "scaling.enabled": true, "scaling.step": "0.0000000001" },
          sectors: [{ sector: "Energy", pct: "100" }],
        },
      }),
    );
    renderPage(<NewSessionPage />, { path: "/sessions/new?step=5", route: "/sessions/new" });
    await userEvent.click(await screen.findByRole("button", { name: "Create backtest" }));
    await screen.findByRole("region", { name: "Risk" }, { timeout: 5000 });
    if (label === null) {
      // The sectors are one setting: the refusal shows under their rows, and goes once they change.
      expect(screen.getByText(message)).toHaveAttribute("role", "alert");
      await userEvent.clear(screen.getByLabelText("Sector cap 1 (% of equity)"));
      expect(screen.queryByText(message)).toBeNull();
    } else {
      expect(screen.getByLabelText(label)).toHaveAttribute("aria-invalid", "true");
      expect(screen.getByText(message)).toBeInTheDocument();
    }
  });

  it("sends no risk when no rule is set, and says so on the review", async () => {
    const fake = server({ "POST /v1/sessions": { status: 201, body: { id: "s-9" } } });
    open(4);
    await userEvent.click(await screen.findByRole("button", { name: "Next" }));
    const review = screen.getByRole("table", { name: "Review" });
    expect(within(review).getByRole("row", { name: /Risk/ })).toHaveTextContent("no rules");
    await userEvent.click(screen.getByRole("button", { name: "Create backtest" }));
    expect(await screen.findByText("elsewhere", {}, { timeout: 5000 })).toBeInTheDocument();
    expect(await fake.calls("POST /v1/sessions")[0]?.json()).not.toHaveProperty("risk");
  });

  it("keeps the step while a rule is out of the schema's bounds", async () => {
    server();
    open(4);
    await userEvent.type(await screen.findByLabelText("Stop loss (%)"), "150");
    await userEvent.type(screen.getByLabelText("Max open orders"), "2.5");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(screen.getByLabelText("Stop loss (%)")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("Must be at most 100")).toBeInTheDocument();
    expect(screen.getByText("A whole number, at least 1")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Risk" })).toBeInTheDocument();
  });

  it("puts the server's refusal of a rule back on its field", async () => {
    const message = "risk.limits.max_order_qty: Input should be greater than 0";
    server({ "POST /v1/sessions": { status: 422, body: { code: 42210000, message } } });
    sessionStorage.setItem(
      "paperbroker.newSession",
      JSON.stringify({
        ...emptyState(),
        ...ready,
        risk: { values: { ...emptyState().risk.values, "limits.max_order_qty": "0.0000000001" }, blackouts: [] },
      }),
    );
    renderPage(<NewSessionPage />, { path: "/sessions/new?step=5", route: "/sessions/new" });
    await userEvent.click(await screen.findByRole("button", { name: "Create backtest" }));
    const field = await screen.findByLabelText("Max order (qty)", {}, { timeout: 5000 });
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText(message)).toBeInTheDocument();
    await userEvent.clear(field);
    expect(field).toHaveAttribute("aria-invalid", "false");
  });

  it("is accessible", async () => {
    server();
    open(4);
    await screen.findByRole("region", { name: "Risk" });
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(screen.getByRole("switch", { name: "Scale order quantities" }));
    await userEvent.click(screen.getByRole("button", { name: "Add a sector cap" }));
    expect(await axeViolations()).toEqual([]);
  });
});
