// The browser's login: the cookies hold it; the page keeps the access token (for
// the WebSocket) and the trading token (for order entry) in memory only, fetched by
// a cookie refresh. Tabs share fresh tokens so one tab's refresh does not log the
// others' WebSockets out.

export interface Tokens {
  sessionToken: string;
  tradingToken: string;
  expiresIn: number;
  /** When the access token expires (ms since the epoch), for sharing between tabs. */
  expiresAt?: number;
}

type Listener = (tokens: Tokens) => void;
type Note = { kind: "ask" } | { kind: "tokens"; tokens: Tokens };

const ASK_MS = 200; // how long a new tab waits for another tab's tokens

function csrf(): string {
  const match = /(?:^|;\s*)csrfToken=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1] ?? "") : "";
}

class Session {
  private current: Tokens | null = null;
  private pending: Promise<Tokens | null> | null = null;
  private timer: number | undefined;
  private readonly listeners: Listener[] = [];
  private readonly waiting: ((tokens: Tokens) => void)[] = [];
  private readonly channel: BroadcastChannel | null =
    typeof BroadcastChannel === "function" ? new BroadcastChannel("aurex-session") : null;

  constructor() {
    this.channel?.addEventListener("message", (event: MessageEvent<Note>) => {
      const note = event.data;
      if (note?.kind === "ask" && this.current) this.post({ kind: "tokens", tokens: this.current });
      if (note?.kind === "tokens" && typeof note.tokens?.sessionToken === "string") {
        this.accept(note.tokens, false);
      }
    });
  }

  /** True once this page logged out and is leaving: nothing should be requested. */
  ended = false;

  /** The tokens: this tab's, another tab's, or a refresh; sends to login if all fail. */
  async tokens(): Promise<Tokens> {
    if (this.ended) return new Promise<Tokens>(() => undefined);
    if (this.current) return this.current;
    this.pending ??= this.obtain().finally(() => {
      this.pending = null;
    });
    const found = await this.pending;
    if (!found) {
      toLogin();
      throw new Error("not logged in");
    }
    return found;
  }

  /** Waits for a token request in progress, so no request races a refresh. */
  async settled(): Promise<void> {
    if (this.pending) await this.pending;
  }

  /** A new access token from the trading-token cookie (several callers share one call). */
  refresh(): Promise<Tokens | null> {
    this.pending ??= this.doRefresh().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  onTokens(listener: Listener): void {
    this.listeners.push(listener);
  }

  forget(): void {
    this.current = null;
    window.clearTimeout(this.timer);
  }

  private async obtain(): Promise<Tokens | null> {
    const shared = await this.askOtherTabs();
    return shared ?? this.doRefresh();
  }

  /** Another open tab's live tokens, if one answers quickly: no refresh, no revocation. */
  private askOtherTabs(): Promise<Tokens | null> {
    if (!this.channel) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (tokens: Tokens | null): void => {
        window.clearTimeout(timeout);
        const at = this.waiting.indexOf(onTokens);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(tokens);
      };
      const onTokens = (tokens: Tokens): void => done(tokens);
      const timeout = window.setTimeout(() => done(null), ASK_MS);
      this.waiting.push(onTokens);
      this.post({ kind: "ask" });
    });
  }

  private async doRefresh(): Promise<Tokens | null> {
    const response = await fetch("/api/auth/refresh", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf(), Accept: "application/json" },
    });
    if (!response.ok) {
      this.forget();
      return null;
    }
    const tokens = (await response.json()) as Tokens;
    tokens.expiresAt = Date.now() + tokens.expiresIn * 1000;
    this.accept(tokens, true);
    return tokens;
  }

  private accept(tokens: Tokens, broadcast: boolean): void {
    const expiresAt = tokens.expiresAt ?? Date.now() + tokens.expiresIn * 1000;
    if (expiresAt <= Date.now() + 5_000) return; // about to expire: not worth taking
    if (this.current?.expiresAt && this.current.expiresAt > expiresAt) return; // older than ours
    this.current = { ...tokens, expiresAt };
    window.clearTimeout(this.timer);
    // Renew about a minute before expiry; the jitter lets one tab refresh for all.
    const delay = Math.max(30_000, expiresAt - Date.now() - 60_000 - Math.random() * 20_000);
    this.timer = window.setTimeout(() => void this.refresh(), delay);
    if (broadcast) this.post({ kind: "tokens", tokens: this.current });
    for (const waiter of [...this.waiting]) waiter(this.current);
    for (const listener of this.listeners) listener(this.current);
  }

  private post(note: Note): void {
    this.channel?.postMessage(note);
  }
}

export const session = new Session();

export function toLogin(): void {
  const next = encodeURIComponent(location.pathname);
  location.assign(`/login?next=${next}`);
}

/** Logs this session out and returns to the landing page. */
export async function logout(): Promise<void> {
  // Let a token request in flight finish first, so it does not fail against the
  // ended session; after this the page asks for nothing more.
  await session.settled().catch(() => undefined);
  session.ended = true;
  try {
    await fetch("/api/auth/logout", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf() },
    });
  } finally {
    session.forget();
    location.assign("/login");
  }
}
