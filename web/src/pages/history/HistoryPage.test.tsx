import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useLocation } from "react-router";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import HistoryPage from "./HistoryPage";
import { summary } from "./testData";

function Probe() {
  const location = useLocation();
  return <output aria-label="address">{location.pathname + location.search}</output>;
}

const ROWS = [summary({ session_id: "a", name: "fast" }), summary({ session_id: "b", name: "slow", pnl: "-50", sharpe: "-0.5" })];

describe("HistoryPage", { timeout: 30_000 }, () => {
  it("lists ended sessions with their results, sorts on the server and compares two picked", async () => {
    const server = fakeServer({
      "GET /v1/history": { body: { items: ROWS, total: 2 } },
      "GET /v1/strategies": { body: [] },
    });
    const { router } = renderWithRouter("/history");
    const table = await screen.findByRole("table", { name: "Past sessions" });
    const fast = within(table).getByRole("link", { name: "fast" }).closest("tr")!;
    expect(fast).toHaveTextContent("+$1,234.50");
    expect(fast).toHaveTextContent("1.23 %");
    expect(fast).toHaveTextContent("−3.40 %");
    expect(fast).toHaveTextContent("1.25");
    expect(await axeViolations()).toEqual([]);

    const compare = screen.getByRole("button", { name: "Compare" });
    expect(compare).toBeDisabled();
    await userEvent.click(screen.getByRole("checkbox", { name: "Select fast" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select slow" }));
    await userEvent.click(screen.getByRole("button", { name: "Sharpe" }));
    await waitFor(() => {
      const last = server.calls("GET /v1/history").at(-1)!;
      expect(new URL(last.url).searchParams.get("sort")).toBe("sharpe");
    });
    expect(new URL(server.calls("GET /v1/history").at(-1)!.url).searchParams.get("order")).toBe("desc");
    await userEvent.click(screen.getByRole("button", { name: "Compare (2)" }));
    await waitFor(() => {
      expect(router()).toBe("/compare?sessions=a,b");
    });
  });

  it("says so when nothing has ended yet", async () => {
    fakeServer({ "GET /v1/history": { body: { items: [], total: 0 } }, "GET /v1/strategies": { body: [] } });
    renderWithRouter("/history");
    expect(await screen.findByText("No past session yet")).toBeInTheDocument();
  });
});

function renderWithRouter(path: string) {
  renderPage(
    <>
      <HistoryPage />
      <Probe />
    </>,
    // Every address shows the page, so the probe tells where a click went.
    { path, route: "*" },
  );
  return { router: () => screen.getByRole("status", { name: "address" }).textContent };
}
