import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { EventStore } from "../../live/activityStore";
import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { activity, liveEvent, SESSION } from "../activity/testing";
import type { Health, Status } from "./queries";
import SystemPage from "./SystemPage";

function status(extra: Partial<Status> = {}): Status {
  return {
    sessions: {
      total: 4,
      by_state: { created: 0, paused: 1, running: 3, stopping: 0, stopped: 0, killed: 0, completed: 0, error: 0 },
      by_type: { backtest: 2, paper: 2 },
    },
    agents: { total: 14, by_status: { stopped: 1, starting: 0, running: 12, stopping: 0, error: 1 } },
    open_orders: 5,
    fills_today: 23898,
    errors: {
      count: 1,
      sessions: [],
      agents: [{ agent_id: "ag-1", name: "risk", session_id: SESSION, error: "limit breached" }],
    },
    owners: 1,
    started_at: "2026-11-21T19:00:00Z",
    uptime_seconds: 3600,
    version: "0.9.0",
    ...extra,
  };
}

function health(extra: Partial<Health> = {}): Health {
  return {
    health: 87,
    status: "ok",
    penalties: {
      event_loop_lag: 0,
      database: 0,
      stale_feeds: 0,
      sessions_in_error: 0,
      agents_in_error: 5,
      error_rate: 8,
    },
    process: { cpu_percent: 3.5, memory_rss_bytes: 120_000_000, threads: 9, uptime_seconds: 3600 },
    database: { reachable: true, latency_ms: 1.2, error: null },
    event_loop: { lag_p50_ms: 0.4, lag_p99_ms: 2.1, lag_max_ms: 4, samples: 600, window_seconds: 60 },
    feeds: [],
    errors: {
      window_minutes: 5,
      server_errors: 2,
      session_failures: 0,
      agent_failures: 6,
      per_minute: 1.6,
      sessions_in_error: 0,
      agents_in_error: 1,
    },
    event_connections: 1,
    version: "0.9.0",
    ...extra,
  };
}

function server(routes: Parameters<typeof fakeServer>[0] = {}) {
  return fakeServer({
    "GET /api/system/status": { body: status() },
    "GET /api/system/health": { body: health() },
    "GET /api/activity": { body: [] },
    ...routes,
  });
}

function renderSystem(events?: EventStore) {
  return renderPage(<SystemPage />, { path: "/", route: "/", events });
}

// MUI dialogs and menus under jsdom are slow on a busy machine: a generous per-test limit.
describe("SystemPage", { timeout: 20_000 }, () => {
  it("shows that it is reading the status", async () => {
    server({ "GET /api/system/status": { delayMs: Infinity } });
    renderSystem();
    expect(await screen.findByRole("status")).toHaveTextContent("Reading the system's status");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("System control");
  });

  it("shows the server's message when the status cannot be read", async () => {
    server({ "GET /api/system/status": { status: 403, body: { code: 40310000, message: "a session key does not steer" } } });
    renderSystem();
    expect(await screen.findByRole("alert")).toHaveTextContent("a session key does not steer");
  });

  it("says so when there is nothing yet", async () => {
    const empty = status({
      sessions: { total: 0, by_state: { running: 0, paused: 0 }, by_type: { backtest: 0, paper: 0 } },
      agents: { total: 0, by_status: { running: 0 } },
      errors: { count: 0, sessions: [], agents: [] },
    });
    server({ "GET /api/system/status": { body: empty } });
    renderSystem();
    expect(await screen.findByText(/No sessions yet/)).toBeInTheDocument();
    expect(screen.getByText("STOPPED")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Start system" })).toBeInTheDocument();
    expect(await screen.findByText(/No problems now/)).toBeInTheDocument();
  });

  it("shows the state, the tiles and the rule behind the health", async () => {
    server();
    renderSystem();
    expect(await screen.findByText("RUNNING")).toBeInTheDocument();
    expect(within(screen.getByRole("region", { name: "Active agents" })).getByText("12")).toBeInTheDocument();
    expect(within(screen.getByRole("region", { name: "Active sessions" })).getByText("3")).toBeInTheDocument();
    expect(within(screen.getByRole("region", { name: "Fills since midnight UTC" })).getByText("23,898")).toBeInTheDocument();
    const tile = screen.getByRole("region", { name: "Health" });
    expect(await within(tile).findByText("87%")).toBeInTheDocument();
    expect(within(tile).getAllByText(/updated/).length).toBeGreaterThan(0);
    await userEvent.click(within(tile).getByRole("button", { name: "How the health % is computed" }));
    const dialog = await screen.findByRole("dialog");
    const rows = within(dialog).getAllByRole("row");
    const rate = rows.find((row) => row.textContent.includes("Error rate"))!;
    expect(rate).toHaveTextContent("1.6 a minute over 5 min: 2 server errors");
    expect(rate).toHaveTextContent("−8");
    expect(rows.find((row) => row.textContent.includes("Agents in error"))).toHaveTextContent("−5");
  });

  it("asks before stopping the system, naming what it does, and shows the result", async () => {
    const api = server({
      "POST /api/system/stop": { body: { sessions: { a: "paused", b: "paused", c: "paused" }, agents: { x: "stopped" } } },
    });
    renderSystem();
    await userEvent.click(await screen.findByRole("button", { name: "Stop system" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("Pause 3 running sessions and stop 12 agents? Positions are kept");
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(api.calls("POST /api/system/stop")).toHaveLength(0);

    await userEvent.click(screen.getByRole("button", { name: "Stop system" }));
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Stop system" }));
    expect(await screen.findByText("Paused 3 sessions, stopped 1 agent")).toBeInTheDocument();
    expect(api.calls("POST /api/system/stop")).toHaveLength(1);
  });

  it("pauses every paper session and says how many, and what failed", async () => {
    const api = server({
      "POST /api/paper-trading/sessions/pause-all": {
        body: { results: { s1: "paused", s2: "paused", s3: "error: session s3 is stopping" } },
      },
    });
    renderSystem();
    await userEvent.click(await screen.findByRole("button", { name: "Pause all paper sessions" }));
    const result = await screen.findByText(/Paused 2 sessions; 1 failure/);
    expect(result.closest("[role=status]")).toHaveTextContent("session s3: session s3 is stopping");
    expect(api.calls("POST /api/paper-trading/sessions/pause-all")).toHaveLength(1);
  });

  it("lists faults, the journal's warnings and live warnings, without repeats", async () => {
    const store = new EventStore(2000, () => undefined);
    const api = server({
      "GET /api/activity": {
        body: [activity(7, { severity: "warning", type: "OrderRejected", message: "order 57e6 rejected" })],
      },
    });
    renderSystem(store);
    expect(await screen.findByText("order 57e6 rejected")).toBeInTheDocument();
    expect(screen.getByText("risk: limit breached")).toBeInTheDocument();
    const query = new URL(api.calls("GET /api/activity")[0]!.url).searchParams;
    expect(query.get("severity")).toBe("warning");
    expect(query.get("limit")).toBe("20");
    act(() => {
      store.add(liveEvent(7, { severity: "warning", message: "repeat" }));
      store.add(liveEvent(8, { severity: "error", kind: "SessionStateChanged", message: "session killed (kill)" }));
      store.add(liveEvent(9, { message: "an info event" }));
      store.flush();
    });
    const table = screen.getByRole("table", { name: "Alerts and warnings" });
    await waitFor(() => {
      expect(within(table).getByText("session killed (kill)")).toBeInTheDocument();
    });
    expect(within(table).queryByText("repeat")).toBeNull();
    expect(within(table).queryByText("an info event")).toBeNull();
  });
});
