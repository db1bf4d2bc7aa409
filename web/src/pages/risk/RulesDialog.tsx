/**
 * Change a session's rules (`PATCH …/risk`) or override them for a while
 * (`POST …/risk/override`): the risk form over what is in force, a reason,
 * and for an override how many minutes of session time it lasts. Only what
 * changed is sent; a refusal naming a rule goes back onto its field.
 */
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from "@mui/material";
import { useId, useState } from "react";

import { ApiError } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import type { FormErrors } from "../wizard/schemaForm";
import { pathOf } from "../wizard/serverErrors";
import { useConfigureRisk, useSetOverride } from "./api";
import { RiskFields } from "./RiskFields";
import { riskChanges, riskErrors, riskFormOf, type RiskForm } from "./riskForm";
import type { RiskSettings } from "./types";

/** `settings.limits.max_order_qty: …` (or `risk.…`) → the form's error id `risk.limits.max_order_qty`. */
function placed(error: unknown): FormErrors {
  if (!(error instanceof ApiError) || error.status !== 422) return {};
  const path = pathOf(null, error.message.replace(/^settings\./, "risk."));
  return path?.startsWith("risk.") === true ? { [path.split(".").slice(0, 3).join(".")]: error.message } : {};
}

export function RulesDialog({
  sessionId,
  mode,
  settings,
  open,
  onClose,
}: {
  sessionId: string;
  mode: "edit" | "override";
  /** What the form starts from: the session's rules (edit) or those in force (override). */
  settings: RiskSettings;
  open: boolean;
  onClose: () => void;
}) {
  const id = useId();
  const [form, setForm] = useState<RiskForm>(() => riskFormOf(settings));
  const [reason, setReason] = useState("");
  const [minutes, setMinutes] = useState("60");
  const [shown, setShown] = useState(false);
  const configure = useConfigureRisk(sessionId);
  const override = useSetOverride(sessionId);
  const mutation = mode === "edit" ? configure : override;

  const changes = riskChanges(form, settings);
  const errors: FormErrors = { ...placed(mutation.error), ...(shown ? riskErrors(form) : {}) };
  const minutesOk = /^\d+$/.test(minutes.trim()) && Number(minutes) >= 1;
  const nothing = Object.keys(changes).length === 0;

  const close = () => {
    mutation.reset();
    setShown(false);
    onClose();
  };
  const save = () => {
    setShown(true);
    if (Object.keys(riskErrors(form)).length > 0 || reason.trim() === "" || (mode === "override" && !minutesOk)) return;
    const done = { onSuccess: close };
    if (mode === "edit") {
      configure.mutate({ settings: changes, reason: reason.trim() }, done);
    } else {
      override.mutate({ settings: changes, minutes: Number(minutes), reason: reason.trim() }, done);
    }
  };

  return (
    <Dialog open={open} onClose={close} maxWidth="lg" fullWidth aria-labelledby={`${id}-title`}>
      <DialogTitle id={`${id}-title`}>{mode === "edit" ? "Edit risk rules" : "Override risk rules"}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          {mode === "edit"
            ? "The session's rules from now on. An empty field turns its rule off."
            : "Rules in force over the session's own for a while; they lapse by themselves at the end."}
        </DialogContentText>
        <RiskFields
          form={form}
          errors={errors}
          onChange={(next) => {
            setForm(next);
          }}
        />
        {mode === "override" && (
          <TextField
            sx={{ mt: 3, mr: 2, width: 260 }}
            label="Lasts (minutes of session time)"
            required
            value={minutes}
            error={shown && !minutesOk}
            helperText={shown && !minutesOk ? "A whole number of minutes, at least 1" : undefined}
            onChange={(event) => {
              setMinutes(event.target.value);
            }}
          />
        )}
        <TextField
          sx={{ mt: 3, width: 420, maxWidth: "100%" }}
          label="Reason"
          required
          value={reason}
          error={shown && reason.trim() === ""}
          helperText={shown && reason.trim() === "" ? "Say why: it is journaled and audited" : "Journaled and shown in the risk audit"}
          slotProps={{ htmlInput: { maxLength: 500 } }}
          onChange={(event) => {
            setReason(event.target.value);
          }}
        />
        {mutation.isError && (
          <ErrorAlert error={mutation.error} title="Not changed" />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button variant="contained" disabled={nothing || mutation.isPending} onClick={save}>
          {nothing ? "Nothing changed" : mode === "edit" ? "Save rules" : "Override"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
