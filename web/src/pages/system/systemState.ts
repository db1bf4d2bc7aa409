/**
 * The system's state as one word, from the status counts. The server keeps
 * no such flag: system stop pauses every running session and stops every
 * running agent, start undoes it (docs/operations.md, "System control").
 */
import type { Status } from "./queries";

export type SystemState = "RUNNING" | "PAUSED" | "STOPPED";

export interface SystemSummary {
  state: SystemState;
  /** Sessions running now (what a stop pauses). */
  runningSessions: number;
  /** Agents running or starting now (what a stop stops). */
  runningAgents: number;
  pausedSessions: number;
  /** Agents stopped or in error (what a start starts, in working sessions). */
  stoppedAgents: number;
  /** Sessions in error (a start resumes paper ones and backtests). */
  failedSessions: number;
}

export function summarize(status: Status): SystemSummary {
  const sessions = status.sessions.by_state;
  const agents = status.agents.by_status;
  const runningSessions = sessions.running ?? 0;
  const runningAgents = (agents.running ?? 0) + (agents.starting ?? 0);
  const pausedSessions = sessions.paused ?? 0;
  const state: SystemState =
    runningSessions > 0 || runningAgents > 0 ? "RUNNING" : pausedSessions > 0 ? "PAUSED" : "STOPPED";
  return {
    state,
    runningSessions,
    runningAgents,
    pausedSessions,
    stoppedAgents: (agents.stopped ?? 0) + (agents.error ?? 0),
    failedSessions: sessions.error ?? 0,
  };
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** "Paused 3 sessions, stopped 12 agents; 1 failed: …" from a control answer's results. */
export function describeResults(
  results: Record<string, string>,
  word: string,
  verb: string,
): { done: number; text: string; failures: string[] } {
  const failures = Object.entries(results)
    .filter(([, result]) => result.startsWith("error"))
    .map(([id, result]) => `${word} ${id.slice(0, 8)}: ${result.replace(/^error:\s*/, "")}`);
  const done = Object.keys(results).length - failures.length;
  return { done, text: `${verb} ${plural(done, word)}`, failures };
}
