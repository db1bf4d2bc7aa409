import { Link } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link as RouterLink } from "react-router";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";

/** The names of the key's sessions by id (the session list, shared with the other pages). */
export function useSessionNames(): ReadonlyMap<string, string> {
  const sessions = useQuery({ queryKey: keys.sessions, queryFn: () => call(api.GET("/v1/sessions")) });
  const data = sessions.data;
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
