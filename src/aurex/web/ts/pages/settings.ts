// Settings: the second factor (authenticator or e-mail, backup codes), active
// sessions with revoke and "log out everywhere", and the password change.

import { initChrome } from "../chrome.js";
import { api, get } from "../api.js";
import { session } from "../session.js";
import { busy, byId, fill, formValues, h } from "../dom.js";
import { fmtDateTime } from "../format.js";
import { passwordOk, watchPassword } from "../rules.js";
import { explain } from "../words.js";

interface TwoFactor {
  twoFactorType: "email" | "totp";
  backupCodesRemaining: number;
  emailVerified: boolean;
}

interface SessionRow {
  sessionId: string;
  ipAddress: string;
  userAgent: string;
  createdAt: string | number;
  lastActivity: string | number;
  current: boolean;
}

function when(value: string | number): string {
  const ms = typeof value === "number" ? value : Date.parse(value);
  return Number.isNaN(ms) ? String(value) : fmtDateTime(ms);
}

function device(agent: string): string {
  const browser = /Firefox|Edg|Chrome|Safari/.exec(agent)?.[0] ?? "Browser";
  const os = /Windows|Mac OS X|Android|iPhone|Linux/.exec(agent)?.[0] ?? "";
  return `${browser === "Edg" ? "Edge" : browser}${os ? ` on ${os}` : ""}`;
}

async function loadTwoFactor(): Promise<void> {
  const state = await get<TwoFactor>("/api/auth/2fa");
  const totp = state.twoFactorType === "totp";
  byId("tfa-status").textContent = totp
    ? `Authenticator app is on. ${state.backupCodesRemaining} backup codes left.`
    : "Codes are sent to your e-mail at each login. An authenticator app is safer and works offline.";
  byId("totp-setup").hidden = totp;
  byId("totp-disable").hidden = !totp;
  byId("backup-regen").hidden = !totp;
  byId("pw-send-code").hidden = totp;
}

async function loadSessions(): Promise<void> {
  const answer = await get<{ sessions: SessionRow[] }>("/api/auth/sessions");
  fill(
    byId("sessions").querySelector("tbody")!,
    answer.sessions.map((s) => {
      const label = s.current ? "This device" : "Revoke";
      const revoke = h("button", { type: "button", class: "ghost small", "aria-label": `${label}: ${device(s.userAgent)} from ${s.ipAddress}` }, label);
      revoke.disabled = s.current;
      revoke.addEventListener("click", () => {
        void api("DELETE", `/api/auth/sessions/${s.sessionId}`)
          .then(loadSessions)
          .catch((e: unknown) => (byId("sess-error").textContent = explain(e)));
      });
      return h("tr", { "data-session": s.sessionId }, h("td", {}, device(s.userAgent), s.current ? h("span", { class: "badge" }, "current") : null), h("td", {}, s.ipAddress), h("td", {}, when(s.createdAt)), h("td", {}, when(s.lastActivity)), h("td", {}, revoke));
    }),
  );
}

function showCodes(codes: string[]): void {
  const list = byId("new-codes");
  fill(list, codes.map((c) => h("li", {}, h("code", {}, c))));
  list.hidden = false;
}

function codeForm(id: string, path: string, done: (answer: { backupCodes?: string[] }) => void): void {
  const form = byId<HTMLFormElement>(id);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    byId("tfa-error").textContent = "";
    void busy(form, async () => {
      try {
        done(await api<{ backupCodes?: string[] }>("POST", path, { code: formValues(form).code }));
        form.reset();
        await loadTwoFactor();
      } catch (err) {
        byId("tfa-error").textContent = explain(err);
      }
    });
  });
}

initChrome(false);
void session.tokens();
codeForm("totp-disable", "/api/auth/2fa/totp/disable", () => undefined);
codeForm("backup-regen", "/api/auth/2fa/backup-codes", (a) => showCodes(a.backupCodes ?? []));

byId("logout-all").addEventListener("click", () => {
  if (!window.confirm("Log out on every device, including this one?")) return;
  void api("DELETE", "/api/auth/sessions")
    .catch(() => undefined)
    .finally(() => location.assign("/login"));
});

const pwForm = byId<HTMLFormElement>("password-form");
watchPassword(byId<HTMLInputElement>("password"), byId("pw-rules"));
byId("pw-send-code").addEventListener("click", () => {
  void api("POST", "/api/auth/password/code")
    .then(() => (byId("pw-ok").textContent = "We e-mailed you a code."))
    .catch((e: unknown) => (byId("pw-error").textContent = explain(e)));
});
pwForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const v = formValues(pwForm);
  byId("pw-error").textContent = "";
  byId("pw-ok").textContent = "";
  if (!passwordOk(v.newPassword ?? "")) {
    byId("pw-error").textContent = "The new password does not meet the rules.";
    return;
  }
  void busy(pwForm, async () => {
    try {
      const answer = await api<{ revoked: number }>("POST", "/api/auth/password", {
        currentPassword: v.currentPassword,
        newPassword: v.newPassword,
        code: v.code,
      });
      pwForm.reset();
      byId("pw-ok").textContent = `Password changed. ${answer.revoked} other session(s) were logged out.`;
      await loadSessions();
    } catch (err) {
      byId("pw-error").textContent = explain(err);
    }
  });
});

void loadTwoFactor();
void loadSessions();
