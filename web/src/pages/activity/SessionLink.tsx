import { Link } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link as RouterLink } from "react-router";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";

/**
 * The key's sessions' ids and names (the session list, shared with the other
 * pages). The list is refetched as events arrive; what is selected here keeps
 * its identity while no name changes, so nothing re-renders for it.
 */
export function useSessionList() {
  return useQuery({
    queryKey: keys.sessions,
    queryFn: () => call(api.GET("/v1/sessions")),
    select: (sessions) => sessions.map(({ id, name }) => ({ id, name })),
  });
}

/** The names of the key's sessions by id. */
export function useSessionNames(): ReadonlyMap<string, string> {
  const data = useSessionList().data;
  return useMemo(() => new Map((data ?? []).map((session) => [session.id, session.name])), [data]);
}

/** A session by name (or the start of its id), linking to its page; the whole id on hover. */
export function SessionLink({ sessionId, name }: { sessionId: string | null; name?: string | undefined }) {
  if (sessionId === null) {
    return <span>system</span>;
  }
  return (
    <Link
      component={RouterLink}
      to={`/sessions/${sessionId}`}
      title={sessionId}
      aria-label={`session ${name ?? sessionId}`}
      sx={name === undefined ? { fontFamily: "monospace" } : undefined}
    >
      {name ?? sessionId.slice(0, 8)}
    </Link>
  );
}
