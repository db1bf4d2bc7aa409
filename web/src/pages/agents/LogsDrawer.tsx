import CloseIcon from "@mui/icons-material/Close";
import DownloadIcon from "@mui/icons-material/Download";
import {
  Alert,
  Box,
  Button,
  Drawer,
  FormControl,
  FormControlLabel,
  IconButton,
  InputLabel,
  MenuItem,
  Select,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { useEffect, useState } from "react";

import { ErrorAlert } from "../../components/ErrorAlert";
import { LastUpdated } from "../../components/LastUpdated";
import { type Agent, downloadLog, saveBlob } from "./api";
import { LEVELS } from "./logLines";
import { LogList } from "./LogList";
import { useAgentLog } from "./useAgentLog";

export const LINE_CHOICES = [100, 500, 1000] as const;
export const SEARCH_DELAY_MS = 300;

/** An agent's log, right of the page: filters, search, live tail and download. */
export function LogsDrawer({ agent, onClose }: { agent: Agent | null; onClose: () => void }) {
  return (
    <Drawer
      anchor="right"
      open={agent !== null}
      onClose={onClose}
      // Above the app bar, which sits above the navigation drawer.
      sx={{ zIndex: (theme) => theme.zIndex.modal }}
      slotProps={{ paper: { sx: { width: { xs: "100vw", md: "min(960px, 75vw)" } } } }}
    >
      {agent !== null && <LogsPanel key={agent.id} agent={agent} onClose={onClose} />}
    </Drawer>
  );
}

function LogsPanel({ agent, onClose }: { agent: Agent; onClose: () => void }) {
  const [lines, setLines] = useState<number>(500);
  const [level, setLevel] = useState("");
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [tail, setTail] = useState(true);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const [downloading, setDownloading] = useState(false);

  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(typed);
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [typed]);

  const query = { lines, level, search };
  const log = useAgentLog(agent.id, query, tail);

  const download = async () => {
    setDownloadError(null);
    setDownloading(true);
    try {
      saveBlob(await downloadLog(agent.id, query), `${agent.name}-${agent.id}.log`);
    } catch (error) {
      setDownloadError(error);
    } finally {
      setDownloading(false);
    }
  };

  return (
    <Box sx={{ display: "flex", flexDirection: "column", height: "100%", p: 2, gap: 1.5 }}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1 }}>
        <Typography variant="h6" component="h2" sx={{ flex: 1 }}>
          Log of {agent.name} ({agent.type})
        </Typography>
        <IconButton aria-label="Close the log" onClick={onClose}>
          <CloseIcon />
        </IconButton>
      </Box>
      <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 1.5 }}>
        <FormControl size="small" sx={{ minWidth: 110 }}>
          <InputLabel id="log-lines">Lines</InputLabel>
          <Select
            labelId="log-lines"
            label="Lines"
            value={lines}
            onChange={(event) => {
              setLines(event.target.value);
            }}
          >
            {LINE_CHOICES.map((n) => (
              <MenuItem key={n} value={n}>
                last {n}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <FormControl size="small" sx={{ minWidth: 140 }}>
          <InputLabel id="log-level">Level</InputLabel>
          <Select
            labelId="log-level"
            label="Level"
            value={level}
            onChange={(event) => {
              setLevel(event.target.value);
            }}
          >
            <MenuItem value="">every level</MenuItem>
            {LEVELS.map((name) => (
              <MenuItem key={name} value={name}>
                {name} and above
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <TextField
          size="small"
          label="Search"
          value={typed}
          onChange={(event) => {
            setTyped(event.target.value);
          }}
          slotProps={{ htmlInput: { maxLength: 200 } }}
        />
        <FormControlLabel
          control={
            <Switch
              checked={tail}
              onChange={(event) => {
                setTail(event.target.checked);
              }}
            />
          }
          label="Live tail"
        />
        <Button
          variant="outlined"
          startIcon={<DownloadIcon />}
          disabled={downloading}
          onClick={() => {
            void download();
          }}
        >
          Download
        </Button>
      </Box>
      <Box sx={{ display: "flex", gap: 2, alignItems: "center" }}>
        <Typography variant="caption" color="text.secondary">
          {log.lines.length.toLocaleString("en-US")} {log.lines.length === 1 ? "line" : "lines"}
          {tail ? (log.live ? " · following live" : " · connection down: reading every few seconds") : ""}
        </Typography>
        <LastUpdated at={log.read.dataUpdatedAt} />
      </Box>
      {downloadError !== null && <ErrorAlert error={downloadError} title="Download failed" />}
      {log.read.isError ? (
        <ErrorAlert
          error={log.read.error}
          onRetry={() => {
            void log.read.refetch();
          }}
        />
      ) : log.read.isPending ? (
        <Typography color="text.secondary">Reading the log…</Typography>
      ) : log.lines.length === 0 ? (
        <Alert severity="info">
          {search !== "" || level !== "" ? "No line passes these filters." : "The log is empty so far."}
        </Alert>
      ) : (
        <LogList lines={log.lines} search={search} follow={tail} />
      )}
    </Box>
  );
}
