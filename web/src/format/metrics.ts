/**
 * Every performance metric the server computes (MetricsPublic), grouped as
 * the pages show them, each with its label, how it reads (a percentage, a
 * plain ratio, money, a duration, a count) and which way is better (for the
 * compare page's highlight; `null`: neither, e.g. a beta).
 */
import { formatDecimal, formatMoney } from "./numbers";
import { formatDuration } from "./time";

export type MetricKind = "percent" | "ratio" | "money" | "seconds" | "count" | "bps";

export interface MetricSpec {
  name: string;
  label: string;
  kind: MetricKind;
  better: "higher" | "lower" | null;
}

export interface MetricGroup {
  title: string;
  metrics: MetricSpec[];
}

const m = (name: string, label: string, kind: MetricKind, better: MetricSpec["better"] = "higher"): MetricSpec => ({
  name,
  label,
  kind,
  better,
});

export const METRIC_GROUPS: MetricGroup[] = [
  {
    title: "Returns",
    metrics: [
      m("total_return", "Total return", "percent"),
      m("annualized_return", "Annualized return", "percent"),
      m("cagr", "CAGR", "percent"),
      m("sharpe", "Sharpe ratio", "ratio"),
      m("sortino", "Sortino ratio", "ratio"),
      m("calmar", "Calmar ratio", "ratio"),
      m("omega", "Omega ratio", "ratio"),
    ],
  },
  {
    title: "Risk",
    metrics: [
      m("volatility_annual", "Volatility (annual)", "percent", "lower"),
      m("max_drawdown", "Max drawdown", "percent"),
      m("max_drawdown_duration_seconds", "Max drawdown duration", "seconds", "lower"),
      m("recovery_seconds", "Recovery time", "seconds", "lower"),
      m("var_95", "VaR 95 %", "percent", null),
      m("var_99", "VaR 99 %", "percent", null),
      m("es_95", "Expected shortfall 95 %", "percent", null),
      m("es_99", "Expected shortfall 99 %", "percent", null),
      m("exposure", "Time in market", "percent", null),
    ],
  },
  {
    title: "Trades",
    metrics: [
      m("num_trades", "Closed trades", "count", null),
      m("win_rate", "Win rate", "percent"),
      m("profit_factor", "Profit factor", "ratio"),
      m("expectancy", "Expectancy", "money"),
      m("avg_win", "Average win", "money"),
      m("avg_loss", "Average loss", "money"),
      m("largest_win", "Largest win", "money"),
      m("largest_loss", "Largest loss", "money"),
      m("longest_win_streak", "Longest win streak", "count"),
      m("longest_loss_streak", "Longest loss streak", "count", "lower"),
      m("trades_per_day", "Trades per day", "ratio", null),
      m("avg_holding_seconds", "Average holding time", "seconds", null),
      m("turnover", "Turnover", "ratio", null),
    ],
  },
  {
    title: "Execution",
    metrics: [
      m("fees", "Fees", "money", "lower"),
      m("slippage_cost", "Slippage cost", "money", "lower"),
      m("fill_ratio", "Fill ratio", "percent"),
      m("avg_slippage_bps", "Average slippage", "bps", "lower"),
      m("avg_latency_seconds", "Average latency", "seconds", "lower"),
    ],
  },
  {
    title: "Benchmark",
    metrics: [
      m("benchmark_return", "Benchmark return", "percent", null),
      m("alpha", "Alpha", "percent"),
      m("beta", "Beta", "ratio", null),
      m("risk_free_rate", "Risk-free rate", "percent", null),
    ],
  },
];

export const ALL_METRICS: MetricSpec[] = METRIC_GROUPS.flatMap((group) => group.metrics);

/** No value: the server's null, a field it left out, an empty string. */
function absent(value: unknown): value is null | undefined | "" {
  return value === null || value === undefined || value === "";
}

/** An infinite ratio (`"inf"`, `"-inf"`) as it reads, or null for any other. */
function infinity(text: string): string | null {
  return text === "inf" ? "∞" : text === "-inf" ? "−∞" : null;
}

/** A value as text: strings and numbers as they are, anything else as JSON. */
export function valueText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

/** A ratio the server writes as a decimal string (`"0.0123"`, `"inf"`, null) as a percentage. */
export function ratioPercent(value: unknown): string {
  if (absent(value)) {
    return "—";
  }
  const text = valueText(value);
  const infinite = infinity(text);
  if (infinite !== null) {
    return infinite;
  }
  // Shift the point two places on the decimal string: no binary rounding.
  const negative = text.startsWith("-");
  const [whole = "0", frac = ""] = text.replace(/^[+-]/, "").split(".");
  const shifted = `${negative ? "-" : ""}${whole}${frac.padEnd(2, "0").slice(0, 2)}.${frac.slice(2) || "0"}`;
  return `${formatDecimal(shifted, { places: 2 })} %`;
}

/** A plain ratio (Sharpe, profit factor) to two places. */
export function plainRatio(value: unknown): string {
  if (absent(value)) {
    return "—";
  }
  const text = valueText(value);
  return infinity(text) ?? formatDecimal(text, { places: 2 });
}

/** A metric's value as it reads. */
export function formatMetric(kind: MetricKind, value: unknown): string {
  if (absent(value)) {
    return "—";
  }
  switch (kind) {
    case "percent":
      return ratioPercent(value);
    case "ratio":
      return plainRatio(value);
    case "money":
      return formatMoney(valueText(value));
    case "seconds":
      return Number.isFinite(Number(value)) ? formatDuration(Number(value)) : valueText(value);
    case "count":
      return Number.isFinite(Number(value)) ? Number(value).toLocaleString("en-US") : valueText(value);
    case "bps":
      return `${formatDecimal(valueText(value), { places: 2 })} bps`;
  }
}

/** A value as a number to compare (`inf` included), or null. */
export function metricNumber(value: unknown): number | null {
  if (absent(value)) {
    return null;
  }
  if (value === "inf") return Infinity;
  if (value === "-inf") return -Infinity;
  const n = Number(value);
  return Number.isNaN(n) ? null : n;
}

/** The indexes holding the best value of a row (ties all win); none when the metric has no better side. */
export function bestIndexes(spec: MetricSpec, values: unknown[]): Set<number> {
  const best = new Set<number>();
  if (spec.better === null) {
    return best;
  }
  const numbers = values.map(metricNumber);
  const present = numbers.filter((n): n is number => n !== null);
  if (present.length < 2) {
    return best;
  }
  const target = spec.better === "higher" ? Math.max(...present) : Math.min(...present);
  numbers.forEach((n, index) => {
    if (n === target) best.add(index);
  });
  return best;
}
