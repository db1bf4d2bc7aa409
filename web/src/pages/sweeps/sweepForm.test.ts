import { describe, expect, it } from "vitest";

import { fieldsOf } from "../wizard/schemaForm";
import { emptySweepForm, gridSize, initialRange, spaceOf, sweepable, sweepBody, sweepErrors } from "./sweepForm";

const FIELDS = sweepable(
  fieldsOf({
    type: "object",
    properties: {
      fast: { type: "integer", default: 10, minimum: 1, title: "Fast" },
      slow: { type: "integer", default: 30, minimum: 2, title: "Slow" },
      label: { type: "string", title: "Label" },
    },
  }),
);

describe("sweepForm", () => {
  it("offers the numeric parameters, and turns ranges and values into the space of a 2x2 grid", () => {
    expect(FIELDS.map((field) => field.name)).toEqual(["fast", "slow"]);
    const form = {
      ...emptySweepForm(),
      strategy: "sma_crossover",
      symbols: ["AAPL"],
      start: "2012-01-03",
      end: "2012-02-29",
      ranges: {
        fast: { ...initialRange(FIELDS[0]!), enabled: true, min: "3", max: "5", step: "2" },
        slow: { ...initialRange(FIELDS[1]!), enabled: true, mode: "values" as const, values: "10, 20" },
      },
    };
    expect(sweepErrors(form, FIELDS)).toEqual({});
    expect(spaceOf(form, FIELDS)).toEqual({ fast: { min: 3, max: 5, step: 2 }, slow: { values: [10, 20] } });
    expect(gridSize(spaceOf(form, FIELDS))).toBe(4);
    expect(sweepBody(form, FIELDS)).toMatchObject({
      strategy: "sma_crossover",
      startTime: "2012-01-03T00:00:00Z",
      endTime: "2012-02-29T23:59:59Z",
      method: "grid",
      objective: "sharpe",
      workers: 1,
    });
  });

  it("names what is missing or wrong", () => {
    const errors = sweepErrors(
      { ...emptySweepForm(), ranges: { fast: { ...initialRange(FIELDS[0]!), enabled: true, min: "5", max: "3" } } },
      FIELDS,
    );
    expect(errors).toMatchObject({
      strategy: "Pick a strategy",
      symbols: "Pick at least one symbol",
      start: "Pick a start date",
      "range:fast": "The maximum is below the minimum",
    });
  });
});
