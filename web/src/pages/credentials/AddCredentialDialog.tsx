import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Stack,
  TextField,
} from "@mui/material";
import { useId, useState } from "react";

import { ErrorAlert } from "../../components/ErrorAlert";
import type { Credential } from "../live/types";
import { useAddCredential } from "./api";

// The schema's bounds (BrokerCredentialCreate): the server judges the rest.
const KEY_ID = /^[\x21-\x7e]{1,128}$/;
const SECRET = /^[\x20-\x7e]{1,256}$/;

/**
 * Adds a broker credential: a label, the broker's key id and its secret. The
 * secret is sent once and never shown again (not even here once it is sent:
 * the form is emptied on close). `onAdded` gets what may be shown of it.
 */
export function AddCredentialDialog({
  open,
  onClose,
  onAdded,
}: {
  open: boolean;
  onClose: () => void;
  onAdded?: (credential: Credential) => void;
}) {
  const id = useId();
  const add = useAddCredential();
  const [label, setLabel] = useState("");
  const [keyId, setKeyId] = useState("");
  const [secret, setSecret] = useState("");
  const [checked, setChecked] = useState(false);
  const close = () => {
    setLabel("");
    setKeyId("");
    setSecret("");
    setChecked(false);
    add.reset();
    onClose();
  };
  const errors = {
    label: label.trim() === "" ? "Name it, e.g. alpaca paper" : label.length > 200 ? "At most 200 characters" : null,
    keyId: KEY_ID.test(keyId) ? null : "The key id: up to 128 printable characters, no spaces",
    secret: SECRET.test(secret) ? null : "The secret key: up to 256 printable characters",
  };
  const shown = (error: string | null) => checked && error !== null;
  return (
    <Dialog open={open} onClose={close} aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`} fullWidth maxWidth="sm">
      <DialogTitle id={`${id}-title`}>Add broker credentials</DialogTitle>
      <DialogContent>
        <DialogContentText id={`${id}-text`}>
          An Alpaca API key. The server keeps it encrypted; after this dialog, only its label and the last four characters
          of its key id are ever shown. The secret cannot be read back.
        </DialogContentText>
        <Stack
          component="form"
          id={`${id}-form`}
          aria-label="Broker credentials"
          sx={{ gap: 2, mt: 2 }}
          autoComplete="off"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            setChecked(true);
            if (Object.values(errors).some((error) => error !== null)) return;
            add.mutate(
              { label: label.trim(), key_id: keyId, secret_key: secret },
              {
                onSuccess: (made) => {
                  onAdded?.(made);
                  close();
                },
              },
            );
          }}
        >
          <TextField
            label="Label"
            required
            value={label}
            error={shown(errors.label)}
            helperText={shown(errors.label) ? errors.label : "How you will recognise it"}
            slotProps={{ htmlInput: { maxLength: 200 } }}
            onChange={(event) => {
              setLabel(event.target.value);
            }}
          />
          <TextField
            label="Key id"
            required
            value={keyId}
            error={shown(errors.keyId)}
            helperText={shown(errors.keyId) ? errors.keyId : "APCA-API-KEY-ID, e.g. PK…"}
            slotProps={{ htmlInput: { maxLength: 128, spellCheck: false, autoCapitalize: "off" } }}
            onChange={(event) => {
              setKeyId(event.target.value.trim());
            }}
          />
          <TextField
            label="Secret key"
            required
            type="password"
            value={secret}
            error={shown(errors.secret)}
            helperText={shown(errors.secret) ? errors.secret : "APCA-API-SECRET-KEY: never shown again"}
            slotProps={{ htmlInput: { maxLength: 256, autoComplete: "new-password" } }}
            onChange={(event) => {
              setSecret(event.target.value);
            }}
          />
          {add.isError && <ErrorAlert error={add.error} title="The credentials were not added" />}
          {add.isSuccess && <Alert severity="success">Added.</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button type="submit" form={`${id}-form`} variant="contained" disabled={add.isPending}>
          {add.isPending ? "Adding…" : "Add credentials"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
