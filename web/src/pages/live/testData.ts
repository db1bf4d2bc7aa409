/** Answers of the live-trading routes for component tests, in the generated API types. */
import { sessionView, SESSION_ID } from "../session/testData";
import type { SessionView } from "../session/types";
import type { BrokerSettings, Checkpoints, Credential, LiveSession, Reconciliation } from "./types";

export const CREDENTIAL: Credential = {
  id: "0b5e2f7a-3c1d-4e8f-9a6b-2d4c6e8f0a1b",
  label: "alpaca paper",
  broker: "alpaca",
  key_hint: "WXYZ",
  created_at: "2026-12-06T10:00:00Z",
};

export function broker(patch: Partial<BrokerSettings> = {}): BrokerSettings {
  return {
    type: "alpaca",
    endpoint: "custom",
    base_url: "http://127.0.0.1:5001",
    credentials_id: CREDENTIAL.id,
    reconcile: { policy: "halt", interval_seconds: 60 },
    ...patch,
  };
}

export function liveView(patch: Partial<SessionView> = {}): SessionView {
  return sessionView({ type: "live", name: "sma at the broker", broker: broker(), real_money: false, ...patch });
}

export function liveSession(patch: Partial<LiveSession> = {}): LiveSession {
  return {
    ...liveView(),
    status: "running",
    feed: {
      type: "synthetic",
      connected: true,
      last_bar_at: "2026-12-06T10:05:00Z",
      bars: 42,
      reconnects: 0,
      stale_seconds: 0.5,
      stale: false,
      last_error: null,
    },
    ...patch,
  };
}

export function run(patch: Partial<Reconciliation> = {}): Reconciliation {
  return {
    id: "run-1",
    session_id: SESSION_ID,
    ts: "2026-12-06T10:01:00Z",
    trigger: "start",
    policy: "halt",
    outcome: "clean",
    differences: [],
    resolved_at: null,
    resolved_by: null,
    ...patch,
  };
}

export const HALTED = run({
  id: "run-2",
  ts: "2026-12-06T10:04:00Z",
  trigger: "manual",
  outcome: "halted",
  differences: [
    {
      kind: "position_opened_outside",
      symbol: "AAPL",
      local: { qty: "0" },
      broker: { qty: "5", avg_entry_price: "411.00" },
      message: "the broker holds 5 AAPL, the session none",
    },
    {
      kind: "cash_drift",
      symbol: "",
      local: { cash: "100000" },
      broker: { cash: "97945.00" },
      message: "cash differs by -2055.00",
    },
  ],
});

export function checkpoints(patch: Partial<Checkpoints> = {}): Checkpoints {
  return {
    session_id: SESSION_ID,
    stats: {
      count: 3,
      latest_seq: 812,
      latest_at: "2026-12-06T10:05:00Z",
      total_size: 45_312,
      last_restore: {
        checkpoint_seq: 700,
        skipped: 0,
        replayed: 112,
        seconds: "0.041",
        at: "2026-12-06T09:00:00Z",
      },
    },
    checkpoints: [
      { id: 3, seq: 812, created_at: "2026-12-06T10:05:00Z", reason: "manual", schema_version: 1, size: 15_400, digest: "c" },
      { id: 2, seq: 700, created_at: "2026-12-06T09:59:00Z", reason: "interval", schema_version: 1, size: 15_000, digest: "b" },
      { id: 1, seq: 512, created_at: "2026-12-06T09:58:00Z", reason: "interval", schema_version: 1, size: 14_912, digest: "a" },
    ],
    ...patch,
  };
}
