import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { AgentCard } from "./AgentCard";
import { agent } from "./fixtures";

const NOW = Date.parse("2012-04-30T20:00:42Z");

function show(props: Partial<Parameters<typeof AgentCard>[0]> = {}) {
  const onLogs = vi.fn();
  const view = renderPage(<AgentCard agent={agent("risk")} now={NOW} onLogs={onLogs} {...props} />);
  return { ...view, onLogs };
}

describe("AgentCard", () => {
  it("shows the agent's state, age, symbols and counters with people's names", () => {
    fakeServer({});
    show({ score: { score: "+0.8481", symbols: "AAPL", headline: "Apple tops" }, agent: agent("sentiment") });
    const card = screen.getByRole("region", { name: "Agent sentiment" });
    expect(within(card).getByText("running")).toBeInTheDocument();
    expect(within(card).getByText("42 s ago")).toBeInTheDocument();
    expect(within(card).getByText(/every symbol/)).toBeInTheDocument();
    expect(within(card).getByText("Headlines scored")).toBeInTheDocument();
    expect(within(card).getByText("+0.8481 AAPL")).toBeInTheDocument();
  });

  it("shows an agent's error", () => {
    fakeServer({});
    show({ agent: agent("strategy", { status: "error", error: "ZeroDivisionError: division by zero" }) });
    expect(screen.getByText("ZeroDivisionError: division by zero")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Start strategy" })).toBeEnabled();
  });

  it("starts a stopped agent", async () => {
    const server = fakeServer({ "POST /api/agents/889613ef-fdee-5429-8ae7-b0fb954e4e66/start": { body: agent("risk") } });
    show({ agent: agent("risk", { status: "stopped" }) });
    expect(screen.getByRole("button", { name: "Stop risk" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Start risk" }));
    await waitFor(() => {
      expect(server.calls("POST /api/agents/889613ef-fdee-5429-8ae7-b0fb954e4e66/start")).toHaveLength(1);
    });
  });

  it("asks before stopping, and shows the server's 409 message", async () => {
    const server = fakeServer({
      "POST /api/agents/889613ef-fdee-5429-8ae7-b0fb954e4e66/stop": {
        status: 409,
        body: { code: 40910000, message: "agent risk is stopping: it cannot stop" },
      },
    });
    show();
    await userEvent.click(screen.getByRole("button", { name: "Stop risk" }));
    const dialog = screen.getByRole("dialog", { name: "Stop agent 'risk'?" });
    expect(server.requests).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Stop agent" }));
    expect(await screen.findByText("agent risk is stopping: it cannot stop")).toBeInTheDocument();
    expect(server.calls("POST /api/agents/889613ef-fdee-5429-8ae7-b0fb954e4e66/stop")).toHaveLength(1);
  });

  it("keeps the controls of a completed session's agents off, saying why", () => {
    fakeServer({});
    show({ locked: "The session is completed" });
    expect(screen.getByRole("button", { name: "Stop risk" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Logs of risk" })).toBeEnabled();
  });

  it("opens the agent's log", async () => {
    fakeServer({});
    const { onLogs } = show();
    await userEvent.click(screen.getByRole("button", { name: "Logs of risk" }));
    expect(onLogs).toHaveBeenCalledWith(expect.objectContaining({ name: "risk" }));
  });
});
