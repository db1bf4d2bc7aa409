import AccountBalanceIcon from "@mui/icons-material/AccountBalance";
import WarningAmberIcon from "@mui/icons-material/WarningAmber";
import { Chip, type ChipProps } from "@mui/material";

import type { Schemas } from "../api/client";

type Broker = Schemas["BrokerSettings"];

/** How operators name a live session's broker: `Alpaca paper`, `Alpaca live`, or the custom server's host. */
export function brokerName(broker: Broker): string {
  if (broker.endpoint === "custom") {
    let host = broker.base_url ?? "";
    try {
      host = new URL(host).host;
    } catch {
      // not a URL: shown as it is
    }
    return `Alpaca API at ${host}`;
  }
  return broker.endpoint === "live" ? "Alpaca live" : "Alpaca paper";
}

/**
 * Whose money a session trades, always in words: a red **REAL MONEY** chip for
 * a session on a real-money account, the broker's name for another live
 * session, nothing for backtests and paper sessions (they trade at no broker).
 */
export function BrokerMarker({
  session,
  size = "small",
}: {
  session: { real_money: boolean; broker: Broker | null };
  size?: ChipProps["size"];
}) {
  if (session.real_money) {
    return (
      <Chip
        size={size}
        color="error"
        variant="filled"
        icon={<WarningAmberIcon />}
        label="REAL MONEY"
        title={session.broker === null ? "Trades real money" : `Trades real money at ${brokerName(session.broker)}`}
        sx={{ fontWeight: 700, letterSpacing: 0.5 }}
      />
    );
  }
  if (session.broker === null) {
    return null;
  }
  return (
    <Chip
      size={size}
      variant="outlined"
      icon={<AccountBalanceIcon />}
      label={brokerName(session.broker)}
      title="The broker this session trades at (not real money)"
    />
  );
}
