/**
 * The sweep launch form: which strategy parameters vary and over what (a
 * range from min to max by step, or listed values), built from the
 * strategy's parameter schema, checked, and turned into `POST /v1/sweeps`.
 */
import type { FieldSpec, FormErrors } from "../wizard/schemaForm";
import type { Objective, ParamSpace, SweepCreate } from "./types";

export interface ParamRange {
  enabled: boolean;
  mode: "range" | "values";
  min: string;
  max: string;
  step: string;
  /** Comma-separated. */
  values: string;
}

export interface SweepForm {
  name: string;
  strategy: string;
  symbols: string[];
  start: string;
  end: string;
  initialCash: string;
  method: "grid" | "random";
  samples: string;
  seed: string;
  objective: string;
  walkForward: boolean;
  folds: string;
  inSample: string;
  workers: string;
  ranges: Record<string, ParamRange>;
}

export const OBJECTIVES: readonly Objective[] = ["sharpe", "total_return", "cagr", "sortino", "calmar", "profit_factor"];

export function emptySweepForm(): SweepForm {
  return {
    name: "",
    strategy: "",
    symbols: [],
    start: "",
    end: "",
    initialCash: "100000",
    method: "grid",
    samples: "20",
    seed: "0",
    objective: "sharpe",
    walkForward: false,
    folds: "3",
    inSample: "0.7",
    workers: "1",
    ranges: {},
  };
}

/** The parameters a sweep can vary: numbers over a range, enums and flags over their values. */
export function sweepable(fields: FieldSpec[]): FieldSpec[] {
  return fields.filter((field) => ["integer", "number", "enum", "boolean"].includes(field.kind));
}

/** A range to start from: the default and a step either side (numbers), or every value. */
export function initialRange(field: FieldSpec): ParamRange {
  if (field.kind === "enum") {
    return { enabled: false, mode: "values", min: "", max: "", step: "", values: (field.options ?? []).join(", ") };
  }
  if (field.kind === "boolean") {
    return { enabled: false, mode: "values", min: "", max: "", step: "", values: "true, false" };
  }
  const base = typeof field.defaultValue === "number" ? field.defaultValue : (field.minimum ?? 1);
  const step = field.kind === "integer" ? Math.max(1, Math.round(Math.abs(base) / 2)) : Math.abs(base) / 2 || 0.1;
  return {
    enabled: false,
    mode: "range",
    min: String(base),
    max: String(field.kind === "integer" ? base + step : base + step),
    step: String(step),
    values: String(base),
  };
}

function parseValue(field: FieldSpec | undefined, text: string): string | number | boolean {
  const trimmed = text.trim();
  if (field?.kind === "integer" || field?.kind === "number") return Number(trimmed);
  if (field?.kind === "boolean") return trimmed === "true";
  return trimmed;
}

export function spaceOf(form: SweepForm, fields: FieldSpec[]): Record<string, ParamSpace> {
  const space: Record<string, ParamSpace> = {};
  for (const [name, range] of Object.entries(form.ranges)) {
    if (!range.enabled) continue;
    const field = fields.find((item) => item.name === name);
    if (range.mode === "values") {
      space[name] = {
        values: range.values
          .split(",")
          .filter((part) => part.trim() !== "")
          .map((part) => parseValue(field, part)),
      };
    } else {
      space[name] = {
        min: Number(range.min),
        max: Number(range.max),
        ...(range.step.trim() === "" ? {} : { step: Number(range.step) }),
      };
    }
  }
  return space;
}

/** How many points a grid over `space` has (a range's points from min to max by step). */
export function gridSize(space: Record<string, ParamSpace>): number | null {
  let total = 1;
  for (const item of Object.values(space)) {
    if ("values" in item) {
      total *= item.values.length;
    } else {
      if (item.step === undefined || item.step === null || item.step <= 0) return null;
      total *= Math.floor((item.max - item.min) / item.step + 1e-9) + 1;
    }
  }
  return total;
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)$/;

export function sweepErrors(form: SweepForm, fields: FieldSpec[]): FormErrors {
  const errors: FormErrors = {};
  if (form.strategy === "") errors.strategy = "Pick a strategy";
  if (form.symbols.length === 0) errors.symbols = "Pick at least one symbol";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.start)) errors.start = "Pick a start date";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.end)) errors.end = "Pick an end date";
  else if (form.start !== "" && form.end < form.start) errors.end = "The end comes after the start";
  const enabled = Object.entries(form.ranges).filter(([, range]) => range.enabled);
  if (enabled.length === 0) errors.space = "Vary at least one parameter";
  for (const [name, range] of enabled) {
    const field = fields.find((item) => item.name === name);
    if (range.mode === "values") {
      const parts = range.values.split(",").filter((part) => part.trim() !== "");
      if (parts.length === 0) errors[`range:${name}`] = "List at least one value";
      else if ((field?.kind === "integer" || field?.kind === "number") && !parts.every((part) => NUMBER.test(part.trim())))
        errors[`range:${name}`] = "Numbers, separated by commas";
    } else if (!NUMBER.test(range.min.trim()) || !NUMBER.test(range.max.trim())) {
      errors[`range:${name}`] = "Enter a minimum and a maximum";
    } else if (Number(range.max) < Number(range.min)) {
      errors[`range:${name}`] = "The maximum is below the minimum";
    } else if (range.step.trim() !== "" && (!NUMBER.test(range.step.trim()) || Number(range.step) <= 0)) {
      errors[`range:${name}`] = "The step is a number above 0";
    } else if (form.method === "grid" && range.step.trim() === "") {
      errors[`range:${name}`] = "A grid needs a step";
    }
  }
  if (form.method === "random" && !/^\d+$/.test(form.samples.trim())) errors.samples = "A whole number of samples";
  if (!/^\d+$/.test(form.workers.trim()) || Number(form.workers) < 1) errors.workers = "At least one worker";
  if (form.walkForward) {
    if (!/^\d+$/.test(form.folds.trim()) || Number(form.folds) < 1) errors.folds = "At least one fold";
    const share = Number(form.inSample);
    if (!NUMBER.test(form.inSample.trim()) || share <= 0 || share >= 1) errors.inSample = "A share between 0 and 1";
  }
  return errors;
}

export function sweepBody(form: SweepForm, fields: FieldSpec[]): SweepCreate {
  return {
    ...(form.name.trim() === "" ? {} : { name: form.name.trim() }),
    strategy: form.strategy,
    symbols: form.symbols,
    startTime: `${form.start}T00:00:00Z`,
    endTime: `${form.end}T23:59:59Z`,
    initialCash: form.initialCash.trim(),
    method: form.method,
    space: spaceOf(form, fields),
    ...(form.method === "random" ? { samples: Number(form.samples) } : {}),
    seed: Number(form.seed),
    objective: form.objective as Objective,
    ...(form.walkForward ? { walk_forward: { folds: Number(form.folds), in_sample: Number(form.inSample), anchored: false } } : {}),
    workers: Number(form.workers),
  };
}
