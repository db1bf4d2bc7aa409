import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from "@mui/material";
import { useId, useState } from "react";

/**
 * Asks before a destructive action, naming what it will do; with `reason`,
 * it asks why too (`required`: no confirming without one), and hands the
 * reason to `onConfirm`.
 */
export function ConfirmDialog({
  open,
  title,
  text,
  confirmLabel,
  onConfirm,
  onClose,
  reason,
  confirmColor = "error",
}: {
  open: boolean;
  title: string;
  text: string;
  confirmLabel: string;
  onConfirm: (reason: string) => void;
  onClose: () => void;
  reason?: "required" | "optional";
  confirmColor?: "error" | "primary" | "warning";
}) {
  const id = useId();
  const [why, setWhy] = useState("");
  const close = () => {
    setWhy("");
    onClose();
  };
  const missing = reason === "required" && why.trim() === "";
  return (
    <Dialog open={open} onClose={close} aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`}>
      <DialogTitle id={`${id}-title`}>{title}</DialogTitle>
      <DialogContent>
        <DialogContentText id={`${id}-text`}>{text}</DialogContentText>
        {reason !== undefined && (
          <TextField
            autoFocus
            fullWidth
            margin="normal"
            label={reason === "required" ? "Reason" : "Reason (optional)"}
            required={reason === "required"}
            value={why}
            helperText="Journaled and shown in the risk audit"
            slotProps={{ htmlInput: { maxLength: 500 } }}
            onChange={(event) => {
              setWhy(event.target.value);
            }}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button
          color={confirmColor}
          variant="contained"
          disabled={missing}
          onClick={() => {
            onConfirm(why.trim());
            close();
          }}
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
