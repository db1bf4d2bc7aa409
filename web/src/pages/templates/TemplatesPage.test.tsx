import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import TemplatesPage from "./TemplatesPage";
import type { Template } from "./types";

const BUILTIN: Template = {
  id: "builtin:moderate",
  name: "moderate",
  description: "A moderate SMA crossover",
  type: "backtest",
  config: { strategy: { name: "sma_crossover", params: { fast: 10 } } },
  builtin: true,
  created_at: null,
  updated_at: null,
};
const OWN: Template = { ...BUILTIN, id: "t1", name: "mine", builtin: false, description: "", created_at: "2026-12-06T10:00:00Z" };

describe("TemplatesPage", { timeout: 30_000 }, () => {
  it("lists the templates, built-ins marked and not deletable, and starts a session from one", async () => {
    const server = fakeServer({
      "GET /v1/templates": { body: { items: [BUILTIN, OWN] } },
      "POST /v1/templates/t1/sessions": { status: 201, body: { id: "s-new" } },
    });
    renderPage(<TemplatesPage />, { path: "/templates", route: "/templates" });
    const table = await screen.findByRole("table", { name: "Templates" });
    const builtin = within(table).getByText("moderate").closest("tr")!;
    expect(within(builtin).getByText("Built-in")).toBeInTheDocument();
    expect(within(builtin).getByText("sma_crossover")).toBeInTheDocument();
    expect(within(builtin).getByRole("button", { name: "Delete template moderate" })).toBeDisabled();
    expect(within(table).getByRole("link", { name: "Open template mine in the wizard" })).toHaveAttribute("href", "/sessions/new?template=t1");
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(within(table).getByRole("button", { name: "New session from template mine" }));
    expect(await screen.findByText("elsewhere")).toBeInTheDocument(); // the new session's page
    expect(await server.calls("POST /v1/templates/t1/sessions")[0]!.json()).toEqual({});
  });

  it("creates a template from a JSON configuration and deletes one after asking", async () => {
    const server = fakeServer({
      "GET /v1/templates": { body: { items: [OWN] } },
      "GET /v1/sessions": { body: [] },
      "POST /v1/templates": { status: 201, body: { ...OWN, id: "t2", name: "from-json" } },
      "DELETE /v1/templates/t1": { status: 204 },
    });
    renderPage(<TemplatesPage />, { path: "/templates", route: "/templates" });
    await userEvent.click(await screen.findByRole("button", { name: "New template" }));
    const dialog = await screen.findByRole("dialog", { name: "New template" });
    await userEvent.type(within(dialog).getByLabelText(/^Name/), "from-json");
    await userEvent.click(within(dialog).getByRole("button", { name: "From a JSON configuration" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Save template" }));
    await waitFor(() => {
      expect(server.calls("POST /v1/templates")).toHaveLength(1);
    });
    const body = (await server.calls("POST /v1/templates")[0]!.json()) as { name: string; type: string; config: { strategy: { name: string } } };
    expect(body.name).toBe("from-json");
    expect(body.type).toBe("backtest");
    expect(body.config.strategy.name).toBe("sma_crossover");
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });

    await userEvent.click(screen.getByRole("button", { name: "Delete template mine" }));
    await userEvent.click(await screen.findByRole("button", { name: "Delete template" }));
    await waitFor(() => {
      expect(server.calls("DELETE /v1/templates/t1")).toHaveLength(1);
    });
  });
});
