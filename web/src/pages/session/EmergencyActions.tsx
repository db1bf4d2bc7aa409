/** The session's emergency controls (`POST /v1/sessions/{id}/emergency`), and what the last one did. */
import { Alert } from "@mui/material";

import { ErrorAlert } from "../../components/ErrorAlert";
import { EmergencyControls, describeOutcome } from "../risk/EmergencyControls";
import { useEmergency } from "../risk/api";
import { Section } from "./Section";

export function EmergencyActions({
  sessionId,
  name,
  positions,
  openOrders,
}: {
  sessionId: string;
  name: string;
  /** The session's open positions and orders; undefined where the page does not count them all (several accounts). */
  positions: number | undefined;
  openOrders: number | undefined;
}) {
  const emergency = useEmergency(sessionId);
  return (
    <Section title="Emergency">
      <EmergencyControls
        where={`'${name}'`}
        positions={positions}
        openOrders={openOrders}
        busy={emergency.isPending}
        onRun={(request) => {
          emergency.mutate(request);
        }}
      />
      {emergency.isError && <ErrorAlert error={emergency.error} title="Not done" />}
      {emergency.isSuccess && (
        <Alert severity="success" role="status" sx={{ mt: 2 }}>
          {describeOutcome(emergency.data)}
        </Alert>
      )}
    </Section>
  );
}
