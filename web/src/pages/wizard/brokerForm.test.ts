import { describe, expect, it } from "vitest";

import { brokerBody, brokerErrors, emptyBrokerForm, withEndpoint, type BrokerForm } from "./brokerForm";

const ready: BrokerForm = { ...emptyBrokerForm(), credentialsId: "server" };

describe("brokerForm", () => {
  it("follows the server's default policy per endpoint until the user chooses one", () => {
    expect(withEndpoint(ready, "live").policy).toBe("halt");
    expect(withEndpoint(withEndpoint(ready, "live"), "custom").policy).toBe("adopt");
    const chosen = { ...ready, policy: "halt" as const, policyChosen: true };
    expect(withEndpoint(chosen, "paper").policy).toBe("halt");
  });

  it("asks for the real-money confirmation again after leaving the live endpoint", () => {
    const confirmed = { ...withEndpoint(ready, "live"), confirmRealMoney: true };
    expect(brokerErrors(confirmed)).toEqual({});
    const back = withEndpoint(withEndpoint(confirmed, "paper"), "live");
    expect(brokerErrors(back)).toEqual({ confirm_real_money: "Confirm that this session trades real money" });
  });

  it("checks what the schema bounds", () => {
    expect(brokerErrors(emptyBrokerForm())).toEqual({ "broker.credentials_id": "Pick the credentials to trade with" });
    expect(Object.keys(brokerErrors({ ...ready, intervalSeconds: "4" }))).toEqual(["broker.reconcile.interval_seconds"]);
    expect(Object.keys(brokerErrors({ ...ready, intervalSeconds: "86401" }))).toEqual(["broker.reconcile.interval_seconds"]);
    expect(brokerErrors({ ...ready, intervalSeconds: "5" })).toEqual({});
    const custom = withEndpoint(ready, "custom");
    expect(Object.keys(brokerErrors({ ...custom, baseUrl: "ftp://x" }))).toEqual(["broker.base_url"]);
    expect(brokerErrors({ ...custom, baseUrl: "https://api.alpaca.markets/v2" })["broker.base_url"]).toMatch(/real money/);
    expect(brokerErrors({ ...custom, baseUrl: "https://paper-api.alpaca.markets" })).toEqual({});
  });

  it("writes the request's broker: a URL only for the custom endpoint", () => {
    expect(brokerBody({ ...withEndpoint(ready, "custom"), baseUrl: " http://127.0.0.1:5001 " })).toEqual({
      type: "alpaca",
      endpoint: "custom",
      base_url: "http://127.0.0.1:5001",
      credentials_id: "server",
      reconcile: { policy: "adopt", interval_seconds: 60 },
    });
    expect(brokerBody({ ...ready, baseUrl: "http://ignored" })).not.toHaveProperty("base_url");
  });
});
