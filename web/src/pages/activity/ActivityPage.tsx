import { Typography } from "@mui/material";

export default function ActivityPage() {
  return (
    <Typography variant="h4" component="h1">
      Activity
    </Typography>
  );
}
