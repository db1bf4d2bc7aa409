import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeServer } from "../test/fetch";
import { renderPage } from "../test/render";
import { session } from "../pages/sessions/testSessions";
import { SessionControls, whyNot } from "./SessionControls";

const DEMO = session({ id: "s1", name: "momentum-paper", type: "paper", state: "running" });

function renderControls(props: Parameters<typeof SessionControls>[0]) {
  return renderPage(<SessionControls {...props} />, { path: "/sessions", route: "/sessions" });
}

describe("SessionControls", { timeout: 30_000 }, () => {
  it("asks before a kill, naming the session and what stays, then sends it", async () => {
    const server = fakeServer({ "POST /v1/sessions/s1/kill": { body: { ...DEMO, state: "killed" } } });
    renderControls({ session: DEMO, compact: true });
    await userEvent.click(screen.getByRole("button", { name: "Kill session momentum-paper" }));
    const dialog = await screen.findByRole("dialog", { name: "Kill session 'momentum-paper'?" });
    expect(dialog).toHaveTextContent("Its open orders and positions stay as they are.");
    expect(server.requests).toHaveLength(0); // nothing sent before the answer
    await userEvent.click(screen.getByRole("button", { name: "Kill session" }));
    await waitFor(() => {
      expect(server.calls("POST /v1/sessions/s1/kill")).toHaveLength(1);
    });
    expect(await screen.findByText("Session 'momentum-paper' is killed.")).toBeInTheDocument();
  });

  it("sends nothing when the kill is canceled", async () => {
    const server = fakeServer({});
    renderControls({ session: DEMO, compact: true });
    await userEvent.click(screen.getByRole("button", { name: "Kill session momentum-paper" }));
    await userEvent.click(await screen.findByRole("button", { name: "Cancel" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    expect(server.requests).toHaveLength(0);
  });

  it("shows the server's message when it refuses (409)", async () => {
    fakeServer({
      "POST /v1/sessions/s1/pause": {
        status: 409,
        body: { code: 40900000, message: "cannot pause a session that is stopping" },
      },
    });
    renderControls({ session: DEMO });
    await userEvent.click(screen.getByRole("button", { name: "Pause" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("cannot pause a session that is stopping");
  });

  it("disables what the state forbids and says why", async () => {
    fakeServer({});
    renderControls({ session: { ...DEMO, state: "completed" }, compact: true });
    const pause = screen.getByRole("button", { name: "Pause session momentum-paper" });
    expect(pause).toBeDisabled();
    expect(pause.parentElement).toHaveAccessibleDescription(
      "Cannot pause: the session is completed; only a running session pauses",
    );
    await userEvent.hover(pause.parentElement!);
    expect(await screen.findByRole("tooltip")).toHaveTextContent("Cannot pause: the session is completed");
    expect(screen.getByRole("button", { name: "Kill session momentum-paper" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Stop session momentum-paper" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Resume session momentum-paper" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Restart session momentum-paper" })).toBeEnabled();
  });

  it("restarts an ended session without asking and offers to open the new run", async () => {
    const server = fakeServer({
      "POST /v1/sessions/s1/restart": { status: 201, body: { ...DEMO, id: "s2", state: "paused", restarted_from: "s1" } },
    });
    renderControls({ session: { ...DEMO, state: "stopped" }, compact: true });
    await userEvent.click(screen.getByRole("button", { name: "Restart session momentum-paper" }));
    expect(await screen.findByText("Restarted 'momentum-paper' as a new run.")).toBeInTheDocument();
    expect(server.calls("POST /v1/sessions/s1/restart")).toHaveLength(1);
    await userEvent.click(screen.getByRole("button", { name: "Open new run" }));
    expect(await screen.findByText("elsewhere")).toBeInTheDocument(); // at /sessions/s2
  });

  it("asks before restarting a live run, and the page variant goes to the new run", async () => {
    const server = fakeServer({
      "POST /v1/sessions/s1/restart": { status: 201, body: { ...DEMO, id: "s2", state: "paused" } },
    });
    renderControls({ session: DEMO });
    await userEvent.click(screen.getByRole("button", { name: "Restart" }));
    const dialog = await screen.findByRole("dialog", { name: "Restart session 'momentum-paper'?" });
    expect(dialog).toHaveTextContent("positions closed at market");
    await userEvent.click(screen.getByRole("button", { name: "Restart session" }));
    expect(await screen.findByText("elsewhere")).toBeInTheDocument();
    expect(server.calls("POST /v1/sessions/s1/restart")).toHaveLength(1);
  });
});

describe("whyNot", () => {
  it("follows the session lifecycle", () => {
    expect(whyNot("pause", "running")).toBeNull();
    expect(whyNot("pause", "paused")).toMatch(/paused/);
    expect(whyNot("resume", "paused")).toBeNull();
    expect(whyNot("resume", "error")).toBeNull();
    expect(whyNot("resume", "running")).not.toBeNull();
    expect(whyNot("stop", "error")).toBeNull();
    expect(whyNot("stop", "stopping")).not.toBeNull();
    expect(whyNot("kill", "stopping")).toBeNull();
    for (const ended of ["stopped", "killed", "completed"]) {
      expect(whyNot("kill", ended)).toMatch(/already ended/);
      expect(whyNot("restart", ended)).toBeNull();
    }
    expect(whyNot("restart", "stopping")).not.toBeNull();
    // The server refuses it (409): the broker account has moved on since.
    expect(whyNot("restart", "stopped", "live")).toMatch(/create a new one/);
    expect(whyNot("stop", "running", "live")).toBeNull();
  });
});
