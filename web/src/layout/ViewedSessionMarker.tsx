import { Box, Typography } from "@mui/material";
import { useMatch } from "react-router";

import { BrokerMarker } from "../components/BrokerMarker";
import { useSession } from "../pages/session/queries";

/**
 * In the app bar, while a live session's pages are open (the session, its
 * agent flow): whose money it trades, so that it shows whatever is scrolled
 * into view. Nothing for backtests and paper sessions.
 */
export function ViewedSessionMarker() {
  const match = useMatch({ path: "/sessions/:sessionId", end: false });
  const id = match?.params.sessionId;
  if (id === undefined || id === "new") {
    return null;
  }
  return <Marker sessionId={id} />;
}

function Marker({ sessionId }: { sessionId: string }) {
  const session = useSession(sessionId);
  if (session.data === undefined || (session.data.broker === null && !session.data.real_money)) {
    return null;
  }
  return (
    <Box role="status" aria-label="Viewed session's money" sx={{ display: "flex", alignItems: "center", gap: 1, minWidth: 0 }}>
      <BrokerMarker session={session.data} />
      <Typography variant="body2" noWrap sx={{ maxWidth: 240 }} title={session.data.name}>
        {session.data.name}
      </Typography>
    </Box>
  );
}
