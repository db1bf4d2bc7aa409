import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { MutationDialog } from "./MutationDialog";

function dialog(props: { error: Error | null; pending: boolean; onSubmit?: () => void; onClose?: () => void }) {
  return (
    <MutationDialog
      open
      title="Do it"
      submitLabel="Go"
      busyLabel="Going…"
      onSubmit={props.onSubmit ?? (() => undefined)}
      onClose={props.onClose ?? (() => undefined)}
      error={props.error}
      pending={props.pending}
    >
      <p>The fields</p>
    </MutationDialog>
  );
}

describe("MutationDialog", () => {
  it("sends with its button and closes with Cancel", async () => {
    const onSubmit = vi.fn();
    const onClose = vi.fn();
    render(dialog({ error: null, pending: false, onSubmit, onClose }));
    const box = screen.getByRole("dialog", { name: "Do it" });
    expect(box).toHaveTextContent("The fields");
    expect(within(box).queryByRole("alert")).toBeNull();
    await userEvent.click(within(box).getByRole("button", { name: "Go" }));
    expect(onSubmit).toHaveBeenCalledOnce();
    await userEvent.click(within(box).getByRole("button", { name: "Cancel" }));
    expect(onClose).toHaveBeenCalledOnce();
  });

  it("cannot send twice while the request is on its way, and shows its error", () => {
    const { rerender } = render(dialog({ error: null, pending: true }));
    expect(screen.getByRole("button", { name: "Going…" })).toBeDisabled();
    rerender(dialog({ error: new Error("refused"), pending: false }));
    expect(screen.getByRole("alert")).toHaveTextContent("refused");
    expect(screen.getByRole("button", { name: "Go" })).toBeEnabled();
  });
});
