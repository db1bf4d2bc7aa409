import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { type Route, fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import RiskPage from "./RiskPage";
import { auditEntry, overviewRow, riskView } from "./testData";

configure({ asyncUtilTimeout: 5_000 });

const ROWS = [
  overviewRow(),
  overviewRow({
    session_id: "s-2",
    name: "breakout-bt",
    type: "backtest",
    state: "paused",
    halted: true,
    tripped: ["daily_loss"],
    gross: "0",
    net: "0",
    equity: "97850.00",
    max_usage_ratio: null,
    denials_today: 0,
  }),
];

function server(extra: Record<string, Route> = {}) {
  return fakeServer({
    "GET /v1/risk": { body: { sessions: ROWS } },
    "GET /v1/risk/audit": { body: { entries: [auditEntry()], next: null } },
    ...extra,
  });
}

function open() {
  return renderPage(<RiskPage />, { path: "/risk", route: "/risk" });
}

describe("RiskPage", { timeout: 30_000 }, () => {
  it("shows every session's halt, breakers, exposure, most used limit and denials, linking to it", async () => {
    server();
    open();
    const table = await screen.findByRole("table", { name: "Risk by session" });
    const first = within(table).getByRole("row", { name: /momentum-paper/ });
    expect(first).toHaveTextContent("momentum-paperpaperrunningtakennone$100,085.80$4,180.30−$1,200.0095 %3");
    expect(within(first).getByRole("progressbar", { name: "Most used limit of momentum-paper" })).toHaveAttribute(
      "aria-valuenow",
      "95",
    );
    expect(within(first).getByRole("link", { name: "session momentum-paper" })).toHaveAttribute("href", "/sessions/s-1");
    const second = within(table).getByRole("row", { name: /breakout-bt/ });
    expect(second).toHaveTextContent("breakout-btbacktestpausedhaltedReset daily_loss$97,850.00$0.00$0.00—0");
  });

  it("resets a tripped breaker from the table with a reason", async () => {
    const fake = server({ "POST /v1/sessions/s-2/risk/breakers/daily_loss/reset": { body: riskView() } });
    open();
    await userEvent.click(await screen.findByRole("button", { name: "Reset daily_loss of breakout-bt" }));
    const dialog = await screen.findByRole("dialog", { name: "Reset daily_loss" });
    expect(dialog).toHaveTextContent("Reset the daily_loss breaker of 'breakout-bt'?");
    await userEvent.type(within(dialog).getByLabelText(/Reason/), "reviewed the day");
    await userEvent.click(within(dialog).getByRole("button", { name: "Reset" }));
    await waitFor(() => {
      expect(fake.calls("POST /v1/sessions/s-2/risk/breakers/daily_loss/reset")).toHaveLength(1);
    });
    expect(await fake.calls("POST /v1/sessions/s-2/risk/breakers/daily_loss/reset")[0]?.json()).toEqual({
      reason: "reviewed the day",
    });
    await waitFor(() => {
      expect(fake.calls("GET /v1/risk").length).toBeGreaterThanOrEqual(2); // read again after the reset
    });
  });

  it("asks before the kill switch of every session, naming how many, and says what each one did", async () => {
    const fake = server({
      "POST /v1/risk/emergency": {
        body: {
          results: [{ session_id: "s-1", action: "kill", canceled: ["o-1"], submitted: ["o-2", "o-3"], message: "" }],
          failed: [{ session_id: "s-2", code: 40910000, message: "session breakout-bt is completed" }],
        },
      },
    });
    open();
    const section = await screen.findByRole("region", { name: "Every session at once" });
    await userEvent.click(within(section).getByRole("button", { name: "Kill switch" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("Kill switch for 2 sessions (every session of this key): cancel every working order");
    await userEvent.type(within(dialog).getByLabelText(/Reason/), "feed outage");
    await userEvent.click(within(dialog).getByRole("button", { name: "Kill" }));
    expect(await screen.findByRole("status")).toHaveTextContent(
      "momentum-paper: Kill switch: 1 order canceled, 2 orders submitted.",
    );
    expect(within(section).getByRole("alert")).toHaveTextContent("breakout-bt: not done (session breakout-bt is completed)");
    expect(await fake.calls("POST /v1/risk/emergency")[0]?.json()).toEqual({ action: "kill", reason: "feed outage" });
  });

  it("shows the audit, a page at a time, and by session", async () => {
    const fake = server({
      "GET /v1/risk/audit": (request) => {
        const query = new URL(request.url).searchParams;
        if (query.get("before") === "7") {
          return {
            body: {
              entries: [auditEntry({ id: 3, action: "kill", params: {}, reason: "", outcome: "failed", message: "session is completed" })],
              next: null,
            },
          };
        }
        return { body: { entries: [auditEntry()], next: 7 } };
      },
    });
    open();
    const audit = await screen.findByRole("table", { name: "Risk audit" });
    expect(within(audit).getAllByRole("row")[1]).toHaveTextContent(
      "2026-12-06 21:05Zadminmomentum-paperreset_breakerbreaker daily_lossloss understood, resumingok daily_loss reset",
    );
    await userEvent.click(screen.getByRole("button", { name: "Load earlier" }));
    await waitFor(() => {
      expect(within(screen.getByRole("table", { name: "Risk audit" })).getAllByRole("row")).toHaveLength(3);
    });
    expect(within(screen.getByRole("table", { name: "Risk audit" })).getAllByRole("row")[2]).toHaveTextContent(
      "killfailed session is completed",
    );
    expect(screen.queryByRole("button", { name: "Load earlier" })).toBeNull();
    await userEvent.click(screen.getByRole("combobox", { name: "Session" }));
    await userEvent.click(screen.getByRole("option", { name: "breakout-bt" }));
    await waitFor(() => {
      expect(fake.calls("GET /v1/risk/audit").some((request) => new URL(request.url).searchParams.get("session_id") === "s-2")).toBe(
        true,
      );
    });
  });

  it("shows the server's message when the overview cannot be read", async () => {
    fakeServer({ "GET /v1/risk": { status: 503, body: { code: 50310000, message: "the store is unavailable" } } });
    open();
    expect(await screen.findByRole("alert")).toHaveTextContent("the store is unavailable");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Risk");
  });

  it("is accessible", async () => {
    server();
    open();
    await screen.findByRole("table", { name: "Risk audit" });
    expect(await axeViolations()).toEqual([]);
  });
});
