/**
 * Query keys: every cached answer about one session starts with
 * `["session", id]`, so one invalidation refreshes all of it when the
 * session's events arrive.
 */
export const keys = {
  sessions: ["sessions"] as const,
  session: (id: string) => ["session", id] as const,
  sessionPart: (id: string, part: string, ...rest: unknown[]) => ["session", id, part, ...rest] as const,
  system: ["system"] as const,
  systemStatus: ["system", "status"] as const,
  systemHealth: ["system", "health"] as const,
  agents: ["agents"] as const,
  agent: (id: string, ...rest: unknown[]) => ["agents", id, ...rest] as const,
  activity: (...rest: unknown[]) => ["activity", ...rest] as const,
  strategies: ["strategies"] as const,
  presets: ["presets"] as const,
  assets: ["assets"] as const,
  /** The signed-in owner's broker credentials (never a secret). */
  credentials: ["credentials"] as const,
  /** Everything the risk page reads: the cross-session overview and the audit. */
  risk: ["risk"] as const,
  riskOverview: ["risk", "overview"] as const,
  riskAudit: (...rest: unknown[]) => ["risk", "audit", ...rest] as const,
  /** Ended sessions' summaries (the History page), by filter, sort and page. */
  history: (...rest: unknown[]) => ["history", ...rest] as const,
  compare: (...rest: unknown[]) => ["compare", ...rest] as const,
  templates: ["templates"] as const,
  /** Every sweep, and one sweep's parts: `["sweeps", id, …]`. */
  sweeps: ["sweeps"] as const,
  sweep: (id: string, ...rest: unknown[]) => ["sweeps", id, ...rest] as const,
};
