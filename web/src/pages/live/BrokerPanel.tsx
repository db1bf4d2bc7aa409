/**
 * A live session's broker: where its orders go (endpoint and URL), with which
 * credentials (label and the last four characters of the key id: never a
 * secret), how it is reconciled, and the health of the feed its strategy
 * trades on. The API says nothing of the broker link's own connection: the
 * reconciliation runs below show when the broker last answered.
 */
import { Alert, Box, Typography } from "@mui/material";
import type { ReactNode } from "react";

import { ALPACA_URLS } from "../wizard/brokerForm";
import { BrokerMarker, brokerName } from "../../components/BrokerMarker";
import { StatusChip } from "../../components/StatusChip";
import { formatTime } from "../../format/time";
import { useCredentials } from "../credentials/api";
import { Section } from "../session/Section";
import type { SessionView } from "../session/types";
import { useLiveSession } from "./api";
import type { BrokerSettings } from "./types";

function Facts({ rows, label }: { rows: [string, ReactNode][]; label: string }) {
  return (
    <Box
      component="dl"
      aria-label={label}
      sx={{ display: "grid", gridTemplateColumns: "max-content 1fr", columnGap: 3, rowGap: 0.75, m: 0 }}
    >
      {rows.map(([term, value]) => (
        <Box key={term} sx={{ display: "contents" }}>
          <Typography component="dt" variant="body2" color="text.secondary">
            {term}
          </Typography>
          <Typography component="dd" variant="body2" sx={{ m: 0, wordBreak: "break-all" }}>
            {value}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

export function brokerUrl(broker: BrokerSettings): string {
  return broker.base_url ?? (broker.endpoint === "custom" ? "" : ALPACA_URLS[broker.endpoint]);
}

export function BrokerPanel({ session }: { session: SessionView & { broker: BrokerSettings } }) {
  const broker = session.broker;
  const credentials = useCredentials();
  const live = useLiveSession(session.id);
  const credential = credentials.data?.find((item) => item.id === broker.credentials_id);
  const credentialText =
    broker.credentials_id === "server"
      ? "the server's own Alpaca keys"
      : credential !== undefined
        ? `${credential.label} (key …${credential.key_hint})`
        : credentials.isPending
          ? "…"
          : `deleted (${broker.credentials_id})`;
  const feed = live.data?.feed ?? null;
  const reconcile = broker.reconcile;
  return (
    <Section title="Broker" actions={<BrokerMarker session={session} />}>
      {session.real_money && (
        <Alert severity="error" variant="filled" sx={{ mb: 2 }}>
          This session trades real money at {brokerName(broker)}: its orders are real orders.
        </Alert>
      )}
      <Facts
        label="Broker settings"
        rows={[
          ["Broker", brokerName(broker)],
          ["Endpoint", `${broker.endpoint}${broker.endpoint === "live" ? " (real money)" : ""}`],
          ["Trading API", brokerUrl(broker)],
          ["Credentials", credentialText],
          [
            "Reconciliation",
            reconcile === undefined
              ? "the server's default"
              : `${reconcile.policy === "halt" ? "halt for approval" : "adopt the broker's figures"}, every ${String(reconcile.interval_seconds)} s`,
          ],
          [
            "Feed",
            feed === null ? (
              live.isPending ? "…" : "not running"
            ) : (
              <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 1, flexWrap: "wrap" }}>
                {feed.type}
                <StatusChip status={feed.connected ? (feed.stale ? "degraded" : "ok") : "unhealthy"} />
                {feed.connected ? (feed.stale ? "connected, stale" : "connected") : "disconnected"}
                {` · ${String(feed.bars)} bar${feed.bars === 1 ? "" : "s"}, last ${formatTime(feed.last_bar_at)}`}
                {feed.last_error !== null && ` · ${feed.last_error}`}
              </Box>
            ),
          ],
        ]}
      />
    </Section>
  );
}
