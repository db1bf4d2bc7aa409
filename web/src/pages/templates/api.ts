/** Templates: read, create, delete, and start a session from one. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { keys } from "../../api/keys";
import { request } from "../../api/untyped";
import type { Template, TemplateCreate, TemplateList } from "./types";

export function useTemplates() {
  return useQuery({
    queryKey: keys.templates,
    queryFn: () => request<TemplateList>("GET", "/v1/templates"),
  });
}

export type { TemplateCreate };

export function useCreateTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TemplateCreate) => request<Template>("POST", "/v1/templates", { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.templates }),
  });
}

export function useDeleteTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<null>("DELETE", "/v1/templates/{templateId}", { path: { templateId: id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.templates }),
  });
}

/** Start a session from a template; the new session's id. */
export function useSessionFromTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      (await request<{ id: string }>("POST", "/v1/templates/{templateId}/sessions", { path: { templateId: id }, body: {} })).id,
    onSuccess: () => client.invalidateQueries({ queryKey: keys.sessions }),
  });
}

/** The strategy a template's configuration runs (`strategy` as a name or `{name, …}`). */
export function templateStrategy(config: Record<string, unknown>): string | null {
  const strategy = config.strategy;
  if (typeof strategy === "string") return strategy;
  if (typeof strategy === "object" && strategy !== null && typeof (strategy as { name?: unknown }).name === "string") {
    return (strategy as { name: string }).name;
  }
  const strategies = config.strategies;
  if (Array.isArray(strategies)) {
    return strategies.map((item: { name?: unknown }) => String(item.name)).join(" + ");
  }
  return null;
}
