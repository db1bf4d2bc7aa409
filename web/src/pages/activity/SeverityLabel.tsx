import ErrorIcon from "@mui/icons-material/Error";
import InfoOutlinedIcon from "@mui/icons-material/InfoOutlined";
import WarningAmberIcon from "@mui/icons-material/WarningAmber";
import { Box } from "@mui/material";
import type { ReactElement } from "react";

import type { Severity } from "./feed";

const LOOK: Record<Severity, { color: string; icon: ReactElement; label: string }> = {
  info: { color: "info.main", icon: <InfoOutlinedIcon fontSize="small" />, label: "Info" },
  warning: { color: "warning.main", icon: <WarningAmberIcon fontSize="small" />, label: "Warning" },
  error: { color: "error.main", icon: <ErrorIcon fontSize="small" />, label: "Error" },
};

/** A severity as icon, colour and word together. */
export function SeverityLabel({ severity }: { severity: Severity }) {
  const look = LOOK[severity];
  return (
    <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 0.5, color: look.color }}>
      {look.icon}
      <Box component="span" sx={{ typography: "body2", fontWeight: 500 }}>
        {look.label}
      </Box>
    </Box>
  );
}
