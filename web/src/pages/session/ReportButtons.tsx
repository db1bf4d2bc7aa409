/**
 * The session's report and exports (`GET /v1/sessions/{id}/report`): the
 * HTML tearsheet, the JSON report, and one part as CSV. The API needs the
 * key's headers, so each is fetched and saved from a blob, not linked.
 */
import ArrowDropDownIcon from "@mui/icons-material/ArrowDropDown";
import DescriptionIcon from "@mui/icons-material/Description";
import DownloadIcon from "@mui/icons-material/Download";
import { Button, Menu, MenuItem } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { fetchFile, saveBlob } from "../../api/download";
import { RequestError } from "../../components/RequestError";

export type ReportFormat = { format: "html" } | { format: "json" } | { format: "csv"; part: "trades" | "fills" | "equity" | "metrics" };

const PARTS = ["trades", "fills", "equity", "metrics"] as const;

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-|-$/g, "") || "session";
}

export function ReportButtons({ sessionId, name }: { sessionId: string; name: string }) {
  const [menu, setMenu] = useState<HTMLElement | null>(null);
  const download = useMutation({
    mutationFn: async (choice: ReportFormat) => {
      const query: Record<string, string> = { format: choice.format, ...(choice.format === "csv" ? { part: choice.part } : {}) };
      const fallback = `${slug(name)}${choice.format === "csv" ? `-${choice.part}` : ""}.${choice.format}`;
      saveBlob(await fetchFile(`/v1/sessions/${encodeURIComponent(sessionId)}/report`, query, fallback));
    },
  });
  return (
    <>
      <Button
        variant="outlined"
        startIcon={<DescriptionIcon />}
        disabled={download.isPending}
        onClick={() => { download.mutate({ format: "html" }); }}
      >
        Download report
      </Button>
      <Button variant="outlined" startIcon={<DownloadIcon />} disabled={download.isPending} onClick={() => { download.mutate({ format: "json" }); }}>
        Export JSON
      </Button>
      <Button
        variant="outlined"
        startIcon={<DownloadIcon />}
        endIcon={<ArrowDropDownIcon />}
        disabled={download.isPending}
        aria-haspopup="menu"
        onClick={(event) => { setMenu(event.currentTarget); }}
      >
        Export CSV
      </Button>
      <Menu anchorEl={menu} open={menu !== null} onClose={() => { setMenu(null); }}>
        {PARTS.map((part) => (
          <MenuItem
            key={part}
            onClick={() => {
              setMenu(null);
              download.mutate({ format: "csv", part });
            }}
          >
            {part[0]?.toUpperCase()}
            {part.slice(1)} (CSV)
          </MenuItem>
        ))}
      </Menu>
      <RequestError error={download.error} prefix="The report could not be downloaded: " onClose={() => { download.reset(); }} />
    </>
  );
}
