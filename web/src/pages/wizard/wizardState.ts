/**
 * The new-session wizard's state: what the user chose on each step, kept for
 * the tab (a reload keeps it), checked step by step, and turned into the body
 * of `POST /v1/sessions` (a backtest), `POST /api/paper-trading/sessions` or
 * `POST /api/live-trading/sessions` (a live session, at a broker).
 */
import type { Schemas } from "../../api/client";
import { emptyRiskForm, riskBody, type RiskForm } from "../risk/riskForm";
import { brokerBody, brokerErrors, emptyBrokerForm, type BrokerForm } from "./brokerForm";
import type { FieldSpec, FormErrors, FormValues } from "./schemaForm";
import { initialValues, toParams, validateAll } from "./schemaForm";

export type SessionKind = "backtest" | "paper" | "live";
export type FeedType = "replay" | "synthetic" | "alpaca";
export type SlippageChoice = "preset" | "none" | "fixed_bps";
export type FeeChoice = "preset" | "none" | "per_share" | "fixed" | "percent";

export interface WizardState {
  kind: SessionKind | null;
  strategy: string | null;
  /** Parameter values per strategy, so going back and forth keeps what was typed. */
  params: Record<string, FormValues>;
  symbols: string[];
  /** Backtest period, `YYYY-MM-DD` (UTC days, both included). */
  start: string;
  end: string;
  feed: { type: FeedType; speed: string; start: string; seed: string; intervalSeconds: string };
  initialCash: string;
  execution: {
    preset: string;
    custom: boolean;
    slippage: SlippageChoice;
    bps: string;
    fees: FeeChoice;
    feeAmount: string;
  };
  name: string;
  /** The user typed a name: stop generating it. */
  nameEdited: boolean;
  /** The session's risk rules (none set: no rule). */
  risk: RiskForm;
  /** A live session's broker. */
  broker: BrokerForm;
}

export const STEPS = ["Type", "Strategy", "Trading parameters", "Risk", "Review"] as const;
/** The step of the risk rules, and the last one: what the session will be created with. */
export const RISK_STEP = 3;
export const REVIEW_STEP = 4;

export function emptyState(): WizardState {
  return {
    kind: null,
    strategy: null,
    params: {},
    symbols: [],
    start: "",
    end: "",
    feed: { type: "replay", speed: "1", start: "", seed: "0", intervalSeconds: "1" },
    initialCash: "100000",
    execution: { preset: "", custom: false, slippage: "preset", bps: "", fees: "preset", feeAmount: "" },
    name: "",
    nameEdited: false,
    risk: emptyRiskForm(),
    broker: emptyBrokerForm(),
  };
}

const STORAGE_KEY = "paperbroker.newSession";

export function loadState(): WizardState {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    if (text !== null) {
      const saved = JSON.parse(text) as Partial<WizardState>;
      const empty = emptyState();
      return {
        ...empty,
        ...saved,
        feed: { ...empty.feed, ...saved.feed },
        execution: { ...empty.execution, ...saved.execution },
        broker: { ...empty.broker, ...saved.broker },
        risk: {
          values: { ...empty.risk.values, ...saved.risk?.values },
          blackouts: saved.risk?.blackouts ?? [],
          sectors: saved.risk?.sectors ?? [],
        },
      };
    }
  } catch {
    // A broken saved state: start again.
  }
  return emptyState();
}

export function saveState(state: WizardState): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
}

export function clearState(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** The name a session gets unless the user types one: strategy and symbols. */
export function generatedName(state: WizardState): string {
  const parts = [state.strategy ?? "session", ...state.symbols];
  if (state.kind === "paper" || state.kind === "live") {
    parts.push(state.kind);
  }
  return parts.join("-").slice(0, 200);
}

// Bounds as the OpenAPI document states them (SessionCreate.initialCash,
// FeedSettings, FixedBpsSlippageSpec, the commission specs): the server judges the rest.
export const CASH_PATTERN = /^(?=[0-9.]*[1-9])[0-9]{1,12}(\.[0-9]{1,10})?$/;
const NUMBER = /^(\d+\.?\d*|\.\d+)$/;

function numberIn(text: string, { min, gt, max, lt, integer = false }: { min?: number; gt?: number; max?: number; lt?: number; integer?: boolean }): string | null {
  const trimmed = text.trim();
  if (!(integer ? /^\d+$/ : NUMBER).test(trimmed)) {
    return integer ? "Enter a whole number" : "Enter a number";
  }
  const n = Number(trimmed);
  if (min !== undefined && n < min) return `Must be at least ${String(min)}`;
  if (gt !== undefined && n <= gt) return `Must be greater than ${String(gt)}`;
  if (max !== undefined && n > max) return `Must be at most ${String(max)}`;
  if (lt !== undefined && n >= lt) return `Must be less than ${String(lt)}`;
  return null;
}

/** The fee field of each fee model, as the schema names it, with its bounds. */
export const FEE_FIELDS = {
  per_share: { key: "per_share", label: "Fee per share", bounds: { min: 0 } },
  fixed: { key: "amount", label: "Fee per order", bounds: { min: 0 } },
  percent: { key: "rate", label: "Fee rate (of notional, 0.001 = 0.1 %)", bounds: { min: 0, lt: 1 } },
} as const;

/** Problems on the trading step, by field id (`symbols`, `start`, `feed.speed`, …). */
export function tradingErrors(state: WizardState): FormErrors {
  const errors: FormErrors = {};
  if (state.symbols.length === 0) {
    errors.symbols = "Pick at least one symbol";
  } else if (state.symbols.length > 50 && (state.kind === "paper" || state.kind === "live")) {
    errors.symbols = "At most 50 symbols";
  }
  if (state.kind === "backtest") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(state.start)) errors.start = "Pick a start date";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(state.end)) errors.end = "Pick an end date";
    else if (errors.start === undefined && state.end < state.start) errors.end = "The end comes before the start";
  }
  if (state.kind === "paper" || state.kind === "live") {
    const { feed } = state;
    if (feed.type === "replay") {
      const speed = numberIn(feed.speed, { gt: 0, max: 1_000_000 });
      if (speed !== null) errors["feed.speed"] = speed;
    }
    if (feed.type === "synthetic") {
      const seed = numberIn(feed.seed, { min: 0, lt: 2 ** 32, integer: true });
      if (seed !== null) errors["feed.seed"] = seed;
      const interval = numberIn(feed.intervalSeconds, { min: 0.01, max: 86_400 });
      if (interval !== null) errors["feed.intervalSeconds"] = interval;
    }
  }
  if (state.kind === "live") {
    // A live session's cash is the broker account's, and its fills the broker's.
    Object.assign(errors, brokerErrors(state.broker));
  } else {
    Object.assign(errors, moneyErrors(state));
  }
  const name = state.name.trim();
  if (name.length > 200) errors.name = "At most 200 characters";
  // eslint-disable-next-line no-control-regex -- the schema's own pattern: no control characters
  else if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) errors.name = "No control characters";
  return errors;
}

/** Problems of a simulated session's initial balance and execution models. */
function moneyErrors(state: WizardState): FormErrors {
  const errors: FormErrors = {};
  if (!CASH_PATTERN.test(state.initialCash.trim())) {
    errors.initialCash = "An amount above 0 and under 1,000,000,000,000 with at most 10 decimal places";
  }
  const { execution } = state;
  if (execution.custom && execution.slippage === "fixed_bps") {
    const bps = numberIn(execution.bps, { min: 0, lt: 10_000 });
    if (bps !== null) errors["execution.slippage"] = bps;
  }
  if (execution.custom && execution.fees !== "preset" && execution.fees !== "none") {
    const fee = numberIn(execution.feeAmount, FEE_FIELDS[execution.fees].bounds);
    if (fee !== null) errors["execution.fees"] = fee;
  }
  return errors;
}

export function strategyErrors(state: WizardState, fields: FieldSpec[]): FormErrors {
  if (state.strategy === null) {
    return { strategy: "Pick a strategy" };
  }
  return validateAll(fields, paramValues(state, fields));
}

/** The strategy's parameter values: what the user typed over the schema's defaults. */
export function paramValues(state: WizardState, fields: FieldSpec[]): FormValues {
  return { ...initialValues(fields), ...(state.strategy === null ? {} : state.params[state.strategy]) };
}

type ExecutionSpec = Schemas["ExecutionSpec"];

/** The `execution` of the body: the preset, and the models the user replaced. */
export function executionBody(state: WizardState): ExecutionSpec | undefined {
  const { execution } = state;
  if (execution.preset === "" && !execution.custom) {
    return undefined;
  }
  const body: Record<string, unknown> = {};
  if (execution.preset !== "") body.preset = execution.preset;
  if (execution.custom) {
    if (execution.slippage === "none") body.slippage = { model: "none" };
    if (execution.slippage === "fixed_bps") body.slippage = { model: "fixed_bps", bps: execution.bps.trim() };
    if (execution.fees === "none") body.fees = { model: "none" };
    if (execution.fees !== "preset" && execution.fees !== "none") {
      body.fees = { model: execution.fees, [FEE_FIELDS[execution.fees].key]: execution.feeAmount.trim() };
    }
  }
  return body as ExecutionSpec;
}

function feedBody(state: WizardState): Record<string, unknown> {
  const { feed } = state;
  if (feed.type === "replay") {
    return {
      type: "replay",
      speed: Number(feed.speed),
      ...(feed.start === "" ? {} : { start: `${feed.start}T00:00:00Z` }),
    };
  }
  if (feed.type === "synthetic") {
    return { type: "synthetic", seed: Number(feed.seed), interval_seconds: Number(feed.intervalSeconds) };
  }
  return { type: "alpaca" };
}

export type CreateRequest =
  | { kind: "backtest"; body: Schemas["SessionCreate"] }
  | { kind: "paper"; body: Schemas["PaperSessionCreate"] }
  | { kind: "live"; body: Schemas["LiveSessionCreate"] };

/** The multi-strategy fields at their defaults: the wizard's session runs one strategy. */
const ONE_STRATEGY = { mode: "ab", allocation: "fixed" } as const;

/** The request that creates the session the wizard describes. */
export function createRequest(state: WizardState, fields: FieldSpec[]): CreateRequest {
  const strategy = state.strategy ?? "";
  const params = toParams(fields, paramValues(state, fields));
  const name = (state.nameEdited ? state.name : generatedName(state)).trim();
  const execution = executionBody(state);
  const risk = riskBody(state.risk);
  if (state.kind === "live") {
    return {
      kind: "live",
      body: {
        ...(name === "" ? {} : { name }),
        symbols: state.symbols,
        strategy: { name: strategy, params },
        feed: feedBody(state),
        ...(risk === undefined ? {} : { risk }),
        broker: brokerBody(state.broker),
        confirm_real_money: state.broker.endpoint === "live" && state.broker.confirmRealMoney,
      },
    };
  }
  if (state.kind === "paper") {
    return {
      kind: "paper",
      body: {
        ...(name === "" ? {} : { name }),
        symbols: state.symbols,
        strategy: { name: strategy, params },
        initial_cash: state.initialCash.trim(),
        ...(execution === undefined ? {} : { execution }),
        feed: feedBody(state),
        ...(risk === undefined ? {} : { risk }),
        ...ONE_STRATEGY,
      },
    };
  }
  return {
    kind: "backtest",
    body: {
      ...(name === "" ? {} : { name }),
      startTime: `${state.start}T00:00:00Z`,
      endTime: `${state.end}T23:59:59Z`,
      initialCash: state.initialCash.trim(),
      ...(execution === undefined ? {} : { execution }),
      strategy: { name: strategy, params, symbols: state.symbols },
      ...(risk === undefined ? {} : { risk }),
      ...ONE_STRATEGY,
    },
  };
}
