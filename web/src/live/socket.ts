/**
 * One `/ws` connection per tab (the protocol is the server's docs/events.md).
 *
 * It authenticates with its first message (a browser cannot set headers on
 * a websocket, and a key never goes in a URL), subscribes to `activity`
 * (every event of every session the key sees, and its system stream),
 * and remembers the last `seq` of every stream. After a drop it reconnects
 * with exponential backoff and resumes with those seqs: the server replays
 * what was missed, so nothing is lost and nothing is repeated (an event at
 * or below a stream's last seq is dropped here too).
 */

/** An `event` frame. `data` is the journal's record of it. */
export interface LiveEvent {
  stream: string;
  seq: number;
  topic: string;
  kind: string;
  time: string | null;
  session_id: string | null;
  severity?: "info" | "warning" | "error";
  message?: string;
  data: Record<string, unknown>;
}

export type ConnectionState =
  | { status: "connecting"; attempt: number }
  | { status: "open"; since: number }
  | { status: "retrying"; attempt: number; retryAt: number; reason: string }
  | { status: "refused"; reason: string }
  | { status: "closed" };

export interface Credentials {
  keyId: string;
  secret: string;
}

/** What the socket needs of a WebSocket (the browser's, or a test's). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface EventSocketOptions {
  url?: string;
  connect?: SocketFactory;
  /** Backoff: first delay, and the cap, in ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** No frame for this long (heartbeats come every 15 s): the connection is dead. */
  silenceMs?: number;
}

/** Close codes after which reconnecting cannot help: the key is not accepted. */
const POLICY = 1008;
const OPEN = 1;

type Listener<T> = (value: T) => void;

export function defaultUrl(): string {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws`;
}

export class EventSocket {
  private readonly credentials: Credentials;
  private readonly url: string;
  private readonly connect: SocketFactory;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly silenceMs: number;
  private socket: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly lastSeq = new Map<string, number>();
  private readonly logAgents = new Set<string>();
  private readonly topics = new Map<string, number>();
  private readonly eventListeners = new Set<Listener<LiveEvent>>();
  private readonly stateListeners = new Set<Listener<ConnectionState>>();
  private readonly resumeListeners = new Set<Listener<void>>();
  private current: ConnectionState = { status: "connecting", attempt: 0 };
  private admin = false;

  constructor(credentials: Credentials, options: EventSocketOptions = {}) {
    this.credentials = credentials;
    this.url = options.url ?? defaultUrl();
    this.connect = options.connect ?? ((url) => new WebSocket(url));
    this.minDelayMs = options.minDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 15_000;
    this.silenceMs = options.silenceMs ?? 40_000;
  }

  get state(): ConnectionState {
    return this.current;
  }

  get isAdmin(): boolean {
    return this.admin;
  }

  /** The last seq handled of each stream (what a resume names). */
  get positions(): ReadonlyMap<string, number> {
    return this.lastSeq;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      socket.onclose = null;
      socket.close(1000, "signed out");
    }
    this.setState({ status: "closed" });
  }

  /** Reconnect now (the user asked; a pending backoff is skipped). */
  retryNow(): void {
    if (this.stopped || this.current.status === "open") {
      return;
    }
    clearTimeout(this.retryTimer);
    this.open();
  }

  onEvent(listener: Listener<LiveEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: Listener<ConnectionState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Called after every reconnect's subscription: views may refetch what the socket lacks. */
  onResume(listener: Listener<void>): () => void {
    this.resumeListeners.add(listener);
    return () => this.resumeListeners.delete(listener);
  }

  /**
   * Hear a topic beyond `activity` (e.g. `sweeps`: the progress of the key's
   * parameter sweeps) until every follower has called {@link unfollowTopic}.
   */
  followTopic(topic: string): void {
    const count = this.topics.get(topic) ?? 0;
    this.topics.set(topic, count + 1);
    if (count === 0 && this.current.status === "open") {
      this.send({ action: "subscribe", topics: [topic] });
    }
  }

  unfollowTopic(topic: string): void {
    const count = this.topics.get(topic) ?? 0;
    if (count <= 1) {
      this.topics.delete(topic);
      if (count === 1 && this.current.status === "open") {
        this.send({ action: "unsubscribe", topics: [topic] });
      }
    } else {
      this.topics.set(topic, count - 1);
    }
  }

  /** Follow an agent's log lines (`logs` topic) until {@link unfollowLog}. */
  followLog(agentId: string): void {
    this.logAgents.add(agentId);
    if (this.current.status === "open") {
      this.subscribeLog(agentId);
    }
  }

  unfollowLog(agentId: string): void {
    this.logAgents.delete(agentId);
    if (this.logAgents.size === 0 && this.current.status === "open") {
      this.send({ action: "unsubscribe", topics: ["logs"] });
    }
  }

  private open(): void {
    this.attempt += 1;
    this.setState({ status: "connecting", attempt: this.attempt });
    let socket: SocketLike;
    try {
      socket = this.connect(this.url);
    } catch (error) {
      this.scheduleRetry(error instanceof Error ? error.message : "cannot connect");
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.send({
        action: "auth",
        key_id: this.credentials.keyId,
        secret_key: this.credentials.secret,
      });
      this.watchSilence();
    };
    socket.onmessage = (message: MessageEvent) => {
      this.watchSilence();
      if (typeof message.data === "string") {
        this.receive(message.data);
      }
    };
    socket.onerror = () => {
      // A close follows every error; the retry is decided there.
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) {
        return;
      }
      this.socket = null;
      clearTimeout(this.silenceTimer);
      if (this.stopped) {
        return;
      }
      if (event.code === POLICY) {
        this.setState({ status: "refused", reason: event.reason || "the key was not accepted" });
        return;
      }
      this.scheduleRetry(event.reason || `connection closed (${event.code})`);
    };
  }

  private receive(text: string): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    switch (frame.type) {
      case "authenticated":
        this.admin = frame.admin === true;
        this.subscribe();
        break;
      case "subscribed":
        this.record(frame.streams);
        if (this.current.status !== "open") {
          this.attempt = 0;
          this.setState({ status: "open", since: Date.now() });
          for (const listener of this.resumeListeners) {
            listener();
          }
        }
        break;
      case "event":
        this.deliver(frame as unknown as LiveEvent);
        break;
      default:
        break;
    }
  }

  private subscribe(): void {
    const last: Record<string, number> = {};
    for (const [stream, seq] of this.lastSeq) {
      if (!stream.startsWith("log:")) {
        last[stream] = seq;
      }
    }
    const resume = Object.keys(last).length > 0;
    this.send(resume ? { action: "subscribe", topics: ["activity"], last_seq: last } : {
      action: "subscribe",
      topics: ["activity"],
    });
    for (const agentId of this.logAgents) {
      this.subscribeLog(agentId);
    }
    for (const topic of this.topics.keys()) {
      this.send({ action: "subscribe", topics: [topic] });
    }
  }

  private subscribeLog(agentId: string): void {
    const stream = `log:${agentId}`;
    const seq = this.lastSeq.get(stream);
    this.send(
      seq === undefined
        ? { action: "subscribe", topics: ["logs"], agent_id: agentId }
        : { action: "subscribe", topics: ["logs"], agent_id: agentId, last_seq: { [stream]: seq } },
    );
  }

  /** Streams the server says we follow: the ones new to us start at their current seq. */
  private record(streams: unknown): void {
    if (typeof streams !== "object" || streams === null) {
      return;
    }
    for (const [stream, seq] of Object.entries(streams)) {
      if (typeof seq === "number" && !this.lastSeq.has(stream)) {
        this.lastSeq.set(stream, seq);
      }
    }
  }

  private deliver(event: LiveEvent): void {
    const last = this.lastSeq.get(event.stream);
    if (last !== undefined && event.seq <= last) {
      return; // already handled: a resume never repeats, but be sure
    }
    this.lastSeq.set(event.stream, event.seq);
    for (const listener of this.eventListeners) {
      listener(event);
    }
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket !== null && this.socket.readyState === OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  private watchSilence(): void {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      const socket = this.socket;
      if (socket !== null) {
        this.socket = null;
        socket.onclose = null;
        socket.close(4000, "silent");
        this.scheduleRetry("no heartbeat from the server");
      }
    }, this.silenceMs);
  }

  private scheduleRetry(reason: string): void {
    const exponential = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** Math.max(0, this.attempt - 1));
    const delay = Math.round(exponential * (0.75 + Math.random() * 0.5));
    const retryAt = Date.now() + delay;
    this.setState({ status: "retrying", attempt: this.attempt, retryAt, reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.open();
    }, delay);
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    for (const listener of this.stateListeners) {
      listener(state);
    }
  }
}
