/**
 * A template's configuration (a create body of its session type) as the
 * wizard's state: the type, the strategy and its parameters, the symbols,
 * the period or feed, the cash, the execution preset and the risk rules, so
 * the wizard opens filled in and only what should differ is changed.
 */
import { riskFormOf } from "../risk/riskForm";
import type { Template } from "../templates/types";
import type { FieldValue, FormValues } from "./schemaForm";
import { emptyState, type SessionKind, type WizardState } from "./wizardState";

type Config = Record<string, unknown>;

function obj(value: unknown): Config {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Config) : {};
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : null;
}

function fieldValue(value: unknown): FieldValue {
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(String);
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function stateFromTemplate(template: Pick<Template, "type" | "config">): WizardState {
  const state = emptyState();
  const config = template.config;
  const kind: SessionKind = template.type === "paper" || template.type === "live" ? template.type : "backtest";
  state.kind = kind;
  const strategy = typeof config.strategy === "string" ? { name: config.strategy } : obj(config.strategy);
  const name = str(strategy.name);
  if (name !== null) {
    state.strategy = name;
    const params: FormValues = {};
    for (const [key, value] of Object.entries(obj(strategy.params))) params[key] = fieldValue(value);
    state.params = { [name]: params };
  }
  const symbols = Array.isArray(strategy.symbols) ? strategy.symbols : Array.isArray(config.symbols) ? config.symbols : [];
  state.symbols = symbols.map(String);
  state.start = (str(config.startTime) ?? "").slice(0, 10);
  state.end = (str(config.endTime) ?? "").slice(0, 10);
  state.initialCash = str(config.initialCash) ?? str(config.initial_cash) ?? state.initialCash;
  const preset = str(obj(config.execution).preset);
  if (preset !== null) state.execution = { ...state.execution, preset };
  const feed = obj(config.feed);
  const feedType = str(feed.type);
  if (feedType === "replay" || feedType === "synthetic" || feedType === "alpaca") {
    state.feed = {
      type: feedType,
      speed: str(feed.speed) ?? state.feed.speed,
      start: (str(feed.start) ?? "").slice(0, 10),
      seed: str(feed.seed) ?? state.feed.seed,
      intervalSeconds: str(feed.interval_seconds) ?? state.feed.intervalSeconds,
    };
  }
  if (typeof config.risk === "object" && config.risk !== null) {
    state.risk = riskFormOf(config.risk);
  }
  return state;
}
