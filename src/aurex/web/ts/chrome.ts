// What every page has: the theme switch, the connection badge and the logout button.

import { feed, type ConnState } from "./live.js";
import { logout } from "./session.js";
import { maybeId } from "./dom.js";

const STATE_TEXT: Record<ConnState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export type Theme = "dark" | "light";
const themeListeners: ((theme: Theme) => void)[] = [];

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === "light" ? "light" : "dark";
}

export function onThemeChange(listener: (theme: Theme) => void): void {
  themeListeners.push(listener);
}

function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem("aurex-theme", theme);
  } catch {
    // private mode: the choice lasts for this page only
  }
  const toggle = maybeId<HTMLButtonElement>("theme-toggle");
  if (toggle) {
    const other = theme === "dark" ? "light" : "dark";
    toggle.setAttribute("aria-label", `Switch to ${other} theme`);
    toggle.textContent = theme === "dark" ? "☀" : "☾";
  }
  for (const listener of themeListeners) listener(theme);
}

/** Wires the header; ``live`` pages start the WebSocket and show its state. */
export function initChrome(live = true): void {
  // A background load that fails because the exchange cannot be reached (it is
  // restarting, or the network dropped) is expected: the connection badge says so and
  // the reconnect reloads everything. Anything else stays an error.
  window.addEventListener("unhandledrejection", (event) => {
    if (event.reason instanceof TypeError && /fetch/i.test(event.reason.message)) {
      event.preventDefault();
      console.warn("request failed while the exchange was unreachable:", event.reason.message);
    }
  });
  applyTheme(currentTheme());
  maybeId("theme-toggle")?.addEventListener("click", () =>
    applyTheme(currentTheme() === "dark" ? "light" : "dark"),
  );
  maybeId("logout")?.addEventListener("click", () => void logout());
  const badge = maybeId("conn");
  if (!badge) return;
  if (!live) {
    badge.hidden = true;
    return;
  }
  feed.onState((state) => {
    badge.dataset.state = state;
    badge.textContent = STATE_TEXT[state];
  });
  feed.start();
}

/** A CSS custom property of the current theme (chart colours follow the theme). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
