/**
 * New sessions made from this one: save its configuration as a template,
 * clone it (with a new name), rerun a backtest from its run record, promote a
 * backtest to paper or a paper session to live.
 */
import BookmarkAddIcon from "@mui/icons-material/BookmarkAdd";
import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import ReplayIcon from "@mui/icons-material/Replay";
import UpgradeIcon from "@mui/icons-material/Upgrade";
import { Button, DialogContentText, TextField } from "@mui/material";
import { useState } from "react";
import { useNavigate } from "react-router";

import { MutationDialog } from "../../components/MutationDialog";
import { CreateTemplateDialog } from "../templates/CreateTemplateDialog";
import { useDerivedSession, type DerivedAction } from "./analyticsQueries";
import type { SessionView } from "./types";

type Asking = "clone" | "rerun" | "promote" | null;

export function DerivedSessionActions({ session }: { session: SessionView }) {
  const navigate = useNavigate();
  const derive = useDerivedSession(session.id);
  const [saving, setSaving] = useState(false);
  const [asking, setAsking] = useState<Asking>(null);
  const [cloneName, setCloneName] = useState(`${session.name}-copy`);
  const [extra, setExtra] = useState("{}");
  const [extraError, setExtraError] = useState<string | null>(null);
  const promoteTo = session.type === "backtest" ? "paper" : session.type === "paper" ? "live" : null;

  const run = (action: DerivedAction) => {
    derive.mutate(action, {
      onSuccess: (newId) => {
        setAsking(null);
        void navigate(`/sessions/${newId}`);
      },
    });
  };
  const close = () => {
    setAsking(null);
    derive.reset();
    setExtraError(null);
  };

  return (
    <>
      <Button variant="outlined" startIcon={<BookmarkAddIcon />} onClick={() => { setSaving(true); }}>
        Save as template
      </Button>
      <Button variant="outlined" startIcon={<ContentCopyIcon />} onClick={() => { setAsking("clone"); }}>
        Clone
      </Button>
      {session.type === "backtest" && (
        <Button variant="outlined" startIcon={<ReplayIcon />} onClick={() => { setAsking("rerun"); }}>
          Rerun
        </Button>
      )}
      {promoteTo !== null && (
        <Button variant="outlined" startIcon={<UpgradeIcon />} onClick={() => { setAsking("promote"); }}>
          Promote to {promoteTo}
        </Button>
      )}
      <CreateTemplateDialog open={saving} onClose={() => { setSaving(false); }} sessionId={session.id} />
      <MutationDialog
        open={asking !== null}
        title={
          asking === "clone"
            ? `Clone '${session.name}'`
            : asking === "rerun"
              ? `Rerun '${session.name}'?`
              : `Promote '${session.name}' to ${promoteTo ?? ""}`
        }
        error={derive.error}
        pending={derive.isPending}
        submitLabel={asking === "clone" ? "Clone" : asking === "rerun" ? "Rerun" : "Promote"}
        busyLabel="Working…"
        onSubmit={() => {
          if (asking === "clone") {
            run({ kind: "clone", changes: cloneName.trim() === "" ? {} : { name: cloneName.trim() } });
          } else if (asking === "rerun") {
            run({ kind: "rerun" });
          } else if (promoteTo !== null) {
            let parsed: unknown;
            try {
              parsed = JSON.parse(extra);
            } catch {
              setExtraError("Not JSON");
              return;
            }
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
              setExtraError("A JSON object");
              return;
            }
            run({ kind: "promote", to: promoteTo, extra: parsed as Record<string, unknown> });
          }
        }}
        onClose={close}
      >
        {asking === "clone" && (
          <TextField label="Name of the copy" value={cloneName} onChange={(event) => { setCloneName(event.target.value); }} autoFocus />
        )}
        {asking === "rerun" && (
          <DialogContentText>
            A new backtest runs to its end with this one&apos;s run record (code, data, parameters, seed, execution); its
            summary tells whether the fills came out the same.
          </DialogContentText>
        )}
        {asking === "promote" && (
          <>
            <DialogContentText>
              A new {promoteTo} session with this one&apos;s strategy, parameters and symbols.
              {promoteTo === "live" ? " A live session needs its broker: give it below, as in a live create body." : ""}
            </DialogContentText>
            <TextField
              label={`Extra fields of the ${promoteTo ?? ""} create body (JSON)`}
              multiline
              minRows={3}
              value={extra}
              error={extraError !== null}
              helperText={extraError ?? "e.g. {\"name\": \"…\"}"}
              onChange={(event) => { setExtra(event.target.value); setExtraError(null); }}
              slotProps={{ htmlInput: { style: { fontFamily: "monospace" } } }}
            />
          </>
        )}
      </MutationDialog>
    </>
  );
}
