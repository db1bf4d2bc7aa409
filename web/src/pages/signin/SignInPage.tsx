import { Alert, Box, Button, Paper, TextField, Typography } from "@mui/material";
import { type SyntheticEvent, useState } from "react";
import { Navigate, useLocation, useNavigate } from "react-router";

import { parseKey } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";

/** Asks for the key `make run` printed (`KEY_ID:SECRET`) and checks it with the server. */
export default function SignInPage() {
  const { key, signIn } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? "/";

  if (key !== null) {
    return <Navigate to={from} replace />;
  }

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const parsed = parseKey(text);
    if (parsed === null) {
      setError("Enter the key as KEY_ID:SECRET, as `paperbroker serve` printed it.");
      return;
    }
    setBusy(true);
    setError(null);
    signIn(parsed)
      .then(() => {
        void navigate(from, { replace: true });
      })
      .catch((reason: unknown) => {
        setError(reason instanceof Error ? reason.message : String(reason));
        setBusy(false);
      });
  };

  return (
    <Box component="main" sx={{ display: "grid", placeItems: "center", minHeight: "100vh", p: 2 }}>
      <Paper component="form" onSubmit={submit} sx={{ p: 4, width: "100%", maxWidth: 480 }} elevation={3}>
        <Typography variant="h5" component="h1" gutterBottom>
          Sign in to paperbroker
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          Paste the API key printed by <code>make run</code> (or <code>paperbroker keys create</code>). It is
          kept for this browser tab only.
        </Typography>
        <TextField
          label="API key (KEY_ID:SECRET)"
          type="password"
          autoComplete="off"
          fullWidth
          autoFocus
          value={text}
          onChange={(event) => {
            setText(event.target.value);
          }}
          error={error !== null}
          slotProps={{ htmlInput: { spellCheck: false, "aria-describedby": error ? "signin-error" : undefined } }}
        />
        {error !== null && (
          <Alert id="signin-error" severity="error" role="alert" sx={{ mt: 2 }}>
            {error}
          </Alert>
        )}
        <Button type="submit" variant="contained" fullWidth sx={{ mt: 3 }} disabled={busy || text.trim() === ""}>
          {busy ? "Checking…" : "Sign in"}
        </Button>
      </Paper>
    </Box>
  );
}
