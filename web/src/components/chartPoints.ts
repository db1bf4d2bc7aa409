import type { UTCTimestamp } from "lightweight-charts";

/** One line of an overlay chart: its legend and its points (RFC 3339 times). */
export interface Line {
  label: string;
  points: { t: string; v: string | number | null }[];
  dashed?: boolean;
}

/** Seconds since the epoch, ascending and unique (the library's demand). */
export function chartPoints(points: Line["points"], scale = 1): { time: UTCTimestamp; value: number }[] {
  const out: { time: UTCTimestamp; value: number }[] = [];
  for (const point of points) {
    if (point.v === null) continue;
    const time = Math.floor(Date.parse(point.t) / 1000);
    const value = Number(point.v) * scale;
    if (!Number.isFinite(time) || !Number.isFinite(value)) continue;
    const last = out.at(-1);
    if (last !== undefined && time <= last.time) {
      if (time === last.time) last.value = value;
      continue;
    }
    out.push({ time: time as UTCTimestamp, value });
  }
  return out;
}

