import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { fakeServer, type Route } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { CREDENTIAL } from "../live/testData";
import assets from "./fixtures/assets.json";
import presets from "./fixtures/presets.json";
import strategies from "./fixtures/strategies.json";
import NewSessionPage from "./NewSessionPage";
import { emptyState, type WizardState } from "./wizardState";

configure({ asyncUtilTimeout: 5_000 });

function server(overrides: Record<string, Route> = {}) {
  return fakeServer({
    "GET /v1/strategies": { body: strategies },
    "GET /v1/assets": { body: assets },
    "GET /v1/execution/presets": { body: presets },
    "GET /v1/broker-credentials": { body: [CREDENTIAL] },
    ...overrides,
  });
}

function open(step: number, state: Partial<WizardState>) {
  sessionStorage.setItem("paperbroker.newSession", JSON.stringify({ ...emptyState(), ...state }));
  return renderPage(<NewSessionPage />, { path: `/sessions/new?step=${String(step)}`, route: "/sessions/new" });
}

const atTrading: Partial<WizardState> = { kind: "live", strategy: "sentiment_momentum", symbols: ["AAPL"] };

describe("NewSessionPage: a live session", { timeout: 60_000 }, () => {
  it("creates a live session at a custom broker with stored credentials", async () => {
    const fake = server({ "POST /api/live-trading/sessions": { status: 201, body: { id: "l-1" } } });
    open(3, atTrading);
    const broker = await screen.findByRole("group", { name: "Broker" });
    // No initial balance nor execution models: the broker's cash and fills are the session's.
    expect(screen.queryByLabelText(/Initial balance/)).toBeNull();
    await userEvent.click(within(broker).getByRole("radio", { name: /Custom URL/ }));
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(screen.getByText("An http(s) URL of a server speaking Alpaca's trading API")).toBeInTheDocument();
    expect(screen.getByText("Pick the credentials to trade with")).toBeInTheDocument();
    await userEvent.type(screen.getByRole("textbox", { name: "Broker URL" }), "http://127.0.0.1:5001");
    await userEvent.click(screen.getByRole("combobox", { name: "Credentials" }));
    await userEvent.click(screen.getByRole("option", { name: "alpaca paper (key …WXYZ)" }));
    await userEvent.click(screen.getByRole("combobox", { name: "On a difference with the broker" }));
    await userEvent.click(screen.getByRole("option", { name: "Halt for approval" }));
    await userEvent.clear(screen.getByRole("textbox", { name: /Reconcile every/ }));
    await userEvent.type(screen.getByRole("textbox", { name: /Reconcile every/ }), "30");
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    const review = screen.getByRole("table", { name: "Review" });
    expect(review).toHaveTextContent("TypeLive (broker)");
    expect(review).toHaveTextContent("BrokerAlpaca API at 127.0.0.1:5001 (http://127.0.0.1:5001)");
    expect(review).toHaveTextContent("Credentialsalpaca paper (key …WXYZ)");
    expect(review).toHaveTextContent("Reconciliationhalt trading for approval on a difference, checked every 30 s");
    expect(screen.queryByText("REAL MONEY")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Create live session" }));
    expect(await screen.findByText("elsewhere")).toBeInTheDocument();
    expect(await fake.calls("POST /api/live-trading/sessions")[0]?.json()).toEqual({
      name: "sentiment_momentum-AAPL-live",
      symbols: ["AAPL"],
      strategy: { name: "sentiment_momentum", params: {} },
      feed: { type: "replay", speed: 1 },
      broker: {
        type: "alpaca",
        endpoint: "custom",
        base_url: "http://127.0.0.1:5001",
        credentials_id: CREDENTIAL.id,
        reconcile: { policy: "halt", interval_seconds: 30 },
      },
      confirm_real_money: false,
    });
  });

  it("refuses to go on to the live endpoint until real money is confirmed, and the review repeats it in red", async () => {
    const fake = server({ "POST /api/live-trading/sessions": { status: 201, body: { id: "l-2" } } });
    open(3, { ...atTrading, broker: { ...emptyState().broker, credentialsId: CREDENTIAL.id } });
    const broker = await screen.findByRole("group", { name: "Broker" });
    await userEvent.click(within(broker).getByRole("radio", { name: /Alpaca live trading/ }));
    // Real money halts for a person by default.
    expect(screen.getByRole("combobox", { name: "On a difference with the broker" })).toHaveTextContent("Halt for approval");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(screen.getByText("Confirm that this session trades real money")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Trading parameters" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("checkbox", { name: "I understand this trades real money" }));
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    const warning = screen.getByRole("alert");
    expect(warning).toHaveTextContent("REAL MONEY");
    expect(warning).toHaveTextContent("You confirmed: I understand this trades real money.");
    expect(warning.className).toMatch(/MuiAlert-colorError.*MuiAlert-filled/);
    await userEvent.click(screen.getByRole("button", { name: "Create live session" }));
    await waitFor(() => {
      expect(fake.calls("POST /api/live-trading/sessions")).toHaveLength(1);
    });
    const body = (await fake.calls("POST /api/live-trading/sessions")[0]?.json()) as Record<string, unknown>;
    expect(body.broker).toEqual({ type: "alpaca", endpoint: "live", credentials_id: CREDENTIAL.id, reconcile: { policy: "halt", interval_seconds: 60 } });
    expect(body.confirm_real_money).toBe(true);
  });

  it("puts the server's refusal of the credentials back on their field", async () => {
    server({
      "POST /api/live-trading/sessions": {
        status: 422,
        body: { code: 42210000, message: "broker.credentials_id: the broker refused the credential", field: "broker.credentials_id" },
      },
    });
    open(5, { ...atTrading, broker: { ...emptyState().broker, credentialsId: CREDENTIAL.id } });
    await userEvent.click(await screen.findByRole("button", { name: "Create live session" }));
    expect(await screen.findByText("broker.credentials_id: the broker refused the credential")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Trading parameters" })).toBeInTheDocument();
  });

  it("adds credentials from the wizard and picks them", async () => {
    const made = { ...CREDENTIAL, id: "1c9d0e2f-0000-4000-8000-000000000002", label: "new key", key_hint: "4321" };
    let list = [CREDENTIAL];
    server({
      "GET /v1/broker-credentials": () => ({ body: list }),
      "POST /v1/broker-credentials": () => {
        list = [...list, made];
        return { status: 201, body: made };
      },
    });
    open(3, atTrading);
    await userEvent.click(await screen.findByRole("button", { name: "Add credentials" }));
    const dialog = screen.getByRole("dialog", { name: "Add broker credentials" });
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Label" }), "new key");
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Key id" }), "PK4321");
    await userEvent.type(within(dialog).getByLabelText(/Secret key/), "s");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add credentials" }));
    await waitFor(() => {
      expect(screen.getByRole("combobox", { name: "Credentials" })).toHaveTextContent("new key (key …4321)");
    });
  });
});
