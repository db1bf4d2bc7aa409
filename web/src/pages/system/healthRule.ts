/**
 * The health rule in words (docs/operations.md, "System control"): each
 * penalty the server charged, with the measurement behind it and the rule
 * that turned it into points.
 */
import type { Health } from "./queries";

export interface Penalty {
  input: string;
  label: string;
  reason: string;
  rule: string;
  points: number;
}

const num = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

function describe(input: string, health: Health): Omit<Penalty, "input" | "points"> {
  const { database, event_loop: loop, errors, feeds } = health;
  switch (input) {
    case "event_loop_lag":
      return {
        label: "Event-loop lag",
        reason: `p99 ${num(loop.lag_p99_ms)} ms over the last ${loop.window_seconds} s (${loop.samples} samples)`,
        rule: "1 point per 10 ms above 50 ms, at most 25",
      };
    case "database":
      return {
        label: "Database",
        reason: database.reachable
          ? `SELECT 1 took ${database.latency_ms === null ? "—" : num(database.latency_ms)} ms`
          : `does not answer${database.error === null ? "" : `: ${database.error}`}`,
        rule: "1 point per 10 ms above 50 ms, at most 25; 100 if it does not answer",
      };
    case "stale_feeds": {
      const stale = feeds.filter((feed) => feed.stale).length;
      return {
        label: "Stale feeds",
        reason: `${stale} of ${feeds.length} paper feeds stale`,
        rule: "10 per stale feed, at most 30",
      };
    }
    case "sessions_in_error":
      return {
        label: "Sessions in error",
        reason: `${errors.sessions_in_error} in error or unloadable`,
        rule: "10 each, at most 30",
      };
    case "agents_in_error":
      return { label: "Agents in error", reason: `${errors.agents_in_error} in error`, rule: "5 each, at most 20" };
    case "error_rate":
      return {
        label: "Error rate",
        reason:
          `${num(errors.per_minute)} a minute over ${errors.window_minutes} min: ` +
          `${errors.server_errors} server errors, ${errors.session_failures} session failures, ` +
          `${errors.agent_failures} agent failures`,
        rule: "5 per error a minute, at most 25",
      };
    default:
      return { label: input, reason: "", rule: "" };
  }
}

export function penaltiesOf(health: Health): Penalty[] {
  return Object.entries(health.penalties).map(([input, points]) => ({
    input,
    points,
    ...describe(input, health),
  }));
}
