import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { type Route, fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { EmergencyActions } from "../session/EmergencyActions";
import { RiskPanel } from "./RiskPanel";
import { riskView, settings, tripped } from "./testData";

configure({ asyncUtilTimeout: 5_000 });

const RISK = "/v1/sessions/s-1/risk";

function panel(routes: Record<string, Route>) {
  const server = fakeServer(routes);
  renderPage(
    <>
      <RiskPanel sessionId="s-1" name="momentum-paper" />
      <EmergencyActions sessionId="s-1" name="momentum-paper" positions={2} openOrders={3} />
    </>,
  );
  return server;
}

describe("RiskPanel", { timeout: 30_000 }, () => {
  it("shows each limit's usage coloured by how close it is, the exposure, breakers and denials", async () => {
    panel({ [`GET ${RISK}`]: { body: riskView() } });
    const usage = await screen.findByRole("table", { name: "Limit usage" });
    const position = within(usage).getByRole("row", { name: /Max position \(qty\)/ });
    expect(position).toHaveTextContent("95100");
    const bar = within(position).getByRole("progressbar", { name: "Max position (qty) used" });
    expect(bar).toHaveAttribute("aria-valuenow", "95");
    expect(bar).toHaveAttribute("aria-valuetext", "95 %");
    expect(bar.className).toMatch(/colorError/);
    const gross = within(usage).getByRole("progressbar", { name: "Max gross exposure ($) used" });
    expect(gross).toHaveAttribute("aria-valuetext", "8 %");
    expect(gross.className).toMatch(/colorSuccess/);
    expect(screen.getByRole("group", { name: "Exposure" })).toHaveTextContent(
      "Equity $100,085.80Gross $4,180.30 (4.2 % of equity)Net $4,180.30 (4.2 % of equity)",
    );
    const holdings = screen.getByRole("table", { name: "Positions at risk" });
    expect(within(holdings).getByRole("row", { name: /AAPL/ })).toHaveTextContent(
      "AAPLInformation Technology10$4,180.304.2 %$388.937.0 %0.00yes",
    );
    const breakers = screen.getByRole("table", { name: "Breakers" });
    // The breakers set (their limit from the rules in force); not those unset, nor the unused kill switch.
    expect(within(breakers).getAllByRole("row")).toHaveLength(2);
    expect(within(breakers).getByRole("row", { name: /daily_loss/ })).toHaveTextContent("armed—2,000");
    const denials = screen.getByRole("table", { name: "Recent denials" });
    expect(within(denials).getByRole("row", { name: /AAPL/ })).toHaveTextContent(
      "2012-01-06 14:30ZAAPLMax position (qty)100150position in AAPL would be 150, over the limit of 1000d3c1e2a",
    );
    expect(screen.queryByText("New entries are halted")).toBeNull();
  });

  it("shows exposure per sector against its limit, what is held over the close, and the correlations", async () => {
    // The example of docs/risk-monitoring.md: MSFT long, CVX short, XOM long, all held over the close.
    panel({
      [`GET ${RISK}`]: {
        body: riskView({
          exposure: {
            ...riskView().exposure,
            sectors: [
              { sector: "Information Technology", gross: "2395.80", pct: "2.3864", limit_pct: null },
              { sector: "Energy", gross: "1960.20", pct: "1.9525", limit_pct: "5" },
              { sector: "Utilities", gross: "0", pct: "0", limit_pct: "10" },
            ],
          },
          gap_risk: { overnight_exposure: "4356.00", pct: "4.3388" },
          correlation: {
            symbols: ["MSFT", "CVX", "XOM"],
            matrix: [
              ["1", "-0.5773502691896258", "0.5773502691896258"],
              ["-0.5773502691896258", "1", "0"],
              ["0.5773502691896258", "0", null],
            ],
            effective_bets: "1.4502719298941592",
          },
        }),
      },
    });
    const sectors = await screen.findByRole("table", { name: "Sector exposure" });
    expect(within(sectors).getAllByRole("row").map((row) => row.textContent)).toEqual([
      "SectorGross% of equityLimit",
      "Information Technology$2,395.802.4 %—",
      "Energy$1,960.202.0 %5.0 %",
      "Utilities$0.000.0 %10.0 %",
    ]);
    expect(screen.getByRole("group", { name: "Sectors" })).toHaveTextContent("against the sector's limit");
    const gap = screen.getByRole("group", { name: "Gap risk" });
    expect(gap).toHaveTextContent("Overnight exposure $4,356.00 (4.3 % of equity)");
    expect(gap).toHaveTextContent("held over the close");
    const correlation = screen.getByRole("group", { name: "Correlation" });
    expect(correlation).toHaveTextContent("Effective number of bets 1.45");
    expect(correlation).toHaveTextContent("Effective bets: how many independent positions the portfolio amounts to");
    const matrix = within(correlation).getByRole("table", { name: "Correlation matrix" });
    expect(within(matrix).getAllByRole("row").map((row) => row.textContent)).toEqual([
      "SymbolMSFTCVXXOM",
      "MSFT1.00−0.580.58",
      "CVX−0.581.000.00",
      "XOM0.580.00—",
    ]);
    expect(await axeViolations()).toEqual([]);
  });

  it("leaves out the sectors and the correlations when nothing is held", async () => {
    panel({
      [`GET ${RISK}`]: { body: riskView({ gap_risk: { overnight_exposure: "0", pct: "0" } }) },
    });
    expect(await screen.findByRole("group", { name: "Gap risk" })).toHaveTextContent("Overnight exposure $0.00 (0.0 % of equity)");
    expect(screen.queryByRole("group", { name: "Sectors" })).toBeNull();
    expect(screen.queryByRole("group", { name: "Correlation" })).toBeNull();
  });

  it("says entries are halted and resets a tripped breaker with the reason asked for", async () => {
    let view = riskView(tripped());
    const server = panel({
      [`GET ${RISK}`]: () => ({ body: view }),
      [`POST ${RISK}/breakers/daily_loss/reset`]: () => {
        view = riskView();
        return { body: view };
      },
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("New entries are halted");
    expect(screen.getByRole("alert")).toHaveTextContent("Tripped: daily_loss.");
    const row = within(screen.getByRole("table", { name: "Breakers" })).getByRole("row", { name: /daily_loss/ });
    expect(row).toHaveTextContent("tripped2,150.002,0002012-01-06 15:00Zequity fell 2150.00 below the day's start, over 2000");
    await userEvent.click(within(row).getByRole("button", { name: "Reset daily_loss" }));
    const dialog = await screen.findByRole("dialog", { name: "Reset daily_loss" });
    expect(dialog).toHaveTextContent("Reset the daily_loss breaker of 'momentum-paper'?");
    const confirm = within(dialog).getByRole("button", { name: "Reset" });
    expect(confirm).toBeDisabled(); // no reason yet
    await userEvent.type(within(dialog).getByLabelText(/Reason/), "loss understood");
    await userEvent.click(confirm);
    await waitFor(() => {
      expect(screen.queryByText("New entries are halted")).toBeNull();
    });
    expect(await server.calls(`POST ${RISK}/breakers/daily_loss/reset`)[0]?.json()).toEqual({ reason: "loss understood" });
  });

  it("edits the rules: sends only what changed, with the reason", async () => {
    const server = panel({
      [`GET ${RISK}`]: { body: riskView() },
      [`PATCH ${RISK}`]: { body: riskView() },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Edit rules" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit risk rules" });
    const qty = within(dialog).getByLabelText("Max position (qty)");
    expect(qty).toHaveValue("100");
    expect(within(dialog).getByRole("button", { name: "Nothing changed" })).toBeDisabled();
    await userEvent.clear(qty);
    await userEvent.type(qty, "50");
    await userEvent.clear(within(dialog).getByLabelText("Daily loss ($)"));
    await userEvent.type(within(dialog).getByLabelText("Stop loss (%)"), "5");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save rules" }));
    expect(within(dialog).getByText("Say why: it is journaled and audited")).toBeInTheDocument();
    await userEvent.type(within(dialog).getByLabelText(/^Reason/), "earnings week");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save rules" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(await server.calls(`PATCH ${RISK}`)[0]?.json()).toEqual({
      settings: { limits: { max_position_qty: "50" }, safeguards: { stop_loss_pct: "5" }, breakers: { daily_loss: null } },
      reason: "earnings week",
    });
  });

  it("edits sector caps, allowed symbols and scaling: sends only what changed", async () => {
    const rules = settings({
      limits: { ...settings().limits, sector_max_pct: { Energy: "5", Utilities: "10" } },
      scaling: { ...settings().scaling, enabled: true, maximum: "3" },
    });
    const server = panel({
      [`GET ${RISK}`]: { body: riskView({ settings: rules, effective: rules }) },
      [`PATCH ${RISK}`]: { body: riskView() },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Edit rules" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit risk rules" });
    expect(within(dialog).getByLabelText("Sector cap 1 sector")).toHaveValue("Energy");
    expect(within(dialog).getByLabelText("Sector cap 2 (% of equity)")).toHaveValue("10");
    expect(within(dialog).getByLabelText("Maximum multiplier")).toHaveValue("3");
    expect(await axeViolations()).toEqual([]);
    await userEvent.clear(within(dialog).getByLabelText("Sector cap 1 (% of equity)"));
    await userEvent.type(within(dialog).getByLabelText("Sector cap 1 (% of equity)"), "7.5");
    await userEvent.click(within(dialog).getByRole("button", { name: "Remove sector cap 2" }));
    await userEvent.type(within(dialog).getByLabelText("Allowed symbols"), "xom{Enter}");
    await userEvent.click(within(dialog).getByRole("switch", { name: "Scale order quantities" }));
    expect(within(dialog).queryByLabelText("Maximum multiplier")).toBeNull();
    await userEvent.type(within(dialog).getByLabelText(/^Reason/), "energy only");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save rules" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(await server.calls(`PATCH ${RISK}`)[0]?.json()).toEqual({
      settings: {
        limits: { sector_max_pct: { Energy: "7.5" } },
        symbols: { enabled: ["XOM"] },
        scaling: { enabled: false },
      },
      reason: "energy only",
    });
  });

  it("puts the server's refusal of a rule on its field", async () => {
    const message = "settings.limits.max_position_qty: Input should be greater than 0";
    panel({
      [`GET ${RISK}`]: { body: riskView() },
      [`PATCH ${RISK}`]: { status: 422, body: { code: 42210000, message } },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Edit rules" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit risk rules" });
    await userEvent.clear(within(dialog).getByLabelText("Max position (qty)"));
    await userEvent.type(within(dialog).getByLabelText("Max position (qty)"), "0.0000000001");
    await userEvent.type(within(dialog).getByLabelText(/^Reason/), "test");
    await userEvent.click(within(dialog).getByRole("button", { name: "Save rules" }));
    await waitFor(() => {
      expect(within(dialog).getByLabelText("Max position (qty)")).toHaveAttribute("aria-invalid", "true");
    });
    expect(within(dialog).getByRole("alert")).toHaveTextContent(message);
  });

  it("overrides the rules for some minutes, and ends an override", async () => {
    let view = riskView();
    const server = panel({
      [`GET ${RISK}`]: () => ({ body: view }),
      [`POST ${RISK}/override`]: () => {
        view = riskView({
          effective: settings({ limits: { ...settings().limits, max_position_qty: "500" } }),
          override: { settings: settings(), until: "2012-01-06T16:30:00Z" },
        });
        return { body: view };
      },
      [`DELETE ${RISK}/override`]: () => {
        view = riskView();
        return { body: view };
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Override for a while" }));
    const dialog = await screen.findByRole("dialog", { name: "Override risk rules" });
    await userEvent.clear(within(dialog).getByLabelText("Max position (qty)"));
    await userEvent.type(within(dialog).getByLabelText("Max position (qty)"), "500");
    await userEvent.clear(within(dialog).getByLabelText(/Lasts/));
    await userEvent.type(within(dialog).getByLabelText(/Lasts/), "90");
    await userEvent.type(within(dialog).getByLabelText(/^Reason/), "index rebalance");
    await userEvent.click(within(dialog).getByRole("button", { name: "Override" }));
    expect(await screen.findByText(/An override is in force until 2012-01-06 16:30Z/)).toBeInTheDocument();
    expect(await server.calls(`POST ${RISK}/override`)[0]?.json()).toEqual({
      settings: { limits: { max_position_qty: "500" } },
      minutes: 90,
      reason: "index rebalance",
    });
    await userEvent.click(screen.getByRole("button", { name: "End override" }));
    await waitFor(() => {
      expect(screen.queryByText(/An override is in force/)).toBeNull();
    });
    expect(server.calls(`DELETE ${RISK}/override`)).toHaveLength(1);
  });

  it.each([
    ["Cancel all orders", "Cancel all orders", "Cancel 3 open orders in 'momentum-paper'?", { action: "cancel_all", reason: "" }],
    [
      "Kill switch",
      "Kill",
      "Kill switch for 'momentum-paper': cancel every working order, close every position at market, and halt new entries until the kill_switch breaker is reset with a reason.",
      { action: "kill", reason: "runaway strategy" },
    ],
    ["Reduce positions by 50 %", "Reduce positions", "Reduce every position in 'momentum-paper' by 50 % with market orders?", { action: "reduce", reason: "", percent: "50" }],
    ["Tighten stops by 50 %", "Tighten stops", "Move every protective stop in 'momentum-paper' 50 % closer to the price?", { action: "tighten_stops", reason: "", percent: "50" }],
  ])("%s asks first, naming what it does, and says what it did", async (button, confirm, text, body) => {
    const server = panel({
      [`GET ${RISK}`]: { body: riskView() },
      "POST /v1/sessions/s-1/emergency": {
        body: { session_id: "s-1", action: body.action, canceled: ["o-1", "o-2"], submitted: ["o-3"], message: "" },
      },
    });
    await userEvent.click(await screen.findByRole("button", { name: button }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent(text);
    if (body.reason !== "") await userEvent.type(within(dialog).getByLabelText(/Reason/), body.reason);
    await userEvent.click(within(dialog).getByRole("button", { name: confirm }));
    expect(await screen.findByRole("status")).toHaveTextContent("2 orders canceled, 1 order submitted.");
    expect(await server.calls("POST /v1/sessions/s-1/emergency")[0]?.json()).toEqual(body);
  });

  it("reduces by the percentage typed, and not by one out of bounds", async () => {
    const server = panel({
      [`GET ${RISK}`]: { body: riskView() },
      "POST /v1/sessions/s-1/emergency": {
        body: { session_id: "s-1", action: "reduce", canceled: [], submitted: ["o-3", "o-4"], message: "" },
      },
    });
    const percent = await screen.findByLabelText("Percent");
    await userEvent.clear(percent);
    await userEvent.type(percent, "150");
    expect(screen.getByRole("button", { name: "Reduce positions by 150 %" })).toBeDisabled();
    await userEvent.clear(percent);
    await userEvent.type(percent, "25");
    await userEvent.click(screen.getByRole("button", { name: "Reduce positions by 25 %" }));
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Reduce positions" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Reduce positions: 0 orders canceled, 2 orders submitted.");
    expect(await server.calls("POST /v1/sessions/s-1/emergency")[0]?.json()).toEqual({
      action: "reduce",
      percent: "25",
      reason: "",
    });
  });

  it("is accessible, halted and not", async () => {
    panel({ [`GET ${RISK}`]: { body: riskView(tripped()) } });
    await screen.findByRole("table", { name: "Breakers" });
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(screen.getByRole("button", { name: "Edit rules" }));
    await screen.findByRole("dialog", { name: "Edit risk rules" });
    expect(await axeViolations()).toEqual([]);
  });
});
