import { Alert, AlertTitle, Button } from "@mui/material";

import { ApiError } from "../api/client";

/** The server's own message for a failed request, and a way to try again. */
export function ErrorAlert({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const unreachable = error instanceof ApiError && error.unreachable;
  const status = error instanceof ApiError && error.status > 0 ? ` (HTTP ${error.status})` : "";
  return (
    <Alert
      severity="error"
      role="alert"
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            Retry
          </Button>
        ) : undefined
      }
    >
      <AlertTitle>{title ?? (unreachable ? "Server unreachable" : `Request failed${status}`)}</AlertTitle>
      {message}
    </Alert>
  );
}
