import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { type Route, fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { CheckpointsPanel, formatBytes } from "./CheckpointsPanel";
import { checkpoints } from "./testData";

configure({ asyncUtilTimeout: 5_000 });

const CHECKPOINTS = "/v1/sessions/s-1/checkpoints";

function panel(routes: Record<string, Route>) {
  const server = fakeServer(routes);
  renderPage(<CheckpointsPanel sessionId="s-1" name="walk" />);
  return server;
}

describe("CheckpointsPanel", { timeout: 30_000 }, () => {
  it("shows the count, the newest, the total size and the last restore, and the newest checkpoints", async () => {
    panel({ [`GET ${CHECKPOINTS}`]: { body: checkpoints() } });
    expect(await screen.findByLabelText("Checkpoint figures")).toHaveTextContent(
      "Checkpoints3Latest2026-12-06 10:05Z at seq 812Total size44.3 KBLast restore2026-12-06 09:00Z: from seq 700, 112 events replayed in 0.041 s",
    );
    const table = screen.getByRole("table", { name: "Newest checkpoints" });
    expect(within(table).getAllByRole("row").map((row) => row.textContent)).toEqual([
      "WrittenSeqReasonSize",
      "2026-12-06 10:05Z812manual15.0 KB",
      "2026-12-06 09:59Z700interval14.6 KB",
      "2026-12-06 09:58Z512interval14.6 KB",
    ]);
    expect(await axeViolations()).toEqual([]);
  });

  it("writes a checkpoint now, and says why one cannot be written", async () => {
    let answer: { status: number; body: unknown } = {
      status: 201,
      body: { id: 4, seq: 900, created_at: "2026-12-06T10:06:00Z", reason: "manual", schema_version: 1, size: 900, digest: "d" },
    };
    const server = panel({ [`GET ${CHECKPOINTS}`]: { body: checkpoints() }, [`POST ${CHECKPOINTS}`]: () => answer });
    await userEvent.click(await screen.findByRole("button", { name: "Checkpoint now" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Checkpoint at seq 900 (900 B).");
    answer = { status: 409, body: { code: 40900000, message: "no checkpoint of session s-1: a broker's venue" } };
    await userEvent.click(screen.getByRole("button", { name: "Checkpoint now" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("No checkpoint was written");
    expect(screen.getByRole("alert")).toHaveTextContent("a broker's venue");
    expect(server.calls(`POST ${CHECKPOINTS}`)).toHaveLength(2);
    expect(server.calls(`GET ${CHECKPOINTS}`).length).toBeGreaterThanOrEqual(2); // read again after each
  });

  it("cleans up keeping the newest count asked for, once confirmed", async () => {
    const server = panel({
      [`GET ${CHECKPOINTS}`]: { body: checkpoints() },
      [`DELETE ${CHECKPOINTS}`]: { body: { session_id: "s-1", deleted: 2 } },
    });
    await userEvent.click(await screen.findByRole("button", { name: "Clean up" }));
    const dialog = screen.getByRole("dialog", { name: "Clean up the checkpoints of 'walk'?" });
    expect(dialog).toHaveTextContent("0 of 3 would be deleted");
    const keep = within(dialog).getByRole("textbox", { name: "Keep the newest" });
    await userEvent.clear(keep);
    await userEvent.type(keep, "0");
    expect(within(dialog).getByRole("button", { name: "Delete 0" })).toBeDisabled();
    await userEvent.clear(keep);
    await userEvent.type(keep, "1");
    expect(dialog).toHaveTextContent("2 of 3 would be deleted");
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete 2" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Deleted 2 checkpoint(s).");
    const [request] = server.calls(`DELETE ${CHECKPOINTS}`);
    expect(new URL(request?.url ?? "").searchParams.get("keep_count")).toBe("1");
  });

  it("has nothing to clean up with one checkpoint or none", async () => {
    panel({
      [`GET ${CHECKPOINTS}`]: {
        body: checkpoints({
          stats: { count: 0, latest_seq: null, latest_at: null, total_size: 0, last_restore: null },
          checkpoints: [],
        }),
      },
    });
    await waitFor(() => {
      expect(screen.getByLabelText("Checkpoint figures")).toHaveTextContent(
        "Checkpoints0Latestnone yetTotal size0 BLast restorenone in this server run",
      );
    });
    expect(screen.getByRole("button", { name: "Clean up" })).toBeDisabled();
  });
});

describe("formatBytes", () => {
  it("writes sizes as people read them", () => {
    expect(formatBytes(812)).toBe("812 B");
    expect(formatBytes(45_312)).toBe("44.3 KB");
    expect(formatBytes(3_250_000)).toBe("3.1 MB");
  });
});
