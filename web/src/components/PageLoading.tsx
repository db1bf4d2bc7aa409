import { Box, CircularProgress } from "@mui/material";

export function PageLoading({ label = "Loading…" }: { label?: string }) {
  return (
    <Box role="status" aria-live="polite" sx={{ display: "flex", alignItems: "center", gap: 2, p: 4 }}>
      <CircularProgress size={24} />
      {label}
    </Box>
  );
}
