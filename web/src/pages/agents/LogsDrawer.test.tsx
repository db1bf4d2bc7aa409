import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useEffect } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { EventStore } from "../../live/activityStore";
import { useLive } from "../../live/LiveContext";
import { fakeServer } from "../../test/fetch";
import { renderPage, TEST_KEY } from "../../test/render";
import { agent, AGENT_IDS } from "./fixtures";
import { LogsDrawer } from "./LogsDrawer";

const ID = AGENT_IDS.sentiment;
const LOGS = `GET /api/agents/${ID}/logs`;
const line = (n: number, text: string, level = "INFO") => ({
  time: "2026-12-06T19:27:35+00:00",
  level,
  text: `2026-12-06 19:27:35,${String(n).padStart(3, "0")} ${level} ${text}`,
});

let store: EventStore | null = null;
function Grab() {
  const { events } = useLive();
  useEffect(() => {
    store = events;
  }, [events]);
  return null;
}

function open() {
  return renderPage(
    <>
      <Grab />
      <LogsDrawer agent={agent("sentiment")} onClose={() => undefined} />
    </>,
  );
}

function params(request: Request | undefined): Record<string, string> {
  return Object.fromEntries(new URL(request?.url ?? "http://x/").searchParams);
}

// jsdom lays nothing out: give boxes a size so the virtualized list renders rows.
const sized = ["clientHeight", "clientWidth", "offsetHeight", "offsetWidth"] as const;
beforeEach(() => {
  for (const name of sized) {
    Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => 600 });
  }
});

afterEach(() => {
  store = null;
  for (const name of sized) {
    Reflect.deleteProperty(HTMLElement.prototype, name);
  }
});

describe("LogsDrawer", () => {
  it("reads the last 500 lines, then sends the level and the search (debounced) as the server's filters", async () => {
    const server = fakeServer({
      [LOGS]: (request) => {
        const search = new URL(request.url).searchParams.get("search");
        return { body: { agent_id: ID, lines: search === null ? [line(1, "+0.8481 AAPL: Apple")] : [line(2, `${search} hit ${search}`)] } };
      },
    });
    open();
    expect(await screen.findByText(/Apple/)).toBeInTheDocument();
    expect(params(server.calls(LOGS)[0])).toEqual({ lines: "500" });

    await userEvent.click(screen.getByRole("combobox", { name: "Level" }));
    await userEvent.click(screen.getByRole("option", { name: "WARNING and above" }));
    await waitFor(() => {
      expect(params(server.calls(LOGS).at(-1))).toEqual({ lines: "500", level: "WARNING" });
    });

    await userEvent.click(screen.getByRole("combobox", { name: "Lines" }));
    await userEvent.click(screen.getByRole("option", { name: "last 1000" }));
    const before = server.calls(LOGS).length;
    await userEvent.type(screen.getByRole("textbox", { name: "Search" }), "MSFT");
    await waitFor(() => {
      expect(params(server.calls(LOGS).at(-1))).toEqual({ lines: "1000", level: "WARNING", search: "MSFT" });
    });
    // one request for the whole word, not one per key
    expect(server.calls(LOGS).length - before).toBe(1);
    const log = screen.getByRole("log", { name: "Log lines" });
    await waitFor(() => {
      expect(within(log).getAllByText("MSFT", { selector: "mark" })).toHaveLength(2);
    });
  }, 20_000);

  it("merges the live lines of the agent after the read, each once", async () => {
    fakeServer({ [LOGS]: { body: { agent_id: ID, lines: [line(1, "first"), line(2, "second")] } } });
    open();
    expect(await screen.findByText(/second/)).toBeInTheDocument();
    const events = store;
    if (events === null) {
      throw new Error("no event store");
    }
    const live = (seq: number, text: string, agentId = ID) => ({
      stream: `log:${agentId}`,
      seq,
      topic: "logs",
      kind: "LogLine",
      time: null,
      session_id: null,
      data: { agent_id: agentId, level: "INFO", line: text },
    });
    act(() => {
      events.add(live(2, line(2, "second").text)); // the read has it
      events.add(live(3, line(3, "third").text));
      events.add(live(3, line(3, "third").text)); // twice on the wire
      events.add(live(9, "other agent", AGENT_IDS.risk));
      events.flush();
    });
    const log = screen.getByRole("log", { name: "Log lines" });
    await waitFor(() => {
      expect(within(log).getByText(/third/)).toBeInTheDocument();
    });
    expect(within(log).getAllByText(/second|third|first/).map((el) => el.textContent)).toEqual([
      line(1, "first").text,
      line(2, "second").text,
      line(3, "third").text,
    ]);
    expect(within(log).queryByText(/other agent/)).toBeNull();
    expect(screen.getByText(/3 lines/)).toBeInTheDocument();
  });

  it("downloads the log with the key in headers, never in the URL", async () => {
    const server = fakeServer({
      [LOGS]: { body: { agent_id: ID, lines: [] } },
      [`GET /api/agents/${ID}/logs/download`]: { body: "a line\n" },
    });
    const createObjectURL = vi.fn(() => "blob:log");
    const revokeObjectURL = vi.fn();
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    open();
    expect(await screen.findByText("The log is empty so far.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Download" }));
    await waitFor(() => {
      expect(click).toHaveBeenCalled();
    });
    const request = server.calls(`GET /api/agents/${ID}/logs/download`)[0];
    expect(request?.headers.get("APCA-API-KEY-ID")).toBe(TEST_KEY.keyId);
    expect(request?.headers.get("APCA-API-SECRET-KEY")).toBe(TEST_KEY.secret);
    expect(request?.url).not.toContain(TEST_KEY.secret);
    expect(createObjectURL).toHaveBeenCalledTimes(1);
    click.mockRestore();
  });

  it("shows the server's error", async () => {
    fakeServer({ [LOGS]: { status: 422, body: { code: 42210000, message: "level 'X' is not one of DEBUG" } } });
    open();
    expect(await screen.findByText("level 'X' is not one of DEBUG")).toBeInTheDocument();
  });
});
