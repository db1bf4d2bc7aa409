import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import { Alert, Box, Button, Typography } from "@mui/material";
import { useCallback, useMemo, useState } from "react";
import { Link as RouterLink, useParams } from "react-router";

import { ErrorAlert } from "../../components/ErrorAlert";
import { LastUpdated } from "../../components/LastUpdated";
import { PageLoading } from "../../components/PageLoading";
import { type Agent, useAgents, usePipeline, useSession } from "./api";
import { FlowGraph } from "./FlowGraph";
import { LogsDrawer } from "./LogsDrawer";
import { useNow } from "./useNow";
import { useScores } from "./useScores";

/** A session's agents as the bus wires them, each with its state, counters, controls and log. */
export default function AgentFlowPage() {
  const { sessionId = "" } = useParams();
  const session = useSession(sessionId);
  const pipeline = usePipeline(sessionId);
  const agents = useAgents();
  const [logsOf, setLogsOf] = useState<string | null>(null);

  const own = useMemo(
    () => new Map((agents.data ?? []).filter((a) => a.session_id === sessionId).map((a) => [a.id, a])),
    [agents.data, sessionId],
  );
  const ownList = useMemo(() => [...own.values()], [own]);
  const scores = useScores(ownList);
  // A paper session's clock is the wall clock: ages tick. A backtest's is its own, told by the server.
  const paper = session.data?.type === "paper";
  const wall = useNow(paper);
  const now = paper ? wall : Date.parse(session.data?.current_time ?? "") || wall;
  const openLogs = useCallback((agent: Agent) => {
    setLogsOf(agent.id);
  }, []);

  const failed = [session, pipeline, agents].find((query) => query.isError);
  const header = (
    <Box sx={{ display: "flex", alignItems: "center", flexWrap: "wrap", gap: 2, mb: 2 }}>
      <Box sx={{ flex: 1, minWidth: 0 }}>
        <Typography variant="h4" component="h1">
          Agent flow
        </Typography>
        <Typography color="text.secondary">
          {session.data === undefined
            ? `Session ${sessionId}`
            : `${session.data.name} · ${session.data.type} session · ${session.data.state}`}
          {session.data?.type === "backtest" ? ` · session time ${session.data.current_time}` : ""}
        </Typography>
      </Box>
      {agents.dataUpdatedAt > 0 && <LastUpdated at={agents.dataUpdatedAt} />}
      <Button component={RouterLink} to={`/sessions/${sessionId}`} startIcon={<ArrowBackIcon />}>
        Session
      </Button>
    </Box>
  );

  let body;
  if (failed?.error) {
    body = (
      <ErrorAlert
        error={failed.error}
        onRetry={() => {
          void failed.refetch();
        }}
      />
    );
  } else if (pipeline.data === undefined || agents.data === undefined || session.data === undefined) {
    body = <PageLoading />;
  } else if (pipeline.data.nodes.length === 0) {
    body = (
      <Alert severity="info">
        This session has no agents: it is traded by hand over the API. A session created with a strategy
        (or an explicit list of agents) runs a pipeline, shown here.
      </Alert>
    );
  } else {
    body = (
      <FlowGraph
        sessionId={sessionId}
        pipeline={pipeline.data}
        agents={own}
        now={now}
        scores={scores}
        onLogs={openLogs}
        locked={session.data.status === "completed" ? "The session is completed: its agents stay as they are" : undefined}
      />
    );
  }

  return (
    <Box>
      {header}
      {body}
      <LogsDrawer
        agent={logsOf === null ? null : (own.get(logsOf) ?? null)}
        onClose={() => {
          setLogsOf(null);
        }}
      />
    </Box>
  );
}
