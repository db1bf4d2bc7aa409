/**
 * The signed-in owner's broker credentials: what may be shown of each (label,
 * broker, the last four characters of its key id, when it was added), a
 * dialog to add one and a confirmed delete. A live session names one by id.
 */
import AddIcon from "@mui/icons-material/Add";
import DeleteIcon from "@mui/icons-material/Delete";
import {
  Alert,
  Button,
  IconButton,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from "@mui/material";
import { useState } from "react";

import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import { formatTime } from "../../format/time";
import type { Credential } from "../live/types";
import { AddCredentialDialog } from "./AddCredentialDialog";
import { useCredentials, useDeleteCredential } from "./api";

export default function CredentialsPage() {
  const credentials = useCredentials();
  const remove = useDeleteCredential();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Credential | null>(null);
  return (
    <Stack sx={{ gap: 2 }}>
      <Stack direction="row" sx={{ alignItems: "center", gap: 2 }}>
        <Typography variant="h4" component="h1" sx={{ flexGrow: 1 }}>
          Broker credentials
        </Typography>
        <Button
          variant="contained"
          startIcon={<AddIcon />}
          onClick={() => {
            setAdding(true);
          }}
        >
          Add credentials
        </Button>
      </Stack>
      <Typography color="text.secondary">
        The broker API keys your live sessions trade with, kept encrypted by the server. A secret is never shown again once
        added; to change a key, add the new one and delete the old one when no session uses it.
      </Typography>
      {remove.isError && <ErrorAlert error={remove.error} title="The credentials were not deleted" />}
      {credentials.isPending && <PageLoading label="Loading credentials…" />}
      {credentials.isError && <ErrorAlert error={credentials.error} onRetry={() => void credentials.refetch()} />}
      {credentials.data !== undefined && credentials.data.length === 0 && (
        <Alert severity="info">No credentials yet: add an Alpaca API key to create live sessions.</Alert>
      )}
      {credentials.data !== undefined && credentials.data.length > 0 && (
        <Table size="small" aria-label="Broker credentials">
          <TableHead>
            <TableRow>
              <TableCell>Label</TableCell>
              <TableCell>Broker</TableCell>
              <TableCell>Key id</TableCell>
              <TableCell>Added</TableCell>
              <TableCell>Id</TableCell>
              <TableCell align="right">Actions</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {credentials.data.map((credential) => (
              <TableRow key={credential.id}>
                <TableCell>{credential.label}</TableCell>
                <TableCell>{credential.broker}</TableCell>
                <TableCell sx={{ fontFamily: "monospace" }}>…{credential.key_hint}</TableCell>
                <TableCell>{formatTime(credential.created_at)}</TableCell>
                <TableCell sx={{ fontFamily: "monospace", fontSize: 12 }}>{credential.id}</TableCell>
                <TableCell align="right">
                  <Tooltip title={`Delete ${credential.label}`}>
                    <IconButton
                      aria-label={`Delete ${credential.label}`}
                      color="error"
                      disabled={remove.isPending}
                      onClick={() => {
                        setRemoving(credential);
                      }}
                    >
                      <DeleteIcon />
                    </IconButton>
                  </Tooltip>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <AddCredentialDialog
        open={adding}
        onClose={() => {
          setAdding(false);
        }}
      />
      <ConfirmDialog
        open={removing !== null}
        title={`Delete the credentials '${removing?.label ?? ""}'?`}
        text={`The key ending …${removing?.key_hint ?? ""} is deleted from the server. Sessions that ended keep its id; a live session that still trades with it prevents the delete.`}
        confirmLabel="Delete"
        onConfirm={() => {
          if (removing !== null) remove.mutate(removing.id);
        }}
        onClose={() => {
          setRemoving(null);
        }}
      />
    </Stack>
  );
}
