import { Card, CardActionArea, CardContent, Stack, Typography } from "@mui/material";

import type { SessionKind } from "./wizardState";

const KINDS: { kind: SessionKind; title: string; text: string }[] = [
  {
    kind: "backtest",
    title: "Backtest",
    text: "Replays a period of the server's history as fast as you play it; orders fill against past bars.",
  },
  {
    kind: "paper",
    title: "Paper",
    text: "Runs in real time on a feed (replayed history, a synthetic walk or Alpaca's stream), with simulated fills.",
  },
  {
    kind: "live",
    title: "Live (broker)",
    text: "Runs in real time on a feed and sends its orders to a broker (Alpaca, or a server speaking its API). Real money on Alpaca's live endpoint.",
  },
];

/** Step 1: what kind of session. */
export function TypeStep({ kind, error, onPick }: { kind: SessionKind | null; error?: string; onPick: (kind: SessionKind) => void }) {
  return (
    <Stack spacing={2}>
      <Stack direction={{ xs: "column", md: "row" }} spacing={2} role="group" aria-label="Session type">
        {KINDS.map((item) => {
          const selected = kind === item.kind;
          return (
            <Card
              key={item.kind}
              variant="outlined"
              sx={{ flex: 1, borderColor: selected ? "primary.main" : undefined, borderWidth: selected ? 2 : 1 }}
            >
              <CardActionArea
                aria-pressed={selected}
                onClick={() => {
                  onPick(item.kind);
                }}
                sx={{ height: "100%", display: "flex", alignItems: "flex-start", justifyContent: "flex-start" }}
              >
                <CardContent>
                  <Typography variant="h6" component="h2">
                    {item.title}
                    {selected ? " ✓" : ""}
                  </Typography>
                  <Typography color="text.secondary">{item.text}</Typography>
                </CardContent>
              </CardActionArea>
            </Card>
          );
        })}
      </Stack>
      {error !== undefined && (
        <Typography color="error" role="alert">
          {error}
        </Typography>
      )}
    </Stack>
  );
}
