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
};
