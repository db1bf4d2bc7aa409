import { Link } from "@mui/material";
import { Link as RouterLink } from "react-router";

/** A session by the start of its id, linking to its page (the whole id on hover). */
export function SessionLink({ sessionId }: { sessionId: string | null }) {
  if (sessionId === null) {
    return <span>system</span>;
  }
  return (
    <Link
      component={RouterLink}
      to={`/sessions/${sessionId}`}
      title={sessionId}
      aria-label={`session ${sessionId}`}
      sx={{ fontFamily: "monospace" }}
    >
      {sessionId.slice(0, 8)}
    </Link>
  );
}
