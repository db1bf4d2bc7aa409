import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { EventStore } from "../../live/activityStore";
import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import ActivityPage from "./ActivityPage";
import { PAGE_SIZE } from "./useActivity";
import { activity, liveEvent, SESSION, withViewport } from "./testing";

withViewport();

function renderActivity(path = "/activity", events?: EventStore) {
  return renderPage(<ActivityPage />, { path, route: "/activity", events });
}

const sessions = { "GET /v1/sessions": { body: [] } };

// MUI menus under jsdom are slow on a busy machine: a generous per-test limit.
describe("ActivityPage", { timeout: 20_000 }, () => {
  it("shows that it is loading", async () => {
    fakeServer({ ...sessions, "GET /api/activity": { delayMs: Infinity } });
    renderActivity();
    expect(await screen.findByRole("status")).toHaveTextContent("Loading activity");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Activity");
  });

  it("says when no event matches", async () => {
    fakeServer({ ...sessions, "GET /api/activity": { body: [] } });
    renderActivity();
    expect(await screen.findByText(/No events match these filters yet/)).toBeInTheDocument();
  });

  it("shows the server's message when the feed cannot be read", async () => {
    fakeServer({
      ...sessions,
      "GET /api/activity": { status: 404, body: { code: 40410000, message: "session 3b0c not found" } },
    });
    renderActivity();
    expect(await screen.findByRole("alert")).toHaveTextContent("session 3b0c not found");
  });

  it("lists events newest first with severity, time, session link, kind and message", async () => {
    fakeServer({
      ...sessions,
      "GET /api/activity": {
        body: [
          activity(2, { severity: "warning", type: "OrderRejected", message: "order 57e6 rejected" }),
          activity(1),
        ],
      },
    });
    renderActivity();
    const table = await screen.findByRole("table", { name: /Activity events/ });
    const rows = within(table).getAllByRole("row");
    expect(within(table).getAllByRole("columnheader").map((cell) => cell.textContent)).toEqual([
      "Severity",
      "Time",
      "Session",
      "Kind",
      "Message",
    ]);
    expect(rows[1]).toHaveTextContent("Warning");
    expect(rows[1]).toHaveTextContent("OrderRejected");
    expect(rows[1]).toHaveTextContent("order 57e6 rejected");
    expect(rows[1]).toHaveTextContent("2012-01-03 21:00Z");
    expect(rows[2]).toHaveTextContent("buy 1 AAPL filled");
    expect(within(rows[2]!).getByRole("link", { name: `session ${SESSION}` })).toHaveAttribute(
      "href",
      `/sessions/${SESSION}`,
    );
  });

  it("sends the filters of the address as the feed's parameters, and a changed filter too", async () => {
    const server = fakeServer({ ...sessions, "GET /api/activity": { body: [activity(1)] } });
    renderActivity(`/activity?severity=warning&session=${SESSION}&type=OrderRejected&type=OrderFilled`);
    await screen.findByRole("table");
    const first = new URL(server.calls("GET /api/activity")[0]!.url);
    expect(first.searchParams.get("severity")).toBe("warning");
    expect(first.searchParams.get("session_id")).toBe(SESSION);
    expect(first.searchParams.getAll("type")).toEqual(["OrderRejected", "OrderFilled"]);
    expect(first.searchParams.get("before")).toBeNull();

    await userEvent.click(screen.getByRole("combobox", { name: "Severity" }));
    await userEvent.click(await screen.findByRole("option", { name: "Errors only" }));
    await waitFor(() => {
      const last = new URL(server.calls("GET /api/activity").at(-1)!.url);
      expect(last.searchParams.get("severity")).toBe("error");
    });
  });

  it("merges live events on top without repeating one the page already has, filtered alike", async () => {
    const store = new EventStore(2000, () => undefined);
    fakeServer({ ...sessions, "GET /api/activity": { body: [activity(2), activity(1)] } });
    renderActivity("/activity?type=OrderFilled", store);
    await screen.findByText("buy 2 AAPL filled at 409.4");
    act(() => {
      store.add(liveEvent(2, { message: "a repeat of seq 2" })); // the page has it
      store.add(liveEvent(3));
      store.add(liveEvent(4, { kind: "OrderCanceled", message: "filtered out" }));
      store.add(liveEvent(1, { stream: "log:agent-1", message: "a log line" }));
      store.flush();
    });
    const rows = within(screen.getByRole("table")).getAllByRole("row");
    expect(rows.map((row) => row.textContent)).toHaveLength(4); // header + 3 events
    expect(rows[1]).toHaveTextContent("live 3 filled");
    expect(screen.queryByText("a repeat of seq 2")).toBeNull();
    expect(screen.queryByText("filtered out")).toBeNull();
    expect(screen.queryByText("a log line")).toBeNull();
  });

  it("keeps the live events it has shown when the tab's store lets them go", async () => {
    const store = new EventStore(2, () => undefined); // the store keeps only the latest two
    fakeServer({ ...sessions, "GET /api/activity": { body: [activity(1)] } });
    renderActivity("/activity", store);
    await screen.findByText("buy 1 AAPL filled at 409.4");
    for (const seq of [2, 3, 4, 5]) {
      act(() => {
        store.add(liveEvent(seq));
        store.flush();
      });
    }
    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringContaining("live 5 filled"),
      expect.stringContaining("live 4 filled"),
      expect.stringContaining("live 3 filled"),
      expect.stringContaining("live 2 filled"),
      expect.stringContaining("buy 1 AAPL filled"),
    ]);
  });

  it("holds the list while the reader points at it and offers to jump to the latest", async () => {
    const store = new EventStore(2000, () => undefined);
    fakeServer({ ...sessions, "GET /api/activity": { body: [activity(1)] } });
    renderActivity("/activity", store);
    const table = await screen.findByRole("table");
    const body = within(table).getAllByRole("rowgroup")[1]!;
    fireEvent.mouseEnter(body);
    act(() => {
      store.add(liveEvent(5));
      store.add(liveEvent(6));
      store.flush();
    });
    expect(screen.queryByText("live 6 filled")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "2 new events — jump to latest" }));
    expect(screen.getByText("live 6 filled")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /jump to latest/ })).toBeNull();
  });

  it("loads earlier events with the cursor of the oldest one shown", async () => {
    const first = Array.from({ length: PAGE_SIZE }, (_, index) => activity(1000 - index));
    const oldest = first.at(-1)!;
    const server = fakeServer({
      ...sessions,
      "GET /api/activity": (request) =>
        new URL(request.url).searchParams.has("before")
          ? { body: [activity(3, { message: "an earlier event" })] }
          : { body: first },
    });
    renderActivity();
    await userEvent.click(await screen.findByRole("button", { name: "Load earlier" }));
    await screen.findByText(/The beginning of the journal/);
    const calls = server.calls("GET /api/activity");
    expect(new URL(calls.at(-1)!.url).searchParams.get("before")).toBe(`${oldest.stream}:${oldest.seq}`);
    expect(screen.getByText(`${PAGE_SIZE + 1} events shown`)).toBeInTheDocument();
  });
  it("shows denials and breaker trips with their reason, and offers their kinds as filters", async () => {
    const fake = fakeServer({
      ...sessions,
      "GET /api/activity": (request) => ({
        body: new URL(request.url).searchParams.getAll("type").includes("BreakerTripped")
          ? [activity(3, { severity: "error", type: "BreakerTripped", message: "breaker daily_loss tripped: equity fell 2150.00 below the day's start" })]
          : [
              activity(3, { severity: "error", type: "BreakerTripped", message: "breaker daily_loss tripped: equity fell 2150.00 below the day's start" }),
              activity(2, {
                severity: "warning",
                type: "OrderDenied",
                message: "order 57e6 denied by limits.max_position_qty (limit 100, would be 150): position over the limit",
              }),
            ],
      }),
    });
    renderActivity();
    const table = await screen.findByRole("table", { name: /Activity events/ });
    expect(within(table).getByRole("row", { name: /OrderDenied/ })).toHaveTextContent(
      "denied by limits.max_position_qty (limit 100, would be 150): position over the limit",
    );
    expect(within(table).getByRole("row", { name: /BreakerTripped/ })).toHaveTextContent("breaker daily_loss tripped");
    await userEvent.click(screen.getByRole("combobox", { name: "Kinds" }));
    expect(screen.getByRole("option", { name: "OrderDenied" })).toBeInTheDocument();
    expect(screen.getByRole("option", { name: "RiskCommanded" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("option", { name: "BreakerTripped" }));
    await waitFor(() => {
      expect(fake.calls("GET /api/activity").some((request) => new URL(request.url).searchParams.get("type") === "BreakerTripped")).toBe(true);
    });
  });
});
