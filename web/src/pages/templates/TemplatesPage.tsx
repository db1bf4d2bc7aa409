/**
 * Session templates (`/v1/templates`): the built-in presets and the key's
 * own, each a session configuration to start from: as is (a new session at
 * once), or in the new-session wizard to change first.
 */
import AddIcon from "@mui/icons-material/Add";
import DeleteIcon from "@mui/icons-material/Delete";
import EditNoteIcon from "@mui/icons-material/EditNote";
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import {
  Box,
  Button,
  Chip,
  IconButton,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from "@mui/material";
import { useState } from "react";
import { Link as RouterLink, useNavigate } from "react-router";

import { ConfirmDialog } from "../../components/ConfirmDialog";
import { QueryContent } from "../../components/QueryContent";
import { RequestError } from "../../components/RequestError";
import { SessionType } from "../sessions/SessionType";
import { templateStrategy, useDeleteTemplate, useSessionFromTemplate, useTemplates } from "./api";
import { CreateTemplateDialog } from "./CreateTemplateDialog";
import type { Template } from "./types";

export default function TemplatesPage() {
  const navigate = useNavigate();
  const templates = useTemplates();
  const remove = useDeleteTemplate();
  const start = useSessionFromTemplate();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Template | null>(null);
  const error = remove.error ?? start.error;

  return (
    <Stack spacing={2}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2 }}>
        <Typography variant="h4" component="h1" sx={{ flexGrow: 1 }}>
          Templates
        </Typography>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => { setCreating(true); }}>
          New template
        </Button>
      </Box>
      <Typography color="text.secondary">
        A template is a session&apos;s configuration kept under a name. Start a session from it as it is, or open it in the
        new-session wizard to change it first. Save one from any session with its page&apos;s &ldquo;Save as template&rdquo;.
      </Typography>
      <RequestError error={error} onClose={() => { remove.reset(); start.reset(); }} />
      <QueryContent
        query={templates}
        loading="Loading templates…"
        isEmpty={(data) => data.items.length === 0}
        empty={<Typography>No templates yet.</Typography>}
      >
        {(data) => (
          <TableContainer sx={{ border: 1, borderColor: "divider", borderRadius: 1 }}>
            <Table size="small" aria-label="Templates">
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell>Type</TableCell>
                  <TableCell>Strategy</TableCell>
                  <TableCell>Description</TableCell>
                  <TableCell align="right">Actions</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((template) => (
                  <TableRow key={template.id} hover>
                    <TableCell>
                      <Box sx={{ display: "flex", gap: 1, alignItems: "center" }}>
                        {template.name}
                        {template.builtin && <Chip size="small" label="Built-in" variant="outlined" />}
                      </Box>
                    </TableCell>
                    <TableCell>
                      <SessionType type={template.type} />
                    </TableCell>
                    <TableCell>{templateStrategy(template.config) ?? "—"}</TableCell>
                    <TableCell sx={{ maxWidth: 360 }}>{template.description}</TableCell>
                    <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                      <Button
                        size="small"
                        startIcon={<PlayArrowIcon />}
                        disabled={start.isPending}
                        aria-label={`New session from template ${template.name}`}
                        onClick={() => {
                          start.mutate(template.id, {
                            onSuccess: (id) => {
                              void navigate(`/sessions/${id}`);
                            },
                          });
                        }}
                      >
                        New session
                      </Button>
                      <Tooltip title="Open in the new-session wizard">
                        <IconButton
                          component={RouterLink}
                          to={`/sessions/new?template=${encodeURIComponent(template.id)}`}
                          aria-label={`Open template ${template.name} in the wizard`}
                        >
                          <EditNoteIcon />
                        </IconButton>
                      </Tooltip>
                      <Tooltip title={template.builtin ? "Built-in templates cannot be deleted" : "Delete"}>
                        <span>
                          <IconButton
                            disabled={template.builtin || remove.isPending}
                            aria-label={`Delete template ${template.name}`}
                            onClick={() => { setDeleting(template); }}
                          >
                            <DeleteIcon />
                          </IconButton>
                        </span>
                      </Tooltip>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
      </QueryContent>
      <CreateTemplateDialog open={creating} onClose={() => { setCreating(false); }} />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete template '${deleting?.name ?? ""}'?`}
        text="Sessions started from it keep their configuration."
        confirmLabel="Delete template"
        onClose={() => { setDeleting(null); }}
        onConfirm={() => {
          if (deleting !== null) remove.mutate(deleting.id);
          setDeleting(null);
        }}
      />
    </Stack>
  );
}
