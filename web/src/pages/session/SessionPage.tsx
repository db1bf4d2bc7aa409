/**
 * One session: its header and clock, charts of prices with its fills and of
 * its equity, its positions, its risk (limits, breakers, denials), orders and
 * fills, its metrics, and the emergency actions; a live session's broker and
 * reconciliations, and every session's checkpoints. Everything is read from
 * the server and refreshed by the session's live events. A session of
 * several accounts (an A/B test's arms) offers a choice of account: the
 * fills, positions, orders, order form, charts and metrics follow it.
 */
import { Box, Stack, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { useParams } from "react-router";

import { ErrorAlert } from "../../components/ErrorAlert";
import { SessionControls } from "../../components/SessionControls";
import { PageLoading } from "../../components/PageLoading";
import { AccountSelect } from "./AccountSelect";
import { useAccountChoice } from "./accounts";
import { ArmsPanel } from "./ArmsPanel";
import { ChartsPanel } from "./ChartsPanel";
import { DerivedSessionActions } from "./DerivedSessionActions";
import { ReportButtons } from "./ReportButtons";
import { TradeReviewPanel } from "./TradeReviewPanel";
import { BrokerPanel } from "../live/BrokerPanel";
import { CheckpointsPanel } from "../live/CheckpointsPanel";
import { ReconciliationPanel } from "../live/ReconciliationPanel";
import { RiskPanel } from "../risk/RiskPanel";
import { ClockControls } from "./ClockControls";
import { EmergencyActions } from "./EmergencyActions";
import { FillsTable } from "./FillsTable";
import { MetricsPanel } from "./MetricsPanel";
import { OrderForm } from "./OrderForm";
import { OrdersTable } from "./OrdersTable";
import { PositionsTable } from "./PositionsTable";
import { useFills, useMetrics, useOrders, usePositions, useSession } from "./queries";
import { SessionHeader } from "./SessionHeader";
import type { SessionView } from "./types";

export default function SessionPage() {
  const { sessionId = "" } = useParams();
  const session = useSession(sessionId);
  if (session.isPending) {
    return <PageLoading label="Loading session…" />;
  }
  if (session.isError) {
    return (
      <Stack sx={{ gap: 2 }}>
        <Typography variant="h4" component="h1">
          Session
        </Typography>
        <ErrorAlert error={session.error} onRetry={() => void session.refetch()} />
      </Stack>
    );
  }
  return (
    <SessionDetail
      session={session.data}
      updatedAt={session.dataUpdatedAt}
      actions={<SessionControls session={session.data} />}
    />
  );
}

function SessionDetail({
  session,
  updatedAt,
  actions,
}: {
  session: SessionView;
  updatedAt: number;
  actions?: ReactNode;
}) {
  const id = session.id;
  const choice = useAccountChoice(session);
  const account = choice.account;
  const accountId = account?.id;
  const several = choice.options.length > 1;
  const positions = usePositions(id, accountId);
  const openOrders = useOrders(id, accountId, "open");
  const fills = useFills(id, accountId);
  const metrics = useMetrics(id, accountId);
  const fillRows = fills.data?.rows ?? [];
  const traded = [
    ...new Set([
      ...fillRows.map((fill) => fill.symbol),
      ...(positions.data ?? []).map((position) => position.symbol),
      ...(openOrders.data ?? []).map((order) => order.symbol),
    ]),
  ];
  const symbols = [...new Set([...traded, ...session.symbols])];

  return (
    <Stack sx={{ gap: 2 }}>
      <SessionHeader session={session} updatedAt={updatedAt} actions={actions} />
      <Box role="toolbar" aria-label="Reports and new sessions" sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center" }}>
        <ReportButtons sessionId={id} name={session.name} />
        <DerivedSessionActions session={session} />
      </Box>
      <AccountSelect choice={choice} />
      {session.type === "backtest" && <ClockControls session={session} />}
      {session.broker !== null && (
        <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", xl: "1fr 2fr" }, alignItems: "start" }}>
          <BrokerPanel session={{ ...session, broker: session.broker }} />
          <ReconciliationPanel
            sessionId={id}
            name={session.name}
            intervalSeconds={session.state === "running" ? (session.broker.reconcile?.interval_seconds ?? 60) : null}
          />
        </Box>
      )}
      <ChartsPanel session={session} account={account} fills={fillRows} traded={traded} />
      <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", lg: "2fr 1fr" } }}>
        <PositionsTable query={positions} />
        <EmergencyActions
          sessionId={id}
          name={session.name}
          // The emergency actions act on every account: one account's counts would understate them.
          positions={several ? undefined : (positions.data?.length ?? 0)}
          openOrders={several ? undefined : (openOrders.data?.length ?? 0)}
        />
      </Box>
      <RiskPanel sessionId={id} name={session.name} />
      {accountId === undefined ? (
        <PageLoading label="Loading the session's accounts…" />
      ) : (
        <>
          <OrderForm key={accountId} sessionId={id} accountId={accountId} symbols={symbols} />
          <OrdersTable sessionId={id} accountId={accountId} />
        </>
      )}
      <FillsTable query={fills} />
      <MetricsPanel session={session} metrics={metrics} account={several ? account?.label : undefined} />
      <TradeReviewPanel sessionId={id} />
      <ArmsPanel sessionId={id} />
      <CheckpointsPanel sessionId={id} name={session.name} />
    </Stack>
  );
}
