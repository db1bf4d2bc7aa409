import { Typography } from "@mui/material";

export default function NewSessionPage() {
  return (
    <Typography variant="h4" component="h1">
      New session
    </Typography>
  );
}
