import { Typography } from "@mui/material";

export default function SessionsPage() {
  return (
    <Typography variant="h4" component="h1">
      Sessions
    </Typography>
  );
}
