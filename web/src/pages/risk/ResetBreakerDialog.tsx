import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorAlert } from "../../components/ErrorAlert";
import type { useResetBreaker } from "./api";

/**
 * Asks for the reason before resetting a session's tripped breaker (`all`:
 * every tripped one), resets it with `reset`, and says so when that failed.
 * `breaker` is null while nothing is asked.
 */
export function ResetBreakerDialog({
  reset,
  sessionId,
  name,
  breaker,
  onClose,
}: {
  reset: ReturnType<typeof useResetBreaker>;
  sessionId: string;
  name: string;
  breaker: string | null;
  onClose: () => void;
}) {
  return (
    <>
      {reset.isError && <ErrorAlert error={reset.error} title="Not reset" />}
      <ConfirmDialog
        open={breaker !== null}
        title={breaker === "all" ? "Reset every breaker" : `Reset ${breaker ?? ""}`}
        text={`Reset ${breaker === "all" ? "every tripped breaker" : `the ${breaker ?? ""} breaker`} of '${name}'? New entries are taken again once no breaker is tripped.`}
        confirmLabel="Reset"
        confirmColor="warning"
        reason="required"
        onConfirm={(reason) => {
          if (breaker !== null) reset.mutate({ sessionId, breaker, reason });
        }}
        onClose={onClose}
      />
    </>
  );
}
