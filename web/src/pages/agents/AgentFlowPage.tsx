import { Typography } from "@mui/material";

export default function AgentFlowPage() {
  return (
    <Typography variant="h4" component="h1">
      Agent flow
    </Typography>
  );
}
