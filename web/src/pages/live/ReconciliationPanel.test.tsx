import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { type Route, fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { figures, ReconciliationPanel } from "./ReconciliationPanel";
import { HALTED, run } from "./testData";

configure({ asyncUtilTimeout: 5_000 });

const RUNS = "/v1/sessions/s-1/reconciliations";

function panel(routes: Record<string, Route>) {
  const server = fakeServer(routes);
  renderPage(<ReconciliationPanel sessionId="s-1" name="sma at the broker" intervalSeconds={null} />);
  return server;
}

describe("ReconciliationPanel", { timeout: 30_000 }, () => {
  it("lists the runs with their outcome in words, and opens a run onto its differences", async () => {
    panel({ [`GET ${RUNS}`]: { body: [HALTED, run()] } });
    const table = await screen.findByRole("table", { name: "Reconciliation runs" });
    const rows = within(table).getAllByRole("row");
    expect(rows.map((row) => row.textContent)).toEqual([
      "DetailsTimeTriggerOutcomeDifferencesResolvedAction",
      "2026-12-06 10:04Zmanualhalted: awaits approval2—Approve",
      "2026-12-06 10:01Zstartclean0—",
    ]);
    // A clean run has nothing to open.
    expect(within(rows[2] as HTMLElement).getByRole("button", { name: /Show the differences/ })).toBeDisabled();
    expect(screen.getByRole("alert")).toHaveTextContent("Trading is halted until the broker's figures are approved");

    await userEvent.click(within(rows[1] as HTMLElement).getByRole("button", { name: /Show the differences/ }));
    const differences = screen.getByRole("table", { name: "Differences of the run of 2026-12-06 10:04Z" });
    expect(within(differences).getAllByRole("row").map((row) => row.textContent)).toEqual([
      "KindSymbolSessionBrokerWhat",
      "Position opened outsideAAPLqty 0qty 5, avg_entry_price 411.00the broker holds 5 AAPL, the session none",
      "Cash drift—cash 100000cash 97945.00cash differs by -2055.00",
    ]);
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(within(rows[1] as HTMLElement).getByRole("button", { name: /Hide the differences/ }));
    expect(screen.queryByRole("table", { name: /Differences of/ })).toBeNull();
  });

  it("approves a halted run once confirmed, and reads the runs again", async () => {
    let runs = [HALTED, run()];
    const server = panel({
      [`GET ${RUNS}`]: () => ({ body: runs }),
      [`POST ${RUNS}/run-2/approve`]: () => {
        runs = [{ ...HALTED, outcome: "approved", resolved_at: "2026-12-06T10:06:00Z", resolved_by: "ops (PKTEST)" }, run()];
        return { body: runs[0] };
      },
    });
    const table = await screen.findByRole("table", { name: "Reconciliation runs" });
    await userEvent.click(within(table).getByRole("button", { name: "Approve" }));
    const dialog = screen.getByRole("dialog", { name: "Approve the broker's figures for 'sma at the broker'?" });
    expect(dialog).toHaveTextContent("Position opened outside AAPL, Cash drift");
    expect(server.calls(`POST ${RUNS}/run-2/approve`)).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(server.calls(`POST ${RUNS}/run-2/approve`)).toHaveLength(0);

    // The dialog hides the page from assistive technology until it has closed.
    await userEvent.click(await within(table).findByRole("button", { name: "Approve" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Approve" }));
    await waitFor(() => {
      expect(within(table).getAllByRole("row")[1]).toHaveTextContent("approved22026-12-06 10:06Z by ops (PKTEST)");
    });
    expect(server.calls(`POST ${RUNS}/run-2/approve`)).toHaveLength(1);
    expect(screen.queryByRole("button", { name: "Approve" })).toBeNull();
    expect(screen.queryByText(/Trading is halted/)).toBeNull();
  });

  it("shows a superseded halted run as settled, not awaiting approval", async () => {
    panel({
      [`GET ${RUNS}`]: { body: [{ ...HALTED, resolved_at: "2026-12-06T10:05:00Z", resolved_by: "superseded by run run-3" }] },
    });
    const table = await screen.findByRole("table", { name: "Reconciliation runs" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent("halted, superseded");
    expect(screen.queryByRole("button", { name: "Approve" })).toBeNull();
  });

  it("reconciles now and says what came of it, or why it did not run", async () => {
    let answer: Route = { status: 201, body: run({ id: "run-9", trigger: "manual" }) };
    const server = panel({ [`GET ${RUNS}`]: { body: [] }, [`POST ${RUNS}`]: () => answer as { status: number } });
    expect(await screen.findByText("No reconciliation yet.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Reconcile now" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Reconciled: 0 difference(s), clean.");
    answer = { status: 503, body: { code: 50300000, message: "the broker could not be reached" } };
    await userEvent.click(screen.getByRole("button", { name: "Reconcile now" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The reconciliation did not run");
    expect(screen.getByRole("alert")).toHaveTextContent("the broker could not be reached");
    expect(server.calls(`POST ${RUNS}`)).toHaveLength(2);
  });
});

describe("figures", () => {
  it("writes a side's figures in words, a dash for none", () => {
    expect(figures({ qty: "5", avg_entry_price: "411.00" })).toBe("qty 5, avg_entry_price 411.00");
    expect(figures(null)).toBe("—");
    expect(figures({})).toBe("—");
  });
});
