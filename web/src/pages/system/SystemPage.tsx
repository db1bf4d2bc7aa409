import { Typography } from "@mui/material";

export default function SystemPage() {
  return (
    <Typography variant="h4" component="h1">
      System control
    </Typography>
  );
}
