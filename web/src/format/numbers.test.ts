import { describe, expect, it } from "vitest";

import { formatDecimal, formatMoney, formatPercent, signOf } from "./numbers";

describe("formatDecimal", () => {
  it("groups thousands and keeps every digit it is given", () => {
    expect(formatDecimal("1234567.891")).toBe("1,234,567.891");
    expect(formatDecimal("0.0001")).toBe("0.0001");
  });

  it("rounds half away from zero on the decimal digits, not a float", () => {
    expect(formatDecimal("2.675", { places: 2 })).toBe("2.68"); // 2.675 is 2.67499… as a float
    expect(formatDecimal("-2.675", { places: 2 })).toBe("−2.68");
    expect(formatDecimal("999.995", { places: 2 })).toBe("1,000.00");
  });

  it("reads exponents", () => {
    expect(formatDecimal("1.5E+3")).toBe("1,500");
    expect(formatDecimal("25E-4")).toBe("0.0025");
  });

  it("signs P&L, never a zero", () => {
    expect(formatMoney("2340.1", true)).toBe("+$2,340.10");
    expect(formatMoney("-180.4", true)).toBe("−$180.40");
    expect(formatMoney("-0.00", true)).toBe("$0.00");
  });

  it("shows what it cannot read as it is, and nothing as a dash", () => {
    expect(formatDecimal("NaN")).toBe("NaN");
    expect(formatDecimal(null)).toBe("—");
  });
});

describe("signOf and formatPercent", () => {
  it("tells the sign of a decimal string", () => {
    expect(signOf("-0.01")).toBe(-1);
    expect(signOf("0.000")).toBe(0);
    expect(signOf("3")).toBe(1);
  });

  it("turns a fraction into a percentage", () => {
    expect(formatPercent(0.1234)).toBe("12.34 %");
    expect(formatPercent(Number.NaN)).toBe("—");
  });
});
