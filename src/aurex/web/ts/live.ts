// One WebSocket to /ws for the whole page: subscriptions survive reconnects (they are
// sent again on every connect), the private channel logs in again with a fresh
// token, and the connection state is published for the header badge.

import { session } from "./session.js";

export type ConnState = "connecting" | "live" | "reconnecting" | "offline";

export interface Subscription {
  channel: "ticker" | "book" | "trades" | "candles" | "index" | "orders";
  symbol?: string;
  interval?: string;
}

export type Message = { type: string; [key: string]: unknown };
type Handler = (message: Message) => void;

const AUTH_CODES = new Set([1030, 1031, 1032, 1033]);
const SILENCE_MS = 25_000; // heartbeats come every 10 s

function key(sub: Subscription): string {
  return `${sub.channel}|${sub.symbol ?? ""}|${sub.interval ?? ""}`;
}

export class LiveFeed {
  private socket: WebSocket | null = null;
  private readonly subs = new Map<string, Subscription>();
  private readonly handlers: Handler[] = [];
  private readonly stateListeners: ((state: ConnState) => void)[] = [];
  private readonly connectListeners: (() => void)[] = [];
  private attempt = 0;
  private lastMessage = Date.now();
  private authed = false;
  private wantsAuth = false;
  private state: ConnState = "connecting";
  private nextId = 1;
  private sentToken = "";

  constructor(private readonly url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`) {
    window.setInterval(() => this.watchdog(), 5_000);
    window.addEventListener("online", () => this.reconnectNow());
    session.onTokens((tokens) => {
      if (this.wantsAuth && this.socket?.readyState === WebSocket.OPEN) this.sendAuth(tokens.sessionToken);
    });
  }

  start(): this {
    this.connect();
    return this;
  }

  onMessage(handler: Handler): void {
    this.handlers.push(handler);
  }

  onState(listener: (state: ConnState) => void): void {
    this.stateListeners.push(listener);
    listener(this.state);
  }

  /** Called after every (re)connect once subscriptions are sent: reload what REST holds. */
  onConnect(listener: () => void): void {
    this.connectListeners.push(listener);
  }

  subscribe(sub: Subscription): void {
    if (sub.channel === "orders") this.wantsAuth = true;
    this.subs.set(key(sub), sub);
    if (sub.channel !== "orders" || this.authed) this.send({ op: "subscribe", ...sub });
  }

  unsubscribe(sub: Subscription): void {
    if (this.subs.delete(key(sub))) this.send({ op: "unsubscribe", ...sub });
  }

  /** Subscribes again: for the book this brings a fresh snapshot (gap recovery). */
  resubscribe(sub: Subscription): void {
    this.send({ op: "subscribe", ...sub });
  }

  get connected(): boolean {
    return this.state === "live";
  }

  private connect(): void {
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.authed = false;
      this.sentToken = "";
      this.lastMessage = Date.now();
      this.setState("live");
      for (const sub of this.subs.values()) {
        if (sub.channel !== "orders") this.send({ op: "subscribe", ...sub });
      }
      if (this.wantsAuth) void session.tokens().then((t) => this.sendAuth(t.sessionToken));
      for (const listener of this.connectListeners) listener();
    });
    socket.addEventListener("message", (event: MessageEvent<string>) => this.receive(event.data));
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect();
    });
  }

  private receive(raw: string): void {
    this.lastMessage = Date.now();
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.type === "authenticated") {
      this.authed = true;
      for (const sub of this.subs.values()) {
        if (sub.channel === "orders") this.send({ op: "subscribe", ...sub });
      }
    } else if (message.type === "error" && AUTH_CODES.has(Number(message.code))) {
      // The access token expired or was replaced: log in again with a fresh one.
      this.authed = false;
      this.sentToken = "";
      void session.refresh();
    }
    for (const handler of this.handlers) handler(message);
  }

  private sendAuth(token: string): void {
    if (token === this.sentToken) return;
    this.sentToken = token;
    this.send({ op: "auth", token });
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ ...message, id: this.nextId++ }));
    }
  }

  private scheduleReconnect(): void {
    this.attempt += 1;
    this.setState(navigator.onLine === false ? "offline" : "reconnecting");
    const delay = Math.min(10_000, 250 * 2 ** Math.min(this.attempt, 6)) * (0.75 + Math.random() / 2);
    window.setTimeout(() => this.connect(), delay);
  }

  private reconnectNow(): void {
    if (this.socket?.readyState === WebSocket.OPEN) return;
    this.socket?.close();
  }

  private watchdog(): void {
    if (this.socket?.readyState === WebSocket.OPEN && Date.now() - this.lastMessage > SILENCE_MS) {
      const dead = this.socket;
      this.socket = null;
      dead.close();
      this.scheduleReconnect();
    }
  }

  private setState(state: ConnState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

export const feed = new LiveFeed();
