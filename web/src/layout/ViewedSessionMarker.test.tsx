import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { fakeServer } from "../test/fetch";
import { renderPage } from "../test/render";
import { broker, liveView } from "../pages/live/testData";
import { sessionView } from "../pages/session/testData";
import { ViewedSessionMarker } from "./ViewedSessionMarker";

function bar(session: ReturnType<typeof sessionView>, path = "/sessions/s-1/agents") {
  fakeServer({ "GET /v1/sessions/s-1": { body: session } });
  renderPage(<ViewedSessionMarker />, { path, route: "/sessions/*" });
}

describe("ViewedSessionMarker", { timeout: 30_000 }, () => {
  it("says in the app bar that the session viewed trades real money, on any of its pages", async () => {
    bar(liveView({ real_money: true, broker: broker({ endpoint: "live", base_url: null }) }));
    const marker = await screen.findByRole("status", { name: "Viewed session's money" });
    expect(marker).toHaveTextContent("REAL MONEY");
    expect(marker).toHaveTextContent("sma at the broker");
  });

  it("names the broker of a live session that is not real money", async () => {
    bar(liveView());
    expect(await screen.findByRole("status", { name: "Viewed session's money" })).toHaveTextContent("Alpaca API at 127.0.0.1:5001");
  });

  it("shows nothing for a backtest", async () => {
    const { client } = (() => {
      fakeServer({ "GET /v1/sessions/s-1": { body: sessionView() } });
      return renderPage(<ViewedSessionMarker />, { path: "/sessions/s-1", route: "/sessions/*" });
    })();
    await waitFor(() => {
      expect(client.getQueryData(["session", "s-1", "view"])).toBeDefined();
    });
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("reads no session on the wizard's page", () => {
    const fake = fakeServer({});
    renderPage(<ViewedSessionMarker />, { path: "/sessions/new", route: "/sessions/*" });
    expect(fake.requests).toHaveLength(0);
  });
});
