import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { CREDENTIAL } from "../live/testData";
import type { Credential } from "../live/types";
import CredentialsPage from "./CredentialsPage";

configure({ asyncUtilTimeout: 5_000 });

const ADDED: Credential = { ...CREDENTIAL, id: "1c9d0e2f-0000-4000-8000-000000000002", label: "alpaca live", key_hint: "9876" };

function page() {
  let list: Credential[] = [CREDENTIAL];
  const server = fakeServer({
    "GET /v1/broker-credentials": () => ({ body: list }),
    "POST /v1/broker-credentials": () => {
      list = [...list, ADDED];
      return { status: 201, body: ADDED };
    },
    [`DELETE /v1/broker-credentials/${CREDENTIAL.id}`]: () => {
      list = list.filter((item) => item.id !== CREDENTIAL.id);
      return { status: 204 };
    },
  });
  renderPage(<CredentialsPage />, { path: "/credentials", route: "/credentials" });
  return server;
}

describe("CredentialsPage", { timeout: 30_000 }, () => {
  it("lists the credentials by what may be shown of them", async () => {
    page();
    const table = await screen.findByRole("table", { name: "Broker credentials" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(`alpaca paperalpaca…WXYZ2026-12-06 10:00Z${CREDENTIAL.id}`);
    expect(await axeViolations()).toEqual([]);
  });

  it("adds credentials: the secret goes to the server once and is shown nowhere", async () => {
    const server = page();
    await screen.findByRole("table", { name: "Broker credentials" });
    await userEvent.click(screen.getByRole("button", { name: "Add credentials" }));
    const dialog = screen.getByRole("dialog", { name: "Add broker credentials" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Add credentials" }));
    expect(dialog).toHaveTextContent("Name it, e.g. alpaca paper");
    expect(server.calls("POST /v1/broker-credentials")).toHaveLength(0);
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Label" }), "alpaca live");
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Key id" }), "AK1234569876");
    const secret = within(dialog).getByLabelText(/Secret key/);
    expect(secret).toHaveAttribute("type", "password");
    await userEvent.type(secret, "TOPSECRET-do-not-show");
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(within(dialog).getByRole("button", { name: "Add credentials" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).toBeNull();
    });
    const [request] = server.calls("POST /v1/broker-credentials");
    expect(await request?.json()).toEqual({ label: "alpaca live", key_id: "AK1234569876", secret_key: "TOPSECRET-do-not-show", broker: "alpaca" });
    const table = screen.getByRole("table", { name: "Broker credentials" });
    expect(await within(table).findByText("alpaca live")).toBeInTheDocument();
    expect(document.body).not.toHaveTextContent("TOPSECRET");
    // Opened again, the dialog is empty.
    await userEvent.click(screen.getByRole("button", { name: "Add credentials" }));
    expect(within(screen.getByRole("dialog")).getByLabelText(/Secret key/)).toHaveValue("");
  });

  it("deletes credentials once confirmed", async () => {
    const server = page();
    await userEvent.click(await screen.findByRole("button", { name: "Delete alpaca paper" }));
    const dialog = screen.getByRole("dialog", { name: "Delete the credentials 'alpaca paper'?" });
    expect(dialog).toHaveTextContent("The key ending …WXYZ is deleted from the server.");
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await screen.findByText(/No credentials yet/)).toBeInTheDocument();
    expect(server.calls(`DELETE /v1/broker-credentials/${CREDENTIAL.id}`)).toHaveLength(1);
  });
});
