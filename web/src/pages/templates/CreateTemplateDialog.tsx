/** A new template: from an existing session's configuration, or from a JSON configuration. */
import { Alert, MenuItem, TextField, ToggleButton, ToggleButtonGroup } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import { MutationDialog } from "../../components/MutationDialog";
import { useCreateTemplate, type TemplateCreate } from "./api";

const EXAMPLE = `{
  "startTime": "2012-01-03T14:30:00Z",
  "endTime": "2012-06-29T21:00:00Z",
  "initialCash": "100000",
  "strategy": {"name": "sma_crossover", "params": {"fast": 5, "slow": 20}, "symbols": ["AAPL"]}
}`;

/** The body to send, or why there is none yet. */
export function templateBody(
  source: "session" | "json",
  fields: { name: string; description: string; sessionId: string; type: string; json: string },
): TemplateCreate | string {
  const name = fields.name.trim();
  if (name === "") return "Name the template";
  const description = { description: fields.description.trim() };
  if (source === "session") {
    return fields.sessionId === "" ? "Pick a session" : { name, ...description, session_id: fields.sessionId };
  }
  let config: unknown;
  try {
    config = JSON.parse(fields.json);
  } catch (error) {
    return `The configuration is not JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) return "The configuration must be a JSON object";
  const type = fields.type === "paper" || fields.type === "live" ? fields.type : "backtest";
  return { name, ...description, type, config: config as Record<string, unknown> };
}

export function CreateTemplateDialog({ open, onClose, sessionId }: { open: boolean; onClose: () => void; sessionId?: string }) {
  const create = useCreateTemplate();
  const [source, setSource] = useState<"session" | "json">("session");
  const [fields, setFields] = useState({ name: "", description: "", sessionId: sessionId ?? "", type: "backtest", json: EXAMPLE });
  const [shown, setShown] = useState(false);
  const sessions = useQuery({
    queryKey: keys.sessions,
    queryFn: () => call(api.GET("/v1/sessions")),
    enabled: open && sessionId === undefined,
  });
  const body = templateBody(sessionId !== undefined ? "session" : source, fields);
  const set = (change: Partial<typeof fields>) => {
    setFields((current) => ({ ...current, ...change }));
  };
  const close = () => {
    create.reset();
    setShown(false);
    onClose();
  };
  return (
    <MutationDialog
      open={open}
      title={sessionId === undefined ? "New template" : "Save as template"}
      error={create.error}
      pending={create.isPending}
      submitLabel="Save template"
      busyLabel="Saving…"
      onSubmit={() => {
        setShown(true);
        if (typeof body !== "string") {
          create.mutate(body, { onSuccess: close });
        }
      }}
      onClose={close}
    >
      <TextField label="Name" required value={fields.name} onChange={(event) => { set({ name: event.target.value }); }} autoFocus />
      <TextField label="Description" value={fields.description} onChange={(event) => { set({ description: event.target.value }); }} />
      {sessionId === undefined && (
        <ToggleButtonGroup
          exclusive
          size="small"
          value={source}
          aria-label="Template source"
          onChange={(_, value: "session" | "json" | null) => {
            if (value !== null) setSource(value);
          }}
        >
          <ToggleButton value="session">From a session</ToggleButton>
          <ToggleButton value="json">From a JSON configuration</ToggleButton>
        </ToggleButtonGroup>
      )}
      {sessionId === undefined && source === "session" && (
        <TextField select label="Session" value={fields.sessionId} onChange={(event) => { set({ sessionId: event.target.value }); }}>
          {(sessions.data ?? []).map((session) => (
            <MenuItem key={session.id} value={session.id}>
              {session.name} ({session.type})
            </MenuItem>
          ))}
        </TextField>
      )}
      {sessionId === undefined && source === "json" && (
        <>
          <TextField select label="Session type" value={fields.type} onChange={(event) => { set({ type: event.target.value }); }}>
            <MenuItem value="backtest">Backtest</MenuItem>
            <MenuItem value="paper">Paper</MenuItem>
            <MenuItem value="live">Live</MenuItem>
          </TextField>
          <TextField
            label="Configuration (the create body, JSON)"
            multiline
            minRows={6}
            value={fields.json}
            onChange={(event) => { set({ json: event.target.value }); }}
            slotProps={{ htmlInput: { style: { fontFamily: "monospace" } } }}
          />
        </>
      )}
      {shown && typeof body === "string" && <Alert severity="warning">{body}</Alert>}
    </MutationDialog>
  );
}
