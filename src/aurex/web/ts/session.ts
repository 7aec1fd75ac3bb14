// The browser's login: the cookies hold it; the page keeps the access token (for
// the WebSocket) and the trading token (for order entry) in memory only, fetched by
// a cookie refresh. Tabs share fresh tokens so one tab's refresh does not log the
// others' WebSockets out.

export interface Tokens {
  sessionToken: string;
  tradingToken: string;
  expiresIn: number;
}

type Listener = (tokens: Tokens) => void;

function csrf(): string {
  const match = /(?:^|;\s*)csrfToken=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1] ?? "") : "";
}

class Session {
  private current: Tokens | null = null;
  private pending: Promise<Tokens | null> | null = null;
  private timer: number | undefined;
  private readonly listeners: Listener[] = [];
  private readonly channel: BroadcastChannel | null =
    typeof BroadcastChannel === "function" ? new BroadcastChannel("aurex-session") : null;

  constructor() {
    this.channel?.addEventListener("message", (event: MessageEvent<Tokens>) => {
      if (event.data && typeof event.data.sessionToken === "string") this.accept(event.data, false);
    });
  }

  /** The tokens, refreshing once if the page has none yet; sends to login if that fails. */
  async tokens(): Promise<Tokens> {
    if (this.current) return this.current;
    const fresh = await this.refresh();
    if (!fresh) {
      toLogin();
      throw new Error("not logged in");
    }
    return fresh;
  }

  /** A new access token from the trading-token cookie (several callers share one call). */
  refresh(): Promise<Tokens | null> {
    if (!this.pending) {
      this.pending = this.doRefresh().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  onTokens(listener: Listener): void {
    this.listeners.push(listener);
  }

  forget(): void {
    this.current = null;
    window.clearTimeout(this.timer);
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
    this.accept(tokens, true);
    return tokens;
  }

  private accept(tokens: Tokens, broadcast: boolean): void {
    this.current = tokens;
    window.clearTimeout(this.timer);
    // Renew a minute before the access token expires.
    const delay = Math.max(30, tokens.expiresIn - 60) * 1000;
    this.timer = window.setTimeout(() => void this.refresh(), delay);
    if (broadcast) this.channel?.postMessage(tokens);
    for (const listener of this.listeners) listener(tokens);
  }
}

export const session = new Session();

export function toLogin(): void {
  const next = encodeURIComponent(location.pathname);
  location.assign(`/login?next=${next}`);
}

/** Logs this session out and returns to the landing page. */
export async function logout(): Promise<void> {
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
