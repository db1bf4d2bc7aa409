/** The agent flow's requests and their query keys. */
import { useQuery } from "@tanstack/react-query";

import { api, call, type Schemas } from "../../api/client";
import { keys } from "../../api/keys";
import type { Filters, Line } from "./logLines";

export type Agent = Schemas["AgentPublic"];
export type Pipeline = Schemas["PipelinePublic"];

export function useSession(sessionId: string) {
  return useQuery({
    queryKey: keys.session(sessionId),
    queryFn: () => call(api.GET("/v1/sessions/{sessionId}", { params: { path: { sessionId } } })),
  });
}

export function usePipeline(sessionId: string) {
  return useQuery({
    queryKey: keys.sessionPart(sessionId, "pipeline"),
    queryFn: () => call(api.GET("/v1/sessions/{sessionId}/pipeline", { params: { path: { sessionId } } })),
  });
}

/** Every agent the key sees (the list takes no filter); the page keeps its session's. */
export function useAgents() {
  return useQuery({
    queryKey: keys.agents,
    queryFn: () => call(api.GET("/api/agents")),
  });
}

export function startAgent(agentId: string): Promise<Agent> {
  return call(api.POST("/api/agents/{agent_id}/start", { params: { path: { agent_id: agentId } } }));
}

export function stopAgent(agentId: string): Promise<Agent> {
  return call(api.POST("/api/agents/{agent_id}/stop", { params: { path: { agent_id: agentId } } }));
}

export interface LogQuery extends Filters {
  lines: number;
}

function logParams({ lines, level, search }: LogQuery) {
  return {
    lines,
    ...(level === "" ? {} : { level }),
    ...(search === "" ? {} : { search }),
  };
}

export async function readLog(agentId: string, query: LogQuery): Promise<Line[]> {
  const log = await call(
    api.GET("/api/agents/{agent_id}/logs", {
      params: { path: { agent_id: agentId }, query: logParams(query) },
    }),
  );
  return log.lines.map((line) => ({ seq: null, level: line.level, text: line.text }));
}

/** The log as a file, fetched with the key's headers (a key never goes in a URL). */
export async function downloadLog(agentId: string, query: LogQuery): Promise<Blob> {
  return call(
    api.GET("/api/agents/{agent_id}/logs/download", {
      params: { path: { agent_id: agentId }, query: { ...logParams(query), lines: 10_000 } },
      parseAs: "blob",
    }),
  );
}

/** Hand `blob` to the browser as a file download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 1000);
}
