import { describe, expect, it } from "vitest";

import type { LiveEvent } from "../../live/socket";
import { addLive, highlightParts, type Line, liveLine, merge, passes } from "./logLines";
import { latestScore, metricLabel } from "./metrics";

const read = (text: string, level = "INFO"): Line => ({ seq: null, level, text });
const live = (seq: number, text: string, level = "INFO"): Line => ({ seq, level, text });
const none = { level: "", search: "" };

function event(stream: string, seq: number, line: string): LiveEvent {
  return { stream, seq, topic: "logs", kind: "LogLine", time: null, session_id: null, data: { agent_id: "a", level: "INFO", line } };
}

describe("log lines", () => {
  it("takes only the followed agent's lines from the live events", () => {
    expect(liveLine(event("log:a", 7, "x"), "a")).toEqual({ seq: 7, level: "INFO", text: "x" });
    expect(liveLine(event("log:b", 7, "x"), "a")).toBeNull();
    expect(liveLine(event("session:a", 7, "x"), "a")).toBeNull();
  });

  it("adds live lines once each, by line number, in order", () => {
    const first = addLive(new Map(), [live(3, "c"), live(2, "b")]);
    const again = addLive(first, [live(2, "b"), live(3, "c")]);
    expect(again).toBe(first);
    const more = addLive(first, [live(4, "d"), live(3, "c")]);
    expect([...more.keys()]).toEqual([2, 3, 4]);
  });

  it("appends the live lines after the read, without the ones it holds", () => {
    const known = addLive(new Map(), [live(9, "i"), live(10, "j"), live(11, "k")]);
    expect(merge([read("h"), read("i"), read("j")], known, none).map((l) => l.text)).toEqual(["h", "i", "j", "k"]);
  });

  it("leaves out live lines older than the read's newest (they fell before its last lines)", () => {
    const known = addLive(new Map(), [live(1, "a"), live(2, "b"), live(3, "c"), live(4, "d")]);
    expect(merge([read("c")], known, none).map((l) => l.text)).toEqual(["c", "d"]);
  });

  it("filters live lines as the server filters the read", () => {
    const known = addLive(new Map(), [live(1, "warn x", "WARNING"), live(2, "info x"), live(3, "error y", "ERROR"), live(4, "trace", "")]);
    expect(merge([], known, { level: "WARNING", search: "" }).map((l) => l.text)).toEqual(["warn x", "error y"]);
    expect(merge([], known, { level: "", search: "x" }).map((l) => l.text)).toEqual(["warn x", "info x"]);
    expect(passes(live(5, "t", ""), { level: "DEBUG", search: "" })).toBe(true);
  });

  it("keeps at most the cap, the newest", () => {
    const known = addLive(new Map(), [1, 2, 3, 4, 5].map((n) => live(n, String(n))));
    expect(merge([], known, none, 2).map((l) => l.text)).toEqual(["4", "5"]);
  });

  it("cuts a line around each hit of the search", () => {
    expect(highlightParts("a AAPL b AAPL", "AAPL")).toEqual([
      { text: "a ", hit: false },
      { text: "AAPL", hit: true },
      { text: " b ", hit: false },
      { text: "AAPL", hit: true },
    ]);
    expect(highlightParts("abc", "")).toEqual([{ text: "abc", hit: false }]);
  });
});

describe("metrics", () => {
  it("names the server's counters for people", () => {
    expect(metricLabel("intents")).toBe("Order intents");
    expect(metricLabel("max_queue_depth")).toBe("Max queue depth");
  });

  it("finds the sentiment agent's latest scored headline in its log", () => {
    const lines = [
      read("2026-12-06 19:27:35,027 INFO +0.8481 AAPL: Apple tops smartphone rankings"),
      read("2026-12-06 19:27:35,030 INFO -0.6597 AAPL,GOOG: Apple and Google trade complaints"),
      read("2026-12-06 19:27:36,000 INFO stopped"),
    ];
    expect(latestScore(lines)).toEqual({ score: "-0.6597", symbols: "AAPL, GOOG", headline: "Apple and Google trade complaints" });
    expect(latestScore([read("2026-12-06 19:27:36,000 INFO running")])).toBeNull();
  });
});
