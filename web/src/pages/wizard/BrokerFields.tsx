import AddIcon from "@mui/icons-material/Add";
import WarningAmberIcon from "@mui/icons-material/WarningAmber";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Checkbox,
  FormControl,
  FormControlLabel,
  FormHelperText,
  FormLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Stack,
  TextField,
} from "@mui/material";
import { useState } from "react";

import { AddCredentialDialog } from "../credentials/AddCredentialDialog";
import { useCredentials } from "../credentials/api";
import { ALPACA_URLS, withEndpoint, type BrokerForm, type Endpoint, type Policy } from "./brokerForm";
import type { FormErrors } from "./schemaForm";

const ENDPOINTS: { endpoint: Endpoint; label: string }[] = [
  { endpoint: "paper", label: `Alpaca paper trading (${ALPACA_URLS.paper})` },
  { endpoint: "live", label: `Alpaca live trading (${ALPACA_URLS.live}): REAL MONEY` },
  { endpoint: "custom", label: "Custom URL: a server speaking Alpaca's trading API" },
];

/**
 * A live session's broker on the trading step: endpoint, credentials (picked
 * from the owner's, or added here), reconciliation policy and interval, and on
 * the live endpoint the confirmation that it trades real money.
 */
export function BrokerFields({
  form,
  errors,
  onChange,
}: {
  form: BrokerForm;
  errors: FormErrors;
  onChange: (change: (form: BrokerForm) => BrokerForm) => void;
}) {
  const credentials = useCredentials();
  const [adding, setAdding] = useState(false);
  const list = credentials.data ?? [];
  const known = form.credentialsId === "" || list.some((item) => item.id === form.credentialsId);
  return (
    <Stack spacing={2} component="fieldset" sx={{ border: 0, p: 0, m: 0 }} aria-label="Broker">
      <FormControl error={errors["broker.endpoint"] !== undefined}>
        <FormLabel id="broker-endpoint">Broker endpoint</FormLabel>
        <RadioGroup
          aria-labelledby="broker-endpoint"
          value={form.endpoint}
          onChange={(event) => {
            const endpoint = event.target.value as Endpoint;
            onChange((f) => withEndpoint(f, endpoint));
          }}
        >
          {ENDPOINTS.map((item) => (
            <FormControlLabel key={item.endpoint} value={item.endpoint} control={<Radio />} label={item.label} />
          ))}
        </RadioGroup>
        {errors["broker.endpoint"] !== undefined && <FormHelperText>{errors["broker.endpoint"]}</FormHelperText>}
      </FormControl>
      {form.endpoint === "custom" && (
        <TextField
          label="Broker URL"
          required
          value={form.baseUrl}
          placeholder="http://127.0.0.1:5001"
          error={errors["broker.base_url"] !== undefined}
          helperText={errors["broker.base_url"] ?? "Its trading API's address, e.g. another paperbroker server"}
          slotProps={{ htmlInput: { maxLength: 300, spellCheck: false, inputMode: "url" } }}
          onChange={(event) => {
            const baseUrl = event.target.value;
            onChange((f) => ({ ...f, baseUrl }));
          }}
        />
      )}
      <Stack direction="row" spacing={2} sx={{ alignItems: "flex-start" }}>
        <TextField
          select
          label="Credentials"
          required
          sx={{ flex: 1 }}
          value={known ? form.credentialsId : ""}
          error={errors["broker.credentials_id"] !== undefined}
          helperText={
            errors["broker.credentials_id"] ??
            (credentials.isError
              ? `The credentials could not be loaded: ${credentials.error.message}`
              : list.length === 0 && !credentials.isPending
                ? "No credentials yet: add some"
                : "The broker API key the session trades with")
          }
          onChange={(event) => {
            const credentialsId = event.target.value;
            onChange((f) => ({ ...f, credentialsId }));
          }}
        >
          {list.map((item) => (
            <MenuItem key={item.id} value={item.id}>
              {item.label} (key …{item.key_hint})
            </MenuItem>
          ))}
          <MenuItem value="server">The server's own Alpaca keys</MenuItem>
        </TextField>
        <Button
          startIcon={<AddIcon />}
          sx={{ mt: 1 }}
          onClick={() => {
            setAdding(true);
          }}
        >
          Add credentials
        </Button>
      </Stack>
      <Stack direction="row" spacing={2}>
        <TextField
          select
          label="On a difference with the broker"
          sx={{ flex: 1 }}
          value={form.policy}
          helperText={
            form.policy === "halt"
              ? "Halt trading until an operator approves the broker's figures"
              : "Adopt the broker's figures at once (journaled)"
          }
          onChange={(event) => {
            const policy = event.target.value as Policy;
            onChange((f) => ({ ...f, policy, policyChosen: true }));
          }}
        >
          <MenuItem value="adopt">Adopt the broker's figures</MenuItem>
          <MenuItem value="halt">Halt for approval</MenuItem>
        </TextField>
        <TextField
          label="Reconcile every (seconds)"
          required
          value={form.intervalSeconds}
          error={errors["broker.reconcile.interval_seconds"] !== undefined}
          helperText={errors["broker.reconcile.interval_seconds"] ?? "≥ 5, ≤ 86400"}
          slotProps={{ htmlInput: { inputMode: "numeric" } }}
          onChange={(event) => {
            const intervalSeconds = event.target.value;
            onChange((f) => ({ ...f, intervalSeconds }));
          }}
        />
      </Stack>
      {form.endpoint === "live" && (
        <Alert severity="error" variant="outlined" icon={<WarningAmberIcon />}>
          <AlertTitle>Real money</AlertTitle>
          <Box>
            Alpaca's live endpoint trades the account's real money: every order this session sends is a real order.
          </Box>
          <FormControl error={errors.confirm_real_money !== undefined}>
            <FormControlLabel
              control={
                <Checkbox
                  checked={form.confirmRealMoney}
                  onChange={(event) => {
                    const confirmRealMoney = event.target.checked;
                    onChange((f) => ({ ...f, confirmRealMoney }));
                  }}
                />
              }
              label="I understand this trades real money"
            />
            {errors.confirm_real_money !== undefined && <FormHelperText>{errors.confirm_real_money}</FormHelperText>}
          </FormControl>
        </Alert>
      )}
      <AddCredentialDialog
        open={adding}
        onClose={() => {
          setAdding(false);
        }}
        onAdded={(made) => {
          onChange((f) => ({ ...f, credentialsId: made.id }));
        }}
      />
    </Stack>
  );
}
