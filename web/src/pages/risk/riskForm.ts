/**
 * The risk rules an operator sets most, as a form: the fields of the
 * `RiskSettings` groups (limits with their per-sector caps, safeguards,
 * breakers, hours, symbols, scaling), each
 * named as the schema names it, kept as typed (numbers as text), checked
 * against the schema's own bounds and turned into a partial settings
 * document. The wizard's risk step and the session page's dialogs share it.
 */
import type { FormErrors } from "../wizard/schemaForm";
import type { RiskSettings, RiskSettingsPatch } from "./types";

export type RiskGroup = "limits" | "safeguards" | "breakers" | "hours" | "symbols" | "scaling";

/**
 * `amount`, `quantity`: above 0; `percent`: above 0 and at most 100;
 * `percentOver`: above 0; `count`: a whole number from 1; `number`: any
 * number; `time`: HH:MM; `flag`: on or off; `symbols`: a list of symbols.
 */
export type RiskKind = "amount" | "quantity" | "percent" | "percentOver" | "count" | "number" | "time" | "flag" | "symbols";

export interface RiskFieldSpec {
  group: RiskGroup;
  name: string;
  label: string;
  help: string;
  kind: RiskKind;
  /** A flag's value when it is not set (the schema's default). */
  flagDefault?: boolean;
  /** The schema's default of a rule that is never off: what the field starts at, and an empty one means. */
  fallback?: string;
  /** A list that is off when empty (`null`), rather than empty. */
  nullable?: boolean;
  /** The flag (`group.name`) that must be on for the field to show and count. */
  when?: string;
}

function field<G extends RiskGroup>(
  group: G,
  name: keyof NonNullable<RiskSettings[G]> & string,
  kind: RiskKind,
  label: string,
  help: string,
  flagDefault?: boolean,
): RiskFieldSpec {
  return { group, name, kind, label, help, ...(flagDefault === undefined ? {} : { flagDefault }) };
}

/** A scaling setting, shown while scaling is on, starting at the schema's default. */
function scaling(
  name: keyof NonNullable<RiskSettings["scaling"]>,
  kind: RiskKind,
  label: string,
  help: string,
  fallback: string,
): RiskFieldSpec {
  return { ...field("scaling", name, kind, label, help), fallback, when: "scaling.enabled" };
}

export const RISK_GROUPS: { group: RiskGroup; title: string; help: string }[] = [
  { group: "limits", title: "Limits", help: "An order that would break one is denied before it reaches the venue." },
  { group: "safeguards", title: "Safeguards", help: "Protective orders the session places on every position." },
  { group: "breakers", title: "Circuit breakers", help: "A trip halts new entries until it is reset with a reason." },
  { group: "hours", title: "Trading hours", help: "When orders are taken (exchange time)." },
  { group: "symbols", title: "Symbols", help: "What may be traded." },
  {
    group: "scaling",
    title: "Position scaling",
    help: "A multiplier on order quantities that steps up after a run of good days and down on a breach, never past the limits.",
  },
];

export const RISK_FIELDS: RiskFieldSpec[] = [
  field("limits", "max_position_qty", "quantity", "Max position (qty)", "Largest absolute position per symbol after the order fills, in units"),
  field("limits", "max_position_value", "amount", "Max position value ($)", "Largest absolute position value per symbol after the order"),
  field("limits", "max_gross_exposure", "amount", "Max gross exposure ($)", "Largest sum of absolute position values"),
  field("limits", "max_net_exposure", "amount", "Max net exposure ($)", "Largest absolute sum of signed position values"),
  field("limits", "max_gross_exposure_pct", "percentOver", "Max gross exposure (% of equity)", "Gross exposure after the order, in percent of equity"),
  field("limits", "max_net_exposure_pct", "percentOver", "Max net exposure (% of equity)", "Absolute net exposure after the order, in percent of equity"),
  field("limits", "max_order_qty", "quantity", "Max order (qty)", "Largest quantity per order"),
  field("limits", "max_order_value", "amount", "Max order value ($)", "Largest order value (qty × limit price, or × last price)"),
  field("limits", "max_open_orders", "count", "Max open orders", "Most working orders at once, across symbols"),
  field("limits", "max_orders_per_minute", "count", "Max orders per minute", "Most orders submitted in any 60 seconds of session time"),
  field("limits", "min_bar_volume", "quantity", "Min bar volume", "Smallest volume of the symbol's last bar for an order to be taken"),
  field("limits", "max_volume_share_pct", "percent", "Max volume share (%)", "Largest order quantity in percent of the average bar volume"),
  field("safeguards", "stop_loss_pct", "percent", "Stop loss (%)", "A stop this far below a long's (above a short's) average entry price"),
  field("safeguards", "take_profit_pct", "percentOver", "Take profit (%)", "A limit order this far above a long's (below a short's) entry price"),
  field("safeguards", "trailing_stop_pct", "percent", "Trailing stop (%)", "A trailing stop this far from the best price since entry"),
  field("safeguards", "max_holding_minutes", "count", "Max holding (minutes)", "Close a position held this long"),
  field("breakers", "daily_loss", "amount", "Daily loss ($)", "Trip when equity falls this much below the day's start"),
  field("breakers", "daily_loss_pct", "percent", "Daily loss (%)", "The same, in percent of the day's starting equity"),
  field("breakers", "max_drawdown_pct", "percent", "Max drawdown (%)", "Trip when equity falls this far below its peak"),
  field("breakers", "consecutive_losses", "count", "Consecutive losses", "Trip after this many losing round trips in a row"),
  field("breakers", "volatility_multiple", "amount", "Volatility multiple", "Trip when a bar's range exceeds this multiple of the average range"),
  field("breakers", "cancel_entries", "flag", "Cancel working entries on a trip", "Exits keep working", true),
  field("hours", "regular_hours_only", "flag", "Regular hours only", "Take orders only while the exchange's regular session is open", false),
  field("hours", "start", "time", "From (exchange time)", "Take orders only from this time of day on"),
  field("hours", "end", "time", "Until (exchange time)", "Take orders only before this time of day"),
  {
    ...field("symbols", "enabled", "symbols", "Allowed symbols", "Only these symbols may be traded (none: every symbol of the session)"),
    nullable: true,
  },
  field("symbols", "disabled", "symbols", "Disabled symbols", "These symbols may not be traded"),
  field("symbols", "allow_short", "flag", "Allow short positions", "Whether an order may open or grow a short position", true),
  field("scaling", "enabled", "flag", "Scale order quantities", "By the multiplier, from its initial value", false),
  scaling("initial", "amount", "Initial multiplier", "The multiplier to start at", "1"),
  scaling("step", "amount", "Step", "How much one step moves the multiplier", "0.25"),
  scaling("minimum", "amount", "Minimum multiplier", "The multiplier never goes below this", "0.25"),
  scaling("maximum", "amount", "Maximum multiplier", "The multiplier never goes above this", "2"),
  scaling("window_days", "count", "Window (trading days)", "Days of daily returns a step up looks back over", "5"),
  scaling("min_sharpe", "number", "Min Sharpe to step up", "Step up when the window's annualised Sharpe ratio is at least this", "1"),
  scaling("max_drawdown_pct", "percent", "Window drawdown (%)", "…and its drawdown at most this; a day beyond it steps down", "5"),
];

export const SECTOR_LABEL = "Max sector exposure (% of equity)";

/** A per-sector cap as typed: the sector (as asset metadata names it) and its percentage of equity. */
export interface SectorRow {
  sector: string;
  pct: string;
}

/** A blackout window as typed: UTC `YYYY-MM-DDTHH:MM` times and a reason. */
export interface BlackoutRow {
  start: string;
  end: string;
  reason: string;
}

export type RiskValue = string | boolean | string[];

export interface RiskForm {
  /** By `group.name`. */
  values: Record<string, RiskValue>;
  blackouts: BlackoutRow[];
  /** `limits.sector_max_pct`, row by row. */
  sectors: SectorRow[];
}

export const keyOf = (spec: RiskFieldSpec) => `${spec.group}.${spec.name}`;

/** The error id of a field, as the server names its path (`risk.limits.max_order_qty`). */
export const errorKey = (spec: RiskFieldSpec) => `risk.${keyOf(spec)}`;
export const BLACKOUTS_KEY = "risk.hours.blackouts";
export const SECTORS_KEY = "risk.limits.sector_max_pct";

function blank(spec: RiskFieldSpec): RiskValue {
  if (spec.kind === "flag") return spec.flagDefault ?? false;
  if (spec.kind === "symbols") return [];
  return spec.fallback ?? "";
}

/** No rule set. */
export function emptyRiskForm(): RiskForm {
  return {
    values: Object.fromEntries(RISK_FIELDS.map((spec) => [keyOf(spec), blank(spec)])),
    blackouts: [],
    sectors: [],
  };
}

/** Whether the field shows and counts: its flag (if any) is on. */
export function isActive(spec: RiskFieldSpec, form: RiskForm): boolean {
  return spec.when === undefined || form.values[spec.when] === true;
}

/** A UTC time as a `datetime-local` input shows it. */
function localInput(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 16);
}

/** The form showing `settings` (a session's rules now). */
export function riskFormOf(settings: RiskSettings): RiskForm {
  const form = emptyRiskForm();
  for (const spec of RISK_FIELDS) {
    const group = (settings[spec.group] ?? {}) as Record<string, unknown>;
    const value = group[spec.name];
    if (spec.kind === "flag") {
      form.values[keyOf(spec)] = typeof value === "boolean" ? value : (spec.flagDefault ?? false);
    } else if (spec.kind === "symbols") {
      form.values[keyOf(spec)] = Array.isArray(value) ? value.map(String) : [];
    } else if (spec.kind === "time") {
      form.values[keyOf(spec)] = typeof value === "string" ? value.slice(0, 5) : "";
    } else {
      form.values[keyOf(spec)] = typeof value === "string" || typeof value === "number" ? String(value) : "";
    }
  }
  form.blackouts = (settings.hours?.blackouts ?? []).map((row) => ({
    start: localInput(row.start),
    end: localInput(row.end),
    reason: row.reason,
  }));
  form.sectors = Object.entries(settings.limits?.sector_max_pct ?? {}).map(([sector, pct]) => ({ sector, pct }));
  return form;
}

const NUMBER = /^(\d+\.?\d*|\.\d+)$/;
const SIGNED = /^-?(\d+\.?\d*|\.\d+)$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

function problem(spec: RiskFieldSpec, text: string): string | null {
  if (spec.kind === "time") {
    return TIME.test(text) ? null : "A time of day, HH:MM";
  }
  if (spec.kind === "count") {
    return /^\d+$/.test(text) && Number(text) >= 1 ? null : "A whole number, at least 1";
  }
  if (spec.kind === "number") {
    return SIGNED.test(text) ? null : "Enter a number";
  }
  if (!NUMBER.test(text)) {
    return "Enter a number";
  }
  const n = Number(text);
  if (n <= 0) return "Must be greater than 0";
  if (spec.kind === "percent" && n > 100) return "Must be at most 100";
  if (n >= 1e12) return "Must be less than 1,000,000,000,000";
  return null;
}

/** What does not fit the schema, by error id (`risk.limits.max_order_qty`). */
export function riskErrors(form: RiskForm): FormErrors {
  const errors: FormErrors = {};
  for (const spec of RISK_FIELDS) {
    const value = form.values[keyOf(spec)];
    if (typeof value !== "string" || value.trim() === "" || !isActive(spec, form)) continue;
    const found = problem(spec, value.trim());
    if (found !== null) errors[errorKey(spec)] = found;
  }
  const start = form.values["hours.start"];
  const end = form.values["hours.end"];
  if (typeof start === "string" && typeof end === "string" && TIME.test(start) && TIME.test(end) && end <= start) {
    errors["risk.hours.end"] = "Must be after the start";
  }
  form.blackouts.forEach((row, index) => {
    if (!LOCAL.test(row.start) || !LOCAL.test(row.end)) {
      errors[`${BLACKOUTS_KEY}.${String(index)}`] = "A start and an end";
    } else if (row.end <= row.start) {
      errors[`${BLACKOUTS_KEY}.${String(index)}`] = "The end must be after the start";
    }
  });
  const named = new Set<string>();
  form.sectors.forEach((row, index) => {
    const sector = row.sector.trim();
    const pct = row.pct.trim();
    const key = `${SECTORS_KEY}.${String(index)}`;
    if (sector === "") errors[key] = "Name the sector";
    else if (named.has(sector.toLowerCase())) errors[key] = "This sector is named twice";
    else if (!NUMBER.test(pct) || Number(pct) <= 0 || Number(pct) > 100) errors[key] = "A percentage above 0, at most 100";
    named.add(sector.toLowerCase());
  });
  if (form.values["scaling.enabled"] === true) {
    const [initial, minimum, maximum] = ["initial", "minimum", "maximum"].map((name) => {
      const spec = RISK_FIELDS.find((candidate) => keyOf(candidate) === `scaling.${name}`);
      const json = spec === undefined ? null : jsonOf(spec, form.values[keyOf(spec)]);
      return typeof json === "string" && NUMBER.test(json) ? Number(json) : NaN;
    }) as [number, number, number];
    const measurable = [initial, minimum, maximum].every(Number.isFinite);
    if (measurable && !(minimum <= initial && initial <= maximum) && errors["risk.scaling.initial"] === undefined) {
      errors["risk.scaling.initial"] = "Between the minimum and the maximum";
    }
  }
  return errors;
}

/** A field's JSON value (`null`: not set). */
function jsonOf(spec: RiskFieldSpec, value: RiskValue | undefined): unknown {
  if (spec.kind === "flag") return value === true;
  if (spec.kind === "symbols") return Array.isArray(value) && value.length > 0 ? value : spec.nullable === true ? null : [];
  const text = typeof value === "string" && value.trim() !== "" ? value.trim() : (spec.fallback ?? "");
  if (text === "") return null;
  return spec.kind === "count" ? Number(text) : text;
}

function isSet(spec: RiskFieldSpec, json: unknown): boolean {
  if (spec.kind === "flag") return json !== (spec.flagDefault ?? false);
  if (spec.kind === "symbols") return Array.isArray(json) && json.length > 0;
  if (spec.fallback !== undefined) return String(json) !== spec.fallback;
  return json !== null;
}

/** The per-sector caps (`null`: none). */
function sectorsJson(form: RiskForm): Record<string, string> | null {
  return form.sectors.length === 0 ? null : Object.fromEntries(form.sectors.map((row) => [row.sector.trim(), row.pct.trim()]));
}

function blackoutsJson(form: RiskForm) {
  return form.blackouts.map((row) => ({ start: `${row.start}:00Z`, end: `${row.end}:00Z`, reason: row.reason.trim() }));
}

/** The rules set, as a partial settings document (`undefined`: none), for a new session. */
export function riskBody(form: RiskForm): RiskSettingsPatch | undefined {
  const body: Partial<Record<string, Record<string, unknown>>> = {};
  for (const spec of RISK_FIELDS) {
    const json = jsonOf(spec, form.values[keyOf(spec)]);
    if (isActive(spec, form) && isSet(spec, json)) {
      (body[spec.group] ??= {})[spec.name] = json;
    }
  }
  if (form.blackouts.length > 0) {
    (body.hours ??= {}).blackouts = blackoutsJson(form);
  }
  const sectors = sectorsJson(form);
  if (sectors !== null) {
    (body.limits ??= {}).sector_max_pct = sectors;
  }
  return Object.keys(body).length === 0 ? undefined : body;
}

/** What the form changes of `settings`, as a partial document (`null` turns a rule off). */
export function riskChanges(form: RiskForm, settings: RiskSettings): RiskSettingsPatch {
  const before = riskFormOf(settings);
  const body: Partial<Record<string, Record<string, unknown>>> = {};
  for (const spec of RISK_FIELDS) {
    if (!isActive(spec, form)) continue;
    const now = jsonOf(spec, form.values[keyOf(spec)]);
    if (JSON.stringify(now) !== JSON.stringify(jsonOf(spec, before.values[keyOf(spec)]))) {
      (body[spec.group] ??= {})[spec.name] = now;
    }
  }
  if (JSON.stringify(blackoutsJson(form)) !== JSON.stringify(blackoutsJson(before))) {
    (body.hours ??= {}).blackouts = blackoutsJson(form);
  }
  if (JSON.stringify(sectorsJson(form)) !== JSON.stringify(sectorsJson(before))) {
    (body.limits ??= {}).sector_max_pct = sectorsJson(form);
  }
  return body;
}

/** One line per rule of a partial document: `Max position (qty) 100`, `Stop loss (%) 5`. */
export function describeRules(patch: RiskSettingsPatch | undefined): string[] {
  if (patch === undefined) return [];
  const lines: string[] = [];
  for (const spec of RISK_FIELDS) {
    const group = patch[spec.group] as Record<string, unknown> | undefined;
    if (group === undefined || !(spec.name in group)) continue;
    const value = group[spec.name];
    if (spec.kind === "flag") lines.push(`${spec.label}: ${value === true ? "on" : "off"}`);
    else if (value === null) lines.push(`${spec.label}: off`);
    else if (Array.isArray(value)) lines.push(`${spec.label}: ${value.length === 0 ? "none" : value.join(", ")}`);
    else if (typeof value === "string" || typeof value === "number") lines.push(`${spec.label} ${String(value)}`);
  }
  const sectors = (patch.limits as Record<string, unknown> | undefined)?.sector_max_pct;
  if (sectors !== undefined) {
    const caps = Object.entries((sectors ?? {}) as Record<string, unknown>);
    lines.push(
      `${SECTOR_LABEL}: ${caps.length === 0 ? "off" : caps.map(([sector, pct]) => `${sector} ${String(pct)}`).join(", ")}`,
    );
  }
  const blackouts = (patch.hours as Record<string, unknown> | undefined)?.blackouts;
  if (Array.isArray(blackouts)) {
    const rows = blackouts as { start: string; end: string; reason: string }[];
    lines.push(
      rows.length === 0
        ? "Blackouts: none"
        : `Blackouts: ${rows.map((row) => `${row.start} – ${row.end}${row.reason ? ` (${row.reason})` : ""}`).join("; ")}`,
    );
  }
  return lines;
}

/** A rule as people read it: `limits.max_position_qty` → `Max position (qty)`; unknown ones as named. */
export function ruleLabel(rule: string): string {
  if (rule.startsWith("limits.sector_max_pct.")) return `${SECTOR_LABEL}: ${rule.slice("limits.sector_max_pct.".length)}`;
  const spec = RISK_FIELDS.find((candidate) => keyOf(candidate) === rule);
  return spec === undefined ? rule.replace(/^[a-z]+\./, "").replace(/_/g, " ") : spec.label;
}
