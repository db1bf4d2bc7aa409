import { configure, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { axeViolations } from "../../test/axe";
import { fakeServer } from "../../test/fetch";
import { renderPage } from "../../test/render";
import { BrokerPanel } from "./BrokerPanel";
import { CREDENTIAL, broker, liveSession, liveView } from "./testData";

configure({ asyncUtilTimeout: 5_000 });

function panel(session = liveView(), credentials = [CREDENTIAL]) {
  fakeServer({
    "GET /v1/broker-credentials": { body: credentials },
    "GET /api/live-trading/sessions/s-1": { body: liveSession() },
  });
  const settings = session.broker ?? broker();
  renderPage(<BrokerPanel session={{ ...session, broker: settings }} />);
}

describe("BrokerPanel", { timeout: 30_000 }, () => {
  it("shows where orders go, with which credentials (never a secret), the reconciliation and the feed", async () => {
    panel();
    const facts = screen.getByLabelText("Broker settings");
    expect(await screen.findByText("alpaca paper (key …WXYZ)")).toBeInTheDocument();
    expect(facts).toHaveTextContent("BrokerAlpaca API at 127.0.0.1:5001");
    expect(facts).toHaveTextContent("Endpointcustom");
    expect(facts).toHaveTextContent("Trading APIhttp://127.0.0.1:5001");
    expect(facts).toHaveTextContent("Reconciliationhalt for approval, every 60 s");
    expect(await screen.findByText(/42 bars/)).toHaveTextContent("connected · 42 bars, last 2026-12-06 10:05Z");
    expect(screen.queryByText(/real money/i)).toBeNull();
    expect(await axeViolations()).toEqual([]);
  });

  it("says in red and in words that a session trades real money", async () => {
    panel(liveView({ real_money: true, broker: broker({ endpoint: "live", base_url: null }) }));
    expect(screen.getByText(/This session trades real money at Alpaca live/)).toBeInTheDocument();
    expect(screen.getByText("REAL MONEY")).toBeInTheDocument();
    expect(screen.getByLabelText("Broker settings")).toHaveTextContent("Trading APIhttps://api.alpaca.markets");
    expect(screen.getByLabelText("Broker settings")).toHaveTextContent("Endpointlive (real money)");
    expect(await screen.findByText("alpaca paper (key …WXYZ)")).toBeInTheDocument();
  });

  it("says when the session's credentials were deleted", async () => {
    panel(liveView(), []);
    expect(await screen.findByText(`deleted (${CREDENTIAL.id})`)).toBeInTheDocument();
  });
});
