import { configure, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { type Route, fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import SessionPage from "./SessionPage";
import { ACCOUNT_ID, FILL, SESSION_ID, sessionView } from "./testData";

vi.mock("./CandleChart", () => ({ default: () => <div>candles</div> }));
vi.mock("./EquityChart", () => ({ default: () => <div>equity</div> }));

configure({ asyncUtilTimeout: 10_000 });
vi.setConfig({ testTimeout: 30_000 });

const TRADING = `/v1/trading/accounts/${ACCOUNT_ID}`;
const fills = Array.from({ length: 502 }, (_, i) => ({ ...FILL, id: `f-${String(i)}`, order_id: `o-${String(i)}` }));

/** The fills route as the server pages it: 500 at most, then from just past `page_token`. */
const fillsRoute: Route = (request) => {
  const query = new URL(request.url).searchParams;
  const token = query.get("page_token");
  const start = token === null ? 0 : fills.findIndex((fill) => fill.id === token) + 1;
  return { body: fills.slice(start, start + Number(query.get("limit") ?? "100")) };
};

describe("SessionPage's fills", () => {
  it("reads every page of the fills once, each from where the last one ended", async () => {
    const server = fakeServer({
      [`GET /v1/sessions/${SESSION_ID}`]: { body: sessionView() },
      [`GET ${TRADING}/positions`]: { body: [] },
      [`GET ${TRADING}/orders`]: { body: [] },
      [`GET ${TRADING}/fills`]: fillsRoute,
    });
    renderPage(<SessionPage />, { path: `/sessions/${SESSION_ID}`, route: "/sessions/:sessionId" });
    const table = await screen.findByRole("table", { name: "Fills" });
    await vi.waitFor(() => {
      expect(table).toHaveAttribute("aria-rowcount", String(fills.length + 1));
    });
    const pages = server.calls(`GET ${TRADING}/fills`).map((request) => new URL(request.url).searchParams);
    expect(pages.map((query) => query.get("page_token"))).toEqual([null, "f-499"]);
  });
});
