import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from "@mui/material";
import { useId, type ReactNode } from "react";

import { RequestError } from "./RequestError";

/**
 * A dialog that sends one request: its fields, the request's error once it
 * failed, Cancel, and the button that sends it (`busyLabel` and disabled
 * while it is on its way).
 */
export function MutationDialog({
  open,
  title,
  error,
  pending,
  submitLabel,
  busyLabel,
  onSubmit,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  error: Error | null;
  pending: boolean;
  submitLabel: string;
  busyLabel: string;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby={`${id}-title`} fullWidth maxWidth="sm">
      <DialogTitle id={`${id}-title`}>{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          {children}
          <RequestError error={error} />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={pending} onClick={onSubmit}>
          {pending ? busyLabel : submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
