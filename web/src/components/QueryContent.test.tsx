import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { QueryContent, type QueryState } from "./QueryContent";

function show(query: QueryState<string[]>) {
  return render(
    <QueryContent query={query} loading="Loading things…" isEmpty={(data) => data.length === 0} empty="No things yet.">
      {(data) => <ul aria-label="Things">{data.map((thing) => <li key={thing}>{thing}</li>)}</ul>}
    </QueryContent>,
  );
}

describe("QueryContent", () => {
  it("says it is loading while the first answer is on its way", () => {
    show({ isPending: true, data: undefined, error: null, refetch: () => undefined });
    expect(screen.getByRole("status")).toHaveTextContent("Loading things…");
  });

  it("shows the error with a retry when there is no answer", async () => {
    const refetch = vi.fn();
    show({ isPending: false, data: undefined, error: new Error("boom"), refetch });
    expect(screen.getByRole("alert")).toHaveTextContent("boom");
    await userEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(refetch).toHaveBeenCalledOnce();
  });

  it("shows the empty text for an empty answer, and the answer otherwise", () => {
    const { rerender } = show({ isPending: false, data: [], error: null, refetch: () => undefined });
    expect(screen.getByText("No things yet.")).toBeInTheDocument();
    expect(screen.queryByRole("list")).toBeNull();
    rerender(
      <QueryContent
        query={{ isPending: false, data: ["a"], error: new Error("refresh failed"), refetch: () => undefined }}
        loading="Loading things…"
        isEmpty={(data) => data.length === 0}
        empty="No things yet."
      >
        {(data) => <ul aria-label="Things">{data.map((thing) => <li key={thing}>{thing}</li>)}</ul>}
      </QueryContent>,
    );
    // A refresh that failed keeps the last answer.
    expect(screen.getByRole("list", { name: "Things" })).toHaveTextContent("a");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
