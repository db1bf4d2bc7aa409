import { Typography } from "@mui/material";

export default function SessionPage() {
  return (
    <Typography variant="h4" component="h1">
      Session
    </Typography>
  );
}
