import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { METRIC_VALUES } from "../session/testData";
import SweepPage from "./SweepPage";
import SweepsPage from "./SweepsPage";
import type { Sweep, SweepResult } from "./types";

const RESULT: SweepResult = {
  idx: 0,
  fold: 0,
  params: { fast: 3, slow: 10 },
  window: { phase: "full", start: "2012-01-03T00:00:00Z", end: "2012-02-29T23:59:59Z" },
  score: "1.5",
  metrics: { ...METRIC_VALUES, total_return: "0.02", sharpe: "1.5", max_drawdown: "-0.01", num_trades: 4 },
  fills_digest: "abc",
  error: null,
};

const SWEEP: Sweep = {
  id: "w1",
  name: "tiny-grid",
  strategy: "sma_crossover",
  status: "running",
  total: 4,
  done: 2,
  eta_seconds: "90",
  created_at: "2026-12-06T10:00:00Z",
  started_at: "2026-12-06T10:00:01Z",
  finished_at: null,
  error: null,
  spec: { space: { fast: { values: [3, 5] }, slow: { values: [10, 20] } }, objective: "sharpe" },
  best: RESULT,
  walk_forward: null,
};

const STRATEGY = {
  name: "sma_crossover",
  origin: "built-in",
  description: "",
  uses_sentiment: false,
  params_schema: {
    type: "object",
    properties: { fast: { type: "integer", default: 10, title: "Fast" }, slow: { type: "integer", default: 30, title: "Slow" } },
  },
};

describe("SweepsPage", { timeout: 40_000 }, () => {
  it("lists sweeps with their progress and launches a 2x2 grid", async () => {
    const server = fakeServer({
      "GET /v1/sweeps": { body: { items: [SWEEP] } },
      "GET /v1/strategies": { body: [STRATEGY] },
      "GET /v1/assets": { body: [{ symbol: "AAPL" }] },
      "POST /v1/sweeps": { status: 202, body: { ...SWEEP, id: "w2" } },
    });
    renderPage(<SweepsPage />, { path: "/sweeps", route: "/sweeps" });
    const table = await screen.findByRole("table", { name: "Sweeps" });
    expect(within(table).getByRole("progressbar", { name: "Progress of tiny-grid" })).toHaveAttribute("aria-valuenow", "50");
    expect(within(table).getByText(/2 of 4 runs · about 1m 30s left/)).toBeInTheDocument();
    expect(within(table).getByRole("link", { name: "tiny-grid" })).toHaveAttribute("href", "/sweeps/w1");
    expect(await axeViolations()).toEqual([]);

    const form = screen.getByRole("form", { name: "Launch a sweep" });
    await userEvent.click(within(form).getByRole("combobox", { name: "Strategy" }));
    await userEvent.click(await screen.findByRole("option", { name: "sma_crossover" }));
    await userEvent.type(within(form).getByRole("combobox", { name: "Symbols" }), "AAP");
    await userEvent.click(await screen.findByRole("option", { name: "AAPL" }));
    await userEvent.type(within(form).getByLabelText(/^Start/), "2012-01-03");
    await userEvent.type(within(form).getByLabelText(/^End/), "2012-02-29");
    const ranges = within(form).getByRole("group", { name: "Parameter ranges" });
    for (const [name, min, max, step] of [["Fast", "3", "5", "2"], ["Slow", "10", "20", "10"]] as const) {
      await userEvent.click(within(ranges).getByRole("checkbox", { name }));
      for (const [part, value] of [["min", min], ["max", max], ["step", step]] as const) {
        const field = within(ranges).getByLabelText(`${name} ${part}`);
        await userEvent.clear(field);
        await userEvent.type(field, value);
      }
    }
    expect(within(form).getByRole("status")).toHaveTextContent("4 combinations");
    await userEvent.click(within(form).getByRole("button", { name: "Launch sweep" }));
    expect(await screen.findByText("elsewhere")).toBeInTheDocument();
    const body = (await server.calls("POST /v1/sweeps")[0]!.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      strategy: "sma_crossover",
      method: "grid",
      space: { fast: { min: 3, max: 5, step: 2 }, slow: { min: 10, max: 20, step: 10 } },
    });
  });
});

describe("SweepPage", { timeout: 40_000 }, () => {
  it("shows the progress, the results and a heatmap of two parameters, and opens a result as a session", async () => {
    const server = fakeServer({
      "GET /v1/sweeps/w1": { body: SWEEP },
      "GET /v1/sweeps/w1/results": { body: { items: [RESULT, { ...RESULT, idx: 1, params: { fast: 5, slow: 10 }, score: "0.5" }], total: 2 } },
      "GET /v1/sweeps/w1/heatmap": {
        body: { x: { name: "fast", values: [3, 5] }, y: { name: "slow", values: [10, 20] }, metric: "score", cells: [["1.5", "0.5"], [null, null]] },
      },
      "POST /v1/sweeps/w1/results/1/session": { status: 201, body: { id: "s9" } },
    });
    renderPage(<SweepPage />, { path: "/sweeps/w1", route: "/sweeps/:sweepId" });
    expect(await screen.findByRole("heading", { level: 1, name: "tiny-grid" })).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Progress of tiny-grid" })).toHaveAttribute("aria-valuenow", "50");
    const heatmap = await screen.findByRole("table", { name: "Heatmap of score by slow and fast" });
    expect(within(heatmap).getAllByRole("row")).toHaveLength(3);
    expect(within(heatmap).getByRole("row", { name: /^10/ })).toHaveTextContent("101.500.50");
    const url = new URL(server.calls("GET /v1/sweeps/w1/heatmap")[0]!.url);
    expect([url.searchParams.get("x"), url.searchParams.get("y"), url.searchParams.get("metric")]).toEqual(["fast", "slow", "score"]);
    const results = screen.getByRole("table", { name: "Sweep results" });
    expect(within(results).getAllByRole("row")).toHaveLength(3);
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(within(results).getByRole("button", { name: "Open as session: result 1" }));
    await waitFor(() => {
      expect(server.calls("POST /v1/sweeps/w1/results/1/session")).toHaveLength(1);
    });
    expect(await screen.findByText("elsewhere")).toBeInTheDocument();
  });
});
