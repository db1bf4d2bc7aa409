/** Answers shaped as the server gives them, for this page's tests. */
import type { Agent, Pipeline } from "./api";

export const SESSION_ID = "48f548a6-ec79-47d1-a6d0-d57184900e42";

const ids = {
  data: "af9d4eb2-f0e2-5637-8e0b-ae97349912f3",
  sentiment: "ba9d80c8-3f45-57d8-ae47-b0aab076a163",
  strategy: "5314c591-5357-5344-a46c-ffa3eb6a48e5",
  risk: "889613ef-fdee-5429-8ae7-b0fb954e4e66",
  execution: "938c3db4-8be8-59ff-968f-0cc8e9af5352",
};

export const AGENT_IDS = ids;

export const PIPELINE: Pipeline = {
  nodes: (["data", "sentiment", "strategy", "risk", "execution"] as const).map((name) => ({
    id: ids[name],
    name,
    type: name,
    status: "running",
  })),
  edges: [
    { source: "data", target: "strategy", topic: "bars" },
    { source: "data", target: "sentiment", topic: "news" },
    { source: "sentiment", target: "strategy", topic: "sentiment" },
    { source: "strategy", target: "risk", topic: "order_intents" },
    { source: "risk", target: "execution", topic: "approved_intents" },
    { source: "risk", target: "execution", topic: "denied_intents" },
  ],
};

export function agent(name: keyof typeof ids, changes: Partial<Agent> = {}): Agent {
  const metrics: Record<string, Record<string, number>> = {
    data: { bars: 328, news: 40, published: 368 },
    sentiment: { headlines: 40, published: 42, received: 40 },
    strategy: { intents: 14, published: 14, received: 370 },
    risk: { approved: 14, denied: 2, published: 16, received: 16 },
    execution: { fills: 14, orders: 14, published: 28, received: 14 },
  };
  return {
    id: ids[name],
    name,
    type: name,
    session_id: SESSION_ID,
    status: "running",
    symbols: name === "data" || name === "strategy" ? ["AAPL", "MSFT"] : [],
    last_active: "2012-04-30T20:00:00Z",
    error: null,
    config: {},
    metrics: metrics[name] ?? {},
    ...changes,
  };
}

export const AGENTS: Agent[] = (["data", "sentiment", "strategy", "risk", "execution"] as const).map((name) =>
  agent(name),
);

export const SESSION = {
  id: SESSION_ID,
  name: "news-momentum",
  type: "backtest",
  state: "paused",
  current_time: "2012-04-30T21:00:00Z",
};
