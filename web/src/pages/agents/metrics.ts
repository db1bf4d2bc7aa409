/** The server's counter names for people, and the sentiment agent's latest score from its log. */

const LABELS: Record<string, string> = {
  received: "Received",
  published: "Published",
  dropped: "Dropped",
  errors: "Errors",
  bars: "Bars",
  news: "Headlines out",
  headlines: "Headlines scored",
  intents: "Order intents",
  signals: "Signals",
  approved: "Approved",
  denied: "Denied",
  orders: "Orders",
  fills: "Fills",
  rejects: "Rejects",
};

export function metricLabel(name: string): string {
  const known = LABELS[name];
  if (known !== undefined) {
    return known;
  }
  const words = name.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The counters worth a warning colour when not zero. */
export const WARNING_METRICS: ReadonlySet<string> = new Set(["dropped", "errors", "denied", "rejects"]);

export interface Score {
  score: string;
  symbols: string;
  headline: string;
}

// The sentiment agent logs each headline it scores as "%+.4f SYMBOLS: headline".
const SCORED = /\b(?:INFO|DEBUG) ([+-]\d+\.\d+) ([^\s:]+): (.*)$/;

/** The last scored headline among `lines` (oldest first), or null. */
export function latestScore(lines: readonly { text: string }[]): Score | null {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const match = SCORED.exec(lines[i]?.text ?? "");
    if (match !== null) {
      return { score: match[1] ?? "", symbols: (match[2] ?? "").replace(/,/g, ", "), headline: match[3] ?? "" };
    }
  }
  return null;
}
