import { fireEvent, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import { fakeServer, type Route } from "../../test/fetch";
import { renderPage } from "../../test/render";
import AgentFlowPage from "./AgentFlowPage";
import { AGENT_IDS, AGENTS, PIPELINE, SESSION, SESSION_ID, agent } from "./fixtures";

const PATH = { path: `/sessions/${SESSION_ID}/agents`, route: "/sessions/:sessionId/agents" };

function serve(changes: Record<string, Route> = {}) {
  return fakeServer({
    [`GET /v1/sessions/${SESSION_ID}`]: { body: SESSION },
    [`GET /v1/sessions/${SESSION_ID}/pipeline`]: { body: PIPELINE },
    "GET /api/agents": { body: [...AGENTS, agent("data", { id: "00000000-0000-4000-8000-000000000000", session_id: "other" })] },
    [`GET /api/agents/${AGENT_IDS.sentiment}/logs`]: {
      body: { agent_id: AGENT_IDS.sentiment, lines: [{ time: null, level: "INFO", text: "2026-12-06 19:27:35,027 INFO +0.8481 AAPL: Apple tops" }] },
    },
    ...changes,
  });
}

// React Flow measures its box and its nodes; jsdom lays nothing out, so give every box a size.
beforeEach(() => {
  for (const name of ["clientHeight", "clientWidth", "offsetHeight", "offsetWidth"]) {
    Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => 500 });
  }
  return () => {
    for (const name of ["clientHeight", "clientWidth", "offsetHeight", "offsetWidth"]) {
      Reflect.deleteProperty(HTMLElement.prototype, name);
    }
  };
});

describe("AgentFlowPage", () => {
  it("shows that it is loading", () => {
    serve({ [`GET /v1/sessions/${SESSION_ID}/pipeline`]: { delayMs: Infinity } });
    renderPage(<AgentFlowPage />, PATH);
    expect(screen.getByRole("heading", { level: 1, name: "Agent flow" })).toBeInTheDocument();
    expect(screen.getByRole("progressbar")).toBeInTheDocument();
  });

  it("shows the server's error, with a retry", async () => {
    serve({ [`GET /v1/sessions/${SESSION_ID}/pipeline`]: { status: 404, body: { code: 40410000, message: `session ${SESSION_ID} not found` } } });
    renderPage(<AgentFlowPage />, PATH);
    expect(await screen.findByText(`session ${SESSION_ID} not found`)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });

  it("says so for a session without agents", async () => {
    serve({ [`GET /v1/sessions/${SESSION_ID}/pipeline`]: { body: { nodes: [], edges: [] } }, "GET /api/agents": { body: [] } });
    renderPage(<AgentFlowPage />, PATH);
    expect(await screen.findByText(/This session has no agents/)).toBeInTheDocument();
  });

  it("draws one card per agent of the session (of its own only) and opens an agent's log", async () => {
    serve();
    renderPage(<AgentFlowPage />, PATH);
    // React Flow shows a card once it has measured it, which jsdom never does: hidden, but there
    // (and a hidden element has no accessible name, so cards are told by their label).
    await screen.findByText("Bars", {}, { timeout: 5000 });
    const cards = screen.getAllByRole("region", { hidden: true });
    expect(cards.map((card) => card.getAttribute("aria-label"))).toEqual(
      ["data", "sentiment", "strategy", "risk", "execution"].map((name) => `Agent ${name}`),
    );
    expect(await screen.findByText("+0.8481 AAPL")).toBeInTheDocument();
    expect(screen.getByText("news-momentum · backtest session · paused", { exact: false })).toBeInTheDocument();
    // ages are told from the backtest's own clock
    expect(within(cards[3] ?? document.body).getByText("1 h ago")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Reset layout" })).toBeInTheDocument();
    const logs = within(cards[1] ?? document.body)
      .getAllByRole("button", { hidden: true })
      .find((button) => button.textContent === "Logs");
    fireEvent.click(logs ?? document.body);
    expect(await screen.findByRole("heading", { name: "Log of sentiment (sentiment)" })).toBeInTheDocument();
  }, 20_000);
});
