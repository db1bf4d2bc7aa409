import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { FilterBar, filterNames, FilterSelect } from "./FilterSelect";

describe("filterNames", () => {
  it("offers the known names sorted, once each, with the chosen one even when none has it", () => {
    expect(filterNames(["b", "a", "b"], "")).toEqual(["a", "b"]);
    expect(filterNames(["b", "a"], "zeta")).toEqual(["a", "b", "zeta"]);
    expect(filterNames(["b", "a"], "a")).toEqual(["a", "b"]);
  });

  it("leaves a special choice to be offered apart", () => {
    expect(filterNames(["a"], "__none__", ["__none__"])).toEqual(["a"]);
  });
});

describe("FilterSelect", () => {
  it("shows the empty value as all, and hands a choice's value back", async () => {
    const onChange = vi.fn();
    render(
      <FilterBar label="Filter things">
        <FilterSelect label="Kind" value="" all="All kinds" options={["plain", { value: "x", label: "Extra" }]} onChange={onChange} />
      </FilterBar>,
    );
    const select = within(screen.getByRole("search", { name: "Filter things" })).getByRole("combobox", { name: "Kind" });
    expect(select).toHaveTextContent("All kinds");
    await userEvent.click(select);
    await userEvent.click(screen.getByRole("option", { name: "Extra" }));
    expect(onChange).toHaveBeenCalledWith("x");
  });
});
