/**
 * The wizard's broker settings of a live session: the endpoint (Alpaca's
 * paper or live trading, or a custom URL), the stored credentials to trade
 * with, how the books are reconciled, and for real money the user's explicit
 * confirmation. Checked here as the schema (`BrokerSettings`) bounds them, and
 * turned into the request's `broker` and `confirm_real_money`.
 */
import type { Schemas } from "../../api/client";
import type { FormErrors } from "./schemaForm";

export type Endpoint = Schemas["BrokerSettings"]["endpoint"];
export type Policy = Schemas["ReconcileSettings"]["policy"];

/** Where Alpaca's trading API is, by endpoint (as the server's `ALPACA_URLS`). */
export const ALPACA_URLS: Record<Exclude<Endpoint, "custom">, string> = {
  paper: "https://paper-api.alpaca.markets",
  live: "https://api.alpaca.markets",
};

export interface BrokerForm {
  endpoint: Endpoint;
  baseUrl: string;
  credentialsId: string;
  policy: Policy;
  /** The user chose the policy: an endpoint change keeps it. */
  policyChosen: boolean;
  intervalSeconds: string;
  confirmRealMoney: boolean;
}

export function emptyBrokerForm(): BrokerForm {
  return {
    endpoint: "paper",
    baseUrl: "",
    credentialsId: "",
    policy: "adopt",
    policyChosen: false,
    intervalSeconds: "60",
    confirmRealMoney: false,
  };
}

/** The server's default policy: a real-money account halts for a person, another adopts. */
export function defaultPolicy(endpoint: Endpoint): Policy {
  return endpoint === "live" ? "halt" : "adopt";
}

/** The form with another endpoint: the policy follows unless chosen; the confirmation is asked again. */
export function withEndpoint(form: BrokerForm, endpoint: Endpoint): BrokerForm {
  return {
    ...form,
    endpoint,
    policy: form.policyChosen ? form.policy : defaultPolicy(endpoint),
    confirmRealMoney: endpoint === "live" ? form.confirmRealMoney : false,
  };
}

const URL_PATTERN = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

/** Problems of the broker settings, by field id (`broker.base_url`, `confirm_real_money`, …). */
export function brokerErrors(form: BrokerForm): FormErrors {
  const errors: FormErrors = {};
  if (form.endpoint === "custom") {
    const url = form.baseUrl.trim();
    if (!URL_PATTERN.test(url)) {
      errors["broker.base_url"] = "An http(s) URL of a server speaking Alpaca's trading API";
    } else if (url.length > 300) {
      errors["broker.base_url"] = "At most 300 characters";
    } else if (/^https?:\/\/api\.alpaca\.markets(?=[:/]|$)/i.test(url)) {
      errors["broker.base_url"] = "That is Alpaca's live trading API: choose the Alpaca live endpoint (real money)";
    }
  }
  if (form.credentialsId === "") {
    errors["broker.credentials_id"] = "Pick the credentials to trade with";
  }
  const interval = form.intervalSeconds.trim();
  if (!/^\d+$/.test(interval) || Number(interval) < 5 || Number(interval) > 86_400) {
    errors["broker.reconcile.interval_seconds"] = "Whole seconds, at least 5 and at most 86400";
  }
  if (form.endpoint === "live" && !form.confirmRealMoney) {
    errors.confirm_real_money = "Confirm that this session trades real money";
  }
  return errors;
}

/** The request's `broker`. */
export function brokerBody(form: BrokerForm): Schemas["BrokerSettings"] {
  return {
    type: "alpaca",
    endpoint: form.endpoint,
    ...(form.endpoint === "custom" ? { base_url: form.baseUrl.trim() } : {}),
    credentials_id: form.credentialsId,
    reconcile: { policy: form.policy, interval_seconds: Number(form.intervalSeconds.trim()) },
  };
}
