/**
 * The latest score of each sentiment agent. The agent publishes scores on its
 * bus only, and logs each one it computes; its log's last scored headline is
 * the latest. Refreshed when the agents are (an `agents` event, an order, …).
 */
import { useQueries } from "@tanstack/react-query";
import { useMemo } from "react";

import { keys } from "../../api/keys";
import { type Agent, readLog } from "./api";
import { latestScore, type Score } from "./metrics";

export function useScores(agents: readonly Agent[]): ReadonlyMap<string, Score | null | "loading"> {
  const sentiment = agents.filter((agent) => agent.type === "sentiment");
  const data = useQueries({
    queries: sentiment.map((agent) => ({
      queryKey: keys.agent(agent.id, "latest-score", agent.metrics),
      queryFn: async () => latestScore(await readLog(agent.id, { lines: 50, level: "INFO", search: "" })),
    })),
    combine: (results) => results.map((result) => result.data),
  });
  const ids = sentiment.map((agent) => agent.id).join(",");
  return useMemo(() => {
    const scores = new Map<string, Score | null | "loading">();
    ids.split(",").forEach((id, index) => {
      if (id !== "") {
        scores.set(id, data[index] ?? "loading");
      }
    });
    return scores;
  }, [ids, data]);
}
