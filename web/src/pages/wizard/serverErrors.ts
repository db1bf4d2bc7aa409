/**
 * A refused creation (422) put back on the field it is about: the body's
 * `field` (a strategy parameter: `strategy.params.fast`) or the field its
 * message names (`field initialCash: …`, `feed field 'speed': …`,
 * `execution.slippage.bps: …`, `risk.limits.max_order_qty: …`), mapped to
 * the wizard's step and field.
 */

export interface FieldProblem {
  /** The wizard's step (0-based) and field id; `null` when no field is named. */
  step: number | null;
  field: string | null;
  message: string;
}

const FEED_FIELDS: Record<string, string> = {
  type: "feed.type",
  speed: "feed.speed",
  start: "feed.start",
  seed: "feed.seed",
  interval_seconds: "feed.intervalSeconds",
};

const BROKER_FIELDS = ["broker.base_url", "broker.credentials_id", "broker.reconcile.interval_seconds", "broker.reconcile.policy"];

/** The path in the request the error is about, as the server names it. */
export function pathOf(body: unknown, message: string): string | null {
  if (typeof body === "object" && body !== null) {
    const { field } = body as { field?: unknown };
    if (typeof field === "string" && field !== "") {
      return field;
    }
  }
  const patterns: [RegExp, (match: RegExpExecArray) => string][] = [
    [/^field ([A-Za-z0-9_.]+)(?::| is required)/, (m) => m[1] ?? ""],
    [/^(execution(?:\.[A-Za-z0-9_]+)*):/, (m) => m[1] ?? ""],
    [/^(risk(?:\.[A-Za-z0-9_]+)*):/, (m) => m[1] ?? ""],
    [/^feed field '(\w+)'/, (m) => `feed.${m[1] ?? ""}`],
    [/^(?:unknown feed field|invalid feed settings|an alpaca feed)/, () => "feed"],
    [/^parameter '(\w+)'/, (m) => `strategy.params.${m[1] ?? ""}`],
    [/^(?:unknown parameter|invalid parameters for)/, () => "strategy.params"],
    [/^endTime must be after startTime/, () => "endTime"],
    [/^no bars of /, () => "symbols"],
    [/^unknown strategy/, () => "strategy.name"],
  ];
  for (const [pattern, path] of patterns) {
    const match = pattern.exec(message);
    if (match !== null) {
      return path(match);
    }
  }
  return null;
}

/** The wizard's step and field for a path of the request. */
export function fieldOfPath(path: string): { step: number; field: string } | null {
  const parts = path.split(".");
  const [head, second, third] = parts;
  if (head === "strategy") {
    if (second === "params") {
      return third === undefined ? { step: 1, field: "params" } : { step: 1, field: `param:${third}` };
    }
    if (second === "symbols") {
      return { step: 2, field: "symbols" };
    }
    return { step: 1, field: "strategy" };
  }
  if (head === "risk") {
    // `risk.limits.max_order_qty`, `risk.hours.blackouts.0.end`: the rule's field (a blackout: its row).
    if (second === "hours" && third === "blackouts") {
      const row = parts[3];
      return { step: 3, field: row === undefined || !/^\d+$/.test(row) ? "risk.hours.blackouts" : `risk.hours.blackouts.${row}` };
    }
    return { step: 3, field: parts.slice(0, 3).join(".") };
  }
  switch (head) {
    case "symbols":
      return { step: 2, field: "symbols" };
    case "startTime":
      return { step: 2, field: "start" };
    case "endTime":
      return { step: 2, field: "end" };
    case "initialCash":
    case "initial_cash":
      return { step: 2, field: "initialCash" };
    case "name":
      return { step: 2, field: "name" };
    case "feed":
      return { step: 2, field: FEED_FIELDS[second ?? "type"] ?? "feed.type" };
    case "broker":
      // `broker.credentials_id`, `broker.reconcile.interval_seconds`: the field; else the endpoint.
      return { step: 2, field: BROKER_FIELDS.includes(path) ? path : "broker.endpoint" };
    case "confirm_real_money":
      return { step: 2, field: "confirm_real_money" };
    case "execution":
      if (second === "slippage" || second === "fees") {
        return { step: 2, field: `execution.${second}` };
      }
      return { step: 2, field: "execution.preset" };
    default:
      return null;
  }
}

/** Where a 422's message belongs. */
export function problemOf(body: unknown, message: string): FieldProblem {
  const path = pathOf(body, message);
  const place = path === null ? null : fieldOfPath(path);
  return { step: place?.step ?? null, field: place?.field ?? null, message };
}
