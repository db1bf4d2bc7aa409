import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { type ConnectionState, EventSocket, type LiveEvent, type SocketLike } from "./socket";

/** A websocket whose server side the test plays. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  frame(frame: Record<string, unknown>): void {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(frame) }));
  }
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }
}

function event(stream: string, seq: number): Record<string, unknown> {
  return { type: "event", stream, seq, topic: "fills", kind: "OrderFilled", time: null, session_id: "s1", data: {} };
}

describe("EventSocket", () => {
  let sockets: FakeSocket[];
  let live: EventSocket;
  let received: LiveEvent[];
  let states: ConnectionState[];

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    received = [];
    states = [];
    live = new EventSocket(
      { keyId: "PK1", secret: "sec" },
      {
        url: "ws://test/ws",
        connect: () => {
          const socket = new FakeSocket();
          sockets.push(socket);
          return socket;
        },
      },
    );
    live.onEvent((e) => received.push(e));
    live.onState((s) => states.push(s));
    live.start();
  });

  afterEach(() => {
    live.stop();
    vi.useRealTimers();
  });

  function connected(socket: FakeSocket, streams: Record<string, number>): void {
    socket.open();
    socket.frame({ type: "authenticated", admin: true });
    socket.frame({ type: "subscribed", topics: ["activity"], streams });
  }

  it("follows a topic while a page wants it, again after a reconnect, and leaves it with the last follower", () => {
    const socket = sockets[0]!;
    connected(socket, {});
    live.followTopic("sweeps");
    live.followTopic("sweeps");
    expect(socket.sent.filter((message) => JSON.stringify(message.topics) === '["sweeps"]')).toEqual([
      { action: "subscribe", topics: ["sweeps"] },
    ]);
    socket.drop();
    vi.advanceTimersByTime(20_000);
    const again = sockets[1]!;
    connected(again, {});
    expect(again.sent).toContainEqual({ action: "subscribe", topics: ["sweeps"] });
    live.unfollowTopic("sweeps");
    expect(again.sent).not.toContainEqual({ action: "unsubscribe", topics: ["sweeps"] });
    live.unfollowTopic("sweeps");
    expect(again.sent.at(-1)).toEqual({ action: "unsubscribe", topics: ["sweeps"] });
  });

  it("authenticates in its first message, never in the URL, then subscribes to activity", () => {
    const socket = sockets[0]!;
    connected(socket, {});
    expect(socket.sent[0]).toEqual({ action: "auth", key_id: "PK1", secret_key: "sec" });
    expect(socket.sent[1]).toEqual({ action: "subscribe", topics: ["activity"] });
    expect(live.state.status).toBe("open");
    expect(live.isAdmin).toBe(true);
  });

  it("resumes after a drop from the last seq of every stream, and drops repeats", () => {
    connected(sockets[0]!, { "session:s1": 3, "system:PK1": 1 });
    sockets[0]!.frame(event("session:s1", 4));
    sockets[0]!.drop();
    expect(live.state.status).toBe("retrying");

    vi.advanceTimersByTime(1_000);
    const second = sockets[1]!;
    connected(second, { "session:s1": 6, "system:PK1": 1 });
    expect(second.sent[1]).toEqual({
      action: "subscribe",
      topics: ["activity"],
      last_seq: { "session:s1": 4, "system:PK1": 1 },
    });
    second.frame(event("session:s1", 4)); // a repeat: ignored
    second.frame(event("session:s1", 5));
    second.frame(event("session:s1", 6));
    expect(received.map((e) => e.seq)).toEqual([4, 5, 6]);
  });

  it("backs off exponentially while the server stays away", () => {
    const delays: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const socket = sockets[sockets.length - 1]!;
      socket.drop();
      const state = live.state;
      if (state.status !== "retrying") {
        throw new Error("not retrying");
      }
      delays.push(state.retryAt - Date.now());
      vi.advanceTimersByTime(state.retryAt - Date.now());
    }
    expect(delays[4]!).toBeGreaterThan(delays[0]! * 8);
    expect(Math.max(...delays)).toBeLessThanOrEqual(15_000 * 1.25);
  });

  it("stops retrying when the server refuses the key", () => {
    sockets[0]!.open();
    sockets[0]!.drop(1008, "unauthorized");
    expect(live.state).toEqual({ status: "refused", reason: "unauthorized" });
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it("treats a silent connection as dead (heartbeats stopped)", () => {
    connected(sockets[0]!, {});
    vi.advanceTimersByTime(40_100);
    expect(live.state.status).toBe("retrying");
  });

  it("follows an agent's log on the same connection, again after a reconnect", () => {
    connected(sockets[0]!, {});
    live.followLog("a1");
    expect(sockets[0]!.sent.at(-1)).toEqual({ action: "subscribe", topics: ["logs"], agent_id: "a1" });
    sockets[0]!.frame({ ...event("log:a1", 7), topic: "logs", kind: "LogLine" });
    sockets[0]!.drop();
    vi.advanceTimersByTime(1_000);
    connected(sockets[1]!, {});
    expect(sockets[1]!.sent.at(-1)).toEqual({
      action: "subscribe",
      topics: ["logs"],
      agent_id: "a1",
      last_seq: { "log:a1": 7 },
    });
  });
});
