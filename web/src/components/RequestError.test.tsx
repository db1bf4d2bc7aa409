import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { RequestError } from "./RequestError";

describe("RequestError", () => {
  it("shows nothing without an error", () => {
    const { container } = render(<RequestError error={null} prefix="Not sent: " />);
    expect(container).toBeEmptyDOMElement();
  });

  it("says what failed in the server's words, and is dismissed only when it can be", async () => {
    const onClose = vi.fn();
    const { rerender } = render(<RequestError error={new Error("busy")} prefix="Not sent: " />);
    expect(screen.getByRole("alert")).toHaveTextContent("Not sent: busy");
    expect(screen.queryByRole("button", { name: "Close" })).toBeNull();
    rerender(<RequestError error={new Error("busy")} onClose={onClose} />);
    expect(screen.getByRole("alert")).toHaveTextContent(/^busy$/);
    await userEvent.click(screen.getByRole("button", { name: "Close" }));
    expect(onClose).toHaveBeenCalledOnce();
  });
});
