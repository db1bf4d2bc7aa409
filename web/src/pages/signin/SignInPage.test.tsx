import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import SignInPage from "./SignInPage";

function renderSignIn() {
  return renderPage(<SignInPage />, { path: "/signin", route: "/signin", signedIn: false });
}

describe("SignInPage", () => {
  it("says so when the server refuses the key, and keeps the secret out of the page", async () => {
    fakeServer({
      "GET /api/system/status": { status: 401, body: { code: 40110000, message: "invalid API key" } },
    });
    renderSignIn();
    await userEvent.type(await screen.findByLabelText(/API key/), "PKBAD:wrongsecret");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That key was not accepted: invalid API key");
    expect(sessionStorage.getItem("paperbroker.key")).toBeNull();
    expect(screen.queryByText(/wrongsecret/)).toBeNull(); // the message never echoes the secret
  });

  it("refuses a key that is not KEY_ID:SECRET without asking the server", async () => {
    const server = fakeServer({});
    renderSignIn();
    await userEvent.type(await screen.findByLabelText(/API key/), "no-colon-here");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("KEY_ID:SECRET");
    expect(server.requests).toHaveLength(0);
  });

  it("keeps an accepted key for the tab and sends it as headers", async () => {
    const server = fakeServer({ "GET /api/system/status": { body: {} } });
    renderSignIn();
    await userEvent.type(await screen.findByLabelText(/API key/), "PKGOOD:goodsecret");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => {
      expect(sessionStorage.getItem("paperbroker.key")).toBe("PKGOOD:goodsecret");
    });
    const request = server.calls("GET /api/system/status")[0]!;
    expect(request.headers.get("APCA-API-KEY-ID")).toBe("PKGOOD");
    expect(request.url).not.toContain("goodsecret");
  });
});
