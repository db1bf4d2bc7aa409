import { render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { VirtualTable } from "./VirtualTable";

describe("VirtualTable", () => {
  it("renders only the rows in view of thousands, with header cells", () => {
    // jsdom lays nothing out: give the scroller a size.
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(360);
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800);
    const rows = Array.from({ length: 20_000 }, (_, index) => ({ id: `f-${index}`, qty: String(index) }));
    render(
      <VirtualTable
        rows={rows}
        columns={[{ key: "qty", label: "Qty", align: "right", render: (row) => row.qty }]}
        rowKey={(row) => row.id}
        label="Fills"
      />,
    );
    const table = screen.getByRole("table", { name: "Fills" });
    expect(within(table).getByRole("columnheader", { name: "Qty" })).toBeInTheDocument();
    const shown = within(table).getAllByRole("row").length;
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(60);
    expect(within(table).getByText("0")).toBeInTheDocument();
    expect(table).toHaveAttribute("aria-rowcount", "20001");
    vi.restoreAllMocks();
  });
});
