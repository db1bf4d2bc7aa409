import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { axeViolations } from "../../test/axe";
import { fakeServer } from "../../test/fetch";
import { renderPage, TEST_KEY } from "../../test/render";
import type { Arms, Attribution, TradeReview } from "./analyticsTypes";
import { ArmsPanel } from "./ArmsPanel";
import { DerivedSessionActions } from "./DerivedSessionActions";
import { ReportButtons } from "./ReportButtons";
import { sessionView } from "./testData";
import { TradeReviewPanel } from "./TradeReviewPanel";

describe("the session's analytics", { timeout: 30_000 }, () => {
  it("downloads the HTML report with the key's headers, under the server's file name", async () => {
    const requests: Request[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn((request: Request) => {
        requests.push(request);
        return Promise.resolve(
          new Response("<html>sma</html>", {
            headers: { "content-type": "text/html", "content-disposition": 'attachment; filename="sma-report.html"' },
          }),
        );
      }),
    );
    const created = vi.fn(() => "blob:report");
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: created, revokeObjectURL: vi.fn() }));
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    renderPage(<ReportButtons sessionId="s1" name="sma" />);
    await userEvent.click(await screen.findByRole("button", { name: "Download report" }));
    await waitFor(() => {
      expect(clicked).toEqual(["sma-report.html"]);
    });
    const request = requests[0]!;
    expect(new URL(request.url).pathname).toBe("/v1/sessions/s1/report");
    expect(new URL(request.url).searchParams.get("format")).toBe("html");
    expect(request.headers.get("APCA-API-KEY-ID")).toBe(TEST_KEY.keyId);
    expect(request.headers.get("APCA-API-SECRET-KEY")).toBe(TEST_KEY.secret);
    expect(created).toHaveBeenCalledOnce();
  });

  it("shows the server's message when a report cannot be made", async () => {
    fakeServer({ "GET /v1/sessions/s1/report": { status: 404, body: { code: 40410000, message: "no such session" } } });
    renderPage(<ReportButtons sessionId="s1" name="sma" />);
    await userEvent.click(await screen.findByRole("button", { name: "Export JSON" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("no such session");
  });

  it("clones the session under a new name and opens the copy", async () => {
    const session = sessionView();
    const server = fakeServer({ [`POST /v1/sessions/${session.id}/clone`]: { status: 201, body: { ...session, id: "copy" } } });
    renderPage(<DerivedSessionActions session={session} />);
    expect(screen.getByRole("button", { name: "Rerun" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Promote to paper" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Clone" }));
    const dialog = await screen.findByRole("dialog");
    const name = within(dialog).getByLabelText("Name of the copy");
    await userEvent.clear(name);
    await userEvent.type(name, "copy-1");
    await userEvent.click(within(dialog).getByRole("button", { name: "Clone" }));
    expect(await screen.findByText("elsewhere")).toBeInTheDocument();
    expect(await server.calls(`POST /v1/sessions/${session.id}/clone`)[0]!.json()).toEqual({ changes: { name: "copy-1" } });
  });

  it("reviews each trade with its excursions, slippage and holding time", async () => {
    const trade: TradeReview = {
      symbol: "AAPL",
      direction: "long",
      qty: "10",
      entry_time: "2012-01-03T21:00:00Z",
      entry_price: "411.23",
      exit_time: "2012-01-09T21:00:00Z",
      exit_price: "421.0",
      gross_pnl: "97.7",
      fees: "0.4",
      pnl: "97.3",
      return_pct: "0.0237",
      holding_seconds: "518400",
      fill_ids: ["f1", "f2"],
      mae: "-0.0121",
      mfe: "0.031",
      slippage: "0.45",
      entry_order_id: "o1",
      exit_order_id: "o2",
      factor: "sma cross up",
    };
    fakeServer({ "GET /v1/sessions/s1/trades": { body: { items: [trade] } } });
    renderPage(<TradeReviewPanel sessionId="s1" />);
    const table = await screen.findByRole("table", { name: "Trade review" });
    const row = within(table).getAllByRole("row")[1]!;
    expect(row).toHaveTextContent("−1.21 %");
    expect(row).toHaveTextContent("3.10 %");
    expect(row).toHaveTextContent("$0.45");
    expect(row).toHaveTextContent("6d 0h");
    expect(row).toHaveTextContent("sma cross up");
    expect(await axeViolations()).toEqual([]);
  });

  it("shows a multi-strategy session's arms, their differences with intervals, and the attribution", async () => {
    const arms: Arms = {
      mode: "ab",
      arms: [
        { label: "fast", strategy: "sma_crossover", params: { fast: 3 }, account_id: "a1", weight: "0.5", metrics: null, equity: [] },
        { label: "slow", strategy: "sma_crossover", params: { fast: 10 }, account_id: "a2", weight: "0.5", metrics: null, equity: [] },
      ],
      comparisons: [
        {
          a: "fast",
          b: "slow",
          sharpe_diff: { estimate: "0.4", low: "-0.1", high: "0.9" },
          return_diff: { estimate: "0.01", low: "-0.02", high: "0.03" },
          confidence: "0.95",
          resamples: 2000,
        },
      ],
    };
    const attribution: Attribution = {
      items: [
        { label: "fast", strategy: "sma_crossover", realized_pnl: "120", unrealized_pnl: "0", fees: "1", pnl: "119", fills: 3, orders: 6 },
        { label: "slow", strategy: "sma_crossover", realized_pnl: "-20", unrealized_pnl: "5", fees: "1", pnl: "-16", fills: 1, orders: 2 },
      ],
    };
    fakeServer({ "GET /v1/sessions/s1/arms": { body: arms }, "GET /v1/sessions/s1/attribution": { body: attribution } });
    renderPage(<ArmsPanel sessionId="s1" />);
    const differences = await screen.findByRole("table", { name: "Differences between arms" });
    expect(differences).toHaveTextContent("fast − slow0.40 [−0.10, 0.90]1.00 % [−2.00 %, 3.00 %]95.00 %2,000");
    const attributed = screen.getByRole("table", { name: "Attribution by strategy" });
    expect(attributed).toHaveTextContent("+$120.00");
    // The attribution counts fills; the arms' "Trades" are closed round trips.
    expect(within(attributed).getByRole("columnheader", { name: "Fills" })).toBeInTheDocument();
    expect(within(attributed).queryByRole("columnheader", { name: "Trades" })).toBeNull();
    expect(await axeViolations()).toEqual([]);
  });

  it("hides the arms of a single-strategy session", async () => {
    fakeServer({});
    const { container } = renderPage(<ArmsPanel sessionId="s1" />);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(container).not.toHaveTextContent("Arms");
  });
});
