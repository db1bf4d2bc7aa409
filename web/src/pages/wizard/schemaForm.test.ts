/**
 * The schema form over the parameter schemas the server gives for two of its
 * built-in strategies. fixtures/*.json are the server's own answers, written
 * with `curl -s -u KEY 127.0.0.1:PORT/v1/strategies` (mean_reversion and
 * sentiment_momentum kept), `/v1/execution/presets` and `/v1/assets`.
 */
import { describe, expect, it } from "vitest";

import strategies from "./fixtures/strategies.json";
import { boundsText, fieldsOf, initialValues, jsonValue, toParams, validateAll, validateField, type FieldSpec } from "./schemaForm";

function schemaOf(name: string): unknown {
  const strategy = strategies.find((item) => item.name === name);
  if (strategy === undefined) throw new Error(`no ${name} in the fixture`);
  return strategy.params_schema;
}

function field(fields: FieldSpec[], name: string): FieldSpec {
  const found = fields.find((item) => item.name === name);
  if (found === undefined) throw new Error(`no field ${name}`);
  return found;
}

describe("fieldsOf over mean_reversion", () => {
  const fields = fieldsOf(schemaOf("mean_reversion"));

  it("has one field per property, in order, with titles and descriptions", () => {
    expect(fields.map((item) => item.name)).toEqual([
      "mode", "window", "num_std", "rsi_period", "oversold", "overbought", "allocation", "buffer",
    ]); // prettier-ignore
    expect(field(fields, "num_std").label).toBe("Num Std");
    expect(field(fields, "window").description).toBe("bollinger: bars in the middle band (SMA)");
  });

  it("reads enums, integers and numbers with their bounds and defaults", () => {
    expect(field(fields, "mode")).toMatchObject({ kind: "enum", options: ["bollinger", "rsi"], defaultValue: "bollinger" });
    expect(field(fields, "window")).toMatchObject({ kind: "integer", minimum: 2, defaultValue: 20 });
    expect(field(fields, "oversold")).toMatchObject({ kind: "number", exclusiveMinimum: 0, exclusiveMaximum: 100 });
    expect(field(fields, "buffer")).toMatchObject({ kind: "number", minimum: 0, exclusiveMaximum: 1, defaultValue: 0 });
  });

  it("reads an optional number (anyOf with null) with the bounds of its variant", () => {
    expect(field(fields, "allocation")).toMatchObject({
      kind: "number",
      nullable: true,
      defaultValue: null,
      exclusiveMinimum: 0,
      maximum: 1,
      required: false,
    });
    expect(boundsText(field(fields, "allocation"))).toBe("> 0, ≤ 1");
  });

  it("starts from the defaults, and sends only what differs from them", () => {
    const values = initialValues(fields);
    expect(values).toMatchObject({ mode: "bollinger", window: "20", num_std: "2", allocation: "", buffer: "0" });
    expect(toParams(fields, values)).toEqual({});
    expect(toParams(fields, { ...values, mode: "rsi", rsi_period: "10", allocation: "0.5", buffer: "0.0" })).toEqual({
      mode: "rsi",
      rsi_period: 10,
      allocation: 0.5,
    });
  });

  it("checks exactly the schema's bounds", () => {
    const window = field(fields, "window");
    expect(validateField(window, "2")).toBeNull();
    expect(validateField(window, "1")).toBe("Must be at least 2");
    expect(validateField(window, "2.5")).toBe("Enter a whole number");
    expect(validateField(window, "1000000")).toBeNull(); // no maximum in the schema: none here
    const oversold = field(fields, "oversold");
    expect(validateField(oversold, "0")).toBe("Must be greater than 0");
    expect(validateField(oversold, "0.001")).toBeNull();
    expect(validateField(oversold, "100")).toBe("Must be less than 100");
    expect(validateField(oversold, "99.99")).toBeNull();
    expect(validateField(oversold, "abc")).toBe("Enter a number");
    const allocation = field(fields, "allocation");
    expect(validateField(allocation, "")).toBeNull(); // null is allowed
    expect(validateField(allocation, "1")).toBeNull();
    expect(validateField(allocation, "1.01")).toBe("Must be at most 1");
    expect(validateField(field(fields, "mode"), "macd")).toBe("Pick one of the options");
  });

  it("does not judge rules across parameters (the server does)", () => {
    // oversold above overbought is the server's to refuse: each is within its own bounds.
    expect(validateAll(fields, { ...initialValues(fields), oversold: "80", overbought: "70" })).toEqual({});
  });
});

describe("fieldsOf over sentiment_momentum", () => {
  const fields = fieldsOf(schemaOf("sentiment_momentum"));

  it("reads a boolean as a switch value, sent only when changed", () => {
    const flag = field(fields, "require_sentiment");
    expect(flag).toMatchObject({ kind: "boolean", defaultValue: true });
    const values = initialValues(fields);
    expect(values.require_sentiment).toBe(true);
    expect(toParams(fields, values)).toEqual({});
    expect(toParams(fields, { ...values, require_sentiment: false })).toEqual({ require_sentiment: false });
  });

  it("reads negative exclusive bounds", () => {
    const threshold = field(fields, "threshold");
    expect(threshold.exclusiveMinimum).toBe(-1);
    expect(validateField(threshold, "-1")).toBe("Must be greater than -1");
    expect(validateField(threshold, "-0.5")).toBeNull();
  });
});

describe("fieldsOf over what else pydantic emits", () => {
  const schema = {
    $defs: { Side: { enum: ["buy", "sell"], title: "Side", type: "string" } },
    properties: {
      side: { $ref: "#/$defs/Side", default: "buy", description: "which way" },
      maybe_side: { anyOf: [{ $ref: "#/$defs/Side" }, { type: "null" }], default: null },
      symbols: { items: { type: "string" }, type: "array", title: "Symbols" },
      label: { type: "string", minLength: 2, maxLength: 5, pattern: "^[a-z]+$" },
      count: { type: "integer" },
      weights: { items: { type: "number" }, type: "array" },
    },
    required: ["count", "symbols"],
    type: "object",
  };
  const fields = fieldsOf(schema);

  it("follows $ref into $defs, keeping the reference's own default and description", () => {
    expect(field(fields, "side")).toMatchObject({ kind: "enum", options: ["buy", "sell"], defaultValue: "buy", description: "which way" });
    expect(field(fields, "maybe_side")).toMatchObject({ kind: "enum", nullable: true, defaultValue: null });
    expect(jsonValue(field(fields, "maybe_side"), "")).toBeNull();
  });

  it("reads lists of strings, strings with lengths and patterns, required marks", () => {
    expect(field(fields, "symbols")).toMatchObject({ kind: "strings", required: true });
    expect(validateField(field(fields, "symbols"), [])).toBe("Required");
    expect(validateField(field(fields, "count"), "")).toBe("Required");
    expect(field(fields, "label").label).toBe("Label"); // no title: made from the name
    expect(validateField(field(fields, "label"), "a")).toBe("At least 2 characters");
    expect(validateField(field(fields, "label"), "abcdef")).toBe("At most 5 characters");
    expect(validateField(field(fields, "label"), "AB")).toBe("Not in the expected form");
    expect(validateField(field(fields, "label"), "ab")).toBeNull();
  });

  it("marks what it cannot draw, and never sends it", () => {
    expect(field(fields, "weights").kind).toBe("unsupported");
    expect(toParams(fields, { ...initialValues(fields), count: "3", symbols: ["A"] })).toEqual({ count: 3, symbols: ["A"] });
  });

  it("has no fields for something that is not an object schema", () => {
    expect(fieldsOf(null)).toEqual([]);
    expect(fieldsOf({ type: "object" })).toEqual([]);
  });
});
