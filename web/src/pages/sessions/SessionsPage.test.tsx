import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useLocation } from "react-router";

import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import SessionsPage from "./SessionsPage";
import { manySessions, session } from "./testSessions";

/** The page and, below it, the address it is at (to check the query string). */
function Probe() {
  const location = useLocation();
  return <output aria-label="address">{location.pathname + location.search}</output>;
}

function renderSessions(path = "/sessions") {
  return renderPage(
    <>
      <SessionsPage />
      <Probe />
    </>,
    { path, route: "/sessions" },
  );
}

/** The names in the table's rows, top to bottom. */
function names(): string[] {
  return within(screen.getByRole("table"))
    .getAllByRole("link")
    .map((link) => link.textContent);
}

const SESSIONS = [
  session({
    id: "b1",
    name: "alpha",
    state: "running",
    total_realized_pnl: "1234.5",
    total_unrealized_pnl: "-20",
    exposure: "15234.5",
    started_at: "2026-12-06T19:00:00Z",
    strategy: { name: "sma_crossover", params: {} },
    created_at: "2026-12-06T10:00:00Z",
  }),
  session({ id: "b2", name: "charlie", state: "completed", total_realized_pnl: "-5", created_at: "2026-12-06T11:00:00Z" }),
  session({
    id: "p1",
    name: "bravo",
    type: "paper",
    state: "error",
    state_reason: "the feed failed",
    total_realized_pnl: "300",
    created_at: "2026-12-06T12:00:00Z",
  }),
];

beforeEach(() => {
  // jsdom lays nothing out: give the scrolling table a size so rows are in view.
  vi.spyOn(Element.prototype, "clientHeight", "get").mockReturnValue(600);
  vi.spyOn(Element.prototype, "clientWidth", "get").mockReturnValue(1400);
});

// Rendering a table of MUI rows is slow in jsdom on a busy machine.
describe("SessionsPage", { timeout: 30_000 }, () => {
  it("says it is loading while the list is on its way", async () => {
    fakeServer({ "GET /v1/sessions": { delayMs: Infinity } });
    renderSessions();
    expect(await screen.findByText("Loading sessions…")).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "Sessions" })).toBeInTheDocument();
  });

  it("shows the server's message when the list fails", async () => {
    fakeServer({ "GET /v1/sessions": { status: 500, body: { code: 50000000, message: "database is locked" } } });
    renderSessions();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("database is locked");
    expect(alert).toHaveTextContent("HTTP 500");
  });

  it("offers to create the first session when there is none", async () => {
    fakeServer({ "GET /v1/sessions": { body: [] } });
    renderSessions();
    expect(await screen.findByText("No sessions yet")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Create a session" })).toHaveAttribute("href", "/sessions/new");
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("marks a real-money session in red words in its row, and names another live session's broker", async () => {
    const settings = {
      type: "alpaca" as const,
      endpoint: "live" as const,
      credentials_id: "server",
      reconcile: { policy: "halt" as const, interval_seconds: 60 },
    };
    fakeServer({
      "GET /v1/sessions": {
        body: [
          ...SESSIONS,
          session({ id: "l1", name: "real", type: "live", real_money: true, broker: settings }),
          session({ id: "l2", name: "at paper", type: "live", broker: { ...settings, endpoint: "paper" } }),
        ],
      },
    });
    renderSessions();
    const table = await screen.findByRole("table");
    const real = within(table).getByRole("link", { name: "real" }).closest("tr") as HTMLElement;
    const chip = within(real).getByText("REAL MONEY").closest(".MuiChip-root");
    expect(chip?.className).toMatch(/colorError/);
    const paper = within(table).getByRole("link", { name: "at paper" }).closest("tr") as HTMLElement;
    expect(paper).toHaveTextContent("LiveAlpaca paper");
    expect(within(paper).queryByText("REAL MONEY")).toBeNull();
    const backtest = within(table).getByRole("link", { name: "alpha" }).closest("tr") as HTMLElement;
    expect(within(backtest).queryByText(/REAL MONEY|Alpaca/)).toBeNull();
  });

  it("lists every session with its type, strategy, state and money", async () => {
    fakeServer({ "GET /v1/sessions": { body: SESSIONS } });
    renderSessions();
    const table = await screen.findByRole("table");
    expect(names()).toEqual(["bravo", "charlie", "alpha"]); // newest first
    const alpha = within(table).getByRole("link", { name: "alpha" });
    expect(alpha).toHaveAttribute("href", "/sessions/b1");
    const row = alpha.closest("tr");
    expect(row).not.toBeNull();
    const cells = within(row!);
    expect(cells.getByText("Backtest")).toBeInTheDocument();
    expect(cells.getByText("sma_crossover")).toBeInTheDocument();
    expect(cells.getByText("running")).toBeInTheDocument();
    expect(cells.getByText("+$1,234.50")).toBeInTheDocument();
    expect(cells.getByText("−$20.00")).toBeInTheDocument();
    expect(cells.getByText("$15,234.50")).toBeInTheDocument();
    expect(within(table).getByText("Paper")).toBeInTheDocument();
    expect(screen.getByText("3 sessions")).toBeInTheDocument();
    for (const header of ["Type", "Name", "Strategy", "State", "Realized P&L", "Exposure", "Uptime", "Created"]) {
      expect(within(table).getByRole("columnheader", { name: header })).toBeInTheDocument();
    }
  });

  it("opens a session when its row is clicked", async () => {
    fakeServer({ "GET /v1/sessions": { body: SESSIONS } });
    renderSessions();
    await userEvent.click(await screen.findByText("sma_crossover"));
    expect(await screen.findByText("elsewhere")).toBeInTheDocument(); // the router left for /sessions/b1
  });

  it("kills from a row without opening the session, and refreshes the list", async () => {
    let killed = false;
    const server = fakeServer({
      "GET /v1/sessions": () => ({
        body: killed ? SESSIONS.map((s) => (s.id === "b1" ? { ...s, state: "killed" } : s)) : SESSIONS,
      }),
      "POST /v1/sessions/b1/kill": () => {
        killed = true;
        return { body: { ...SESSIONS[0]!, state: "killed" } };
      },
    });
    renderSessions();
    await userEvent.click(await screen.findByRole("button", { name: "Kill session alpha" }));
    await userEvent.click(await screen.findByRole("button", { name: "Kill session" }));
    await waitFor(
      () => {
        expect(screen.getByRole("button", { name: "Kill session alpha" })).toBeDisabled();
      },
      { timeout: 10_000 },
    );
    expect(server.calls("POST /v1/sessions/b1/kill")).toHaveLength(1);
    expect(server.calls("GET /v1/sessions").length).toBeGreaterThan(1);
    expect(screen.queryByText("elsewhere")).toBeNull(); // still on the list
  });

  it("sorts by a column, both ways, and keeps the sort in the address", async () => {
    fakeServer({ "GET /v1/sessions": { body: SESSIONS } });
    renderSessions();
    await screen.findByRole("table");
    await userEvent.click(screen.getByRole("button", { name: "Name" }));
    expect(names()).toEqual(["alpha", "bravo", "charlie"]);
    expect(screen.getByRole("status", { name: "address" })).toHaveTextContent("/sessions?sort=name&dir=asc");
    expect(screen.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "ascending");
    await userEvent.click(screen.getByRole("button", { name: "Name" }));
    expect(names()).toEqual(["charlie", "bravo", "alpha"]);
    await userEvent.click(screen.getByRole("button", { name: "Realized P&L" }));
    expect(names()).toEqual(["charlie", "bravo", "alpha"]); // -5 < 300 < 1234.5
  });

  it("filters from the address, and writes a search into it", async () => {
    fakeServer({ "GET /v1/sessions": { body: SESSIONS } });
    renderSessions("/sessions?type=backtest&sort=name&dir=asc");
    await screen.findByRole("table");
    expect(names()).toEqual(["alpha", "charlie"]);
    expect(screen.getByText("2 of 3 sessions")).toBeInTheDocument();
    await userEvent.type(screen.getByRole("searchbox", { name: "Search by name" }), "char");
    expect(names()).toEqual(["charlie"]);
    expect(screen.getByRole("status", { name: "address" })).toHaveTextContent(
      "/sessions?type=backtest&q=char&sort=name&dir=asc",
    );
  });

  it("filters by state and by strategy", async () => {
    fakeServer({ "GET /v1/sessions": { body: SESSIONS } });
    renderSessions("/sessions?strategy=sma_crossover");
    await screen.findByRole("table");
    expect(names()).toEqual(["alpha"]);
    await userEvent.click(screen.getByRole("combobox", { name: "Strategy" }));
    await userEvent.click(screen.getByRole("option", { name: "None (traded by hand)" }));
    expect(names()).toEqual(["bravo", "charlie"]);
    await userEvent.click(screen.getByRole("combobox", { name: "State" }));
    await userEvent.click(screen.getByRole("option", { name: "error" }));
    expect(names()).toEqual(["bravo"]);
    expect(screen.getByRole("status", { name: "address" })).toHaveTextContent("state=error&strategy=none");
  });

  it("says so when no session matches, and clears the filters", async () => {
    fakeServer({ "GET /v1/sessions": { body: SESSIONS } });
    renderSessions("/sessions?q=nothing-like-this");
    expect(await screen.findByText(/No session matches these filters/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(names()).toHaveLength(3);
  });

  it("puts only a window of 5,000 sessions in the page", async () => {
    fakeServer({ "GET /v1/sessions": { body: manySessions(5000) } });
    renderSessions();
    const table = await screen.findByRole("table");
    expect(table).toHaveAttribute("aria-rowcount", "5001");
    const rendered = names();
    expect(rendered.length).toBeGreaterThan(5);
    expect(rendered.length).toBeLessThan(60);
    expect(rendered[0]).toBe("s04999"); // newest first
    expect(screen.getByText("5,000 sessions")).toBeInTheDocument();
  });

  it("pauses every paper session at once and says what happened", async () => {
    const server = fakeServer({
      "GET /v1/sessions": {
        body: [
          session({ id: "p1", name: "one", type: "paper", state: "running" }),
          session({ id: "p2", name: "two", type: "paper", state: "running" }),
        ],
      },
      "POST /api/paper-trading/sessions/pause-all": {
        body: { results: { p1: "paused", p2: "error: the session is stopping" } },
      },
    });
    renderSessions();
    await screen.findByRole("table");
    expect(screen.getByRole("button", { name: "Resume all paper sessions" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Pause all paper sessions" }));
    const result = await screen.findByText(/Paused 1 paper session; 1 refused/);
    expect(result.closest("[role=status]")).toHaveTextContent("two: the session is stopping");
    expect(server.calls("POST /api/paper-trading/sessions/pause-all")).toHaveLength(1);
  });
});
