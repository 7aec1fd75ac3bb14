// Login: e-mail and password, then the second factor (authenticator, e-mailed or
// backup code). The session arrives as cookies; then on to the page asked for.

import { initChrome } from "../chrome.js";
import { api } from "../api.js";
import { busy, byId, formValues } from "../dom.js";
import { explain } from "../words.js";

interface LoginAnswer {
  requiresTwoFactor: boolean;
  twoFactorType: "email" | "totp";
}

function nextPage(): string {
  const next = new URLSearchParams(location.search).get("next") ?? "";
  return /^\/app\/[A-Za-z0-9/_.-]*$/.test(next) ? next : "/app/dashboard";
}

export function goNext(): void {
  location.assign(nextPage());
}

initChrome(false);
const loginForm = byId<HTMLFormElement>("login-form");
const secondForm = byId<HTMLFormElement>("second-form");
let email = "";

loginForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const values = formValues(loginForm);
  const error = byId("login-error");
  error.textContent = "";
  void busy(loginForm, async () => {
    try {
      const answer = await api<LoginAnswer>("POST", "/api/auth/login", { email: values.email, password: values.password }, { noRefresh: true });
      email = values.email ?? "";
      const totp = answer.twoFactorType === "totp";
      byId("second-title").textContent = totp ? "Authenticator code" : "Check your e-mail";
      byId("second-help").textContent = totp
        ? "Enter the 6-digit code from your authenticator app, or one of your backup codes."
        : `We e-mailed a 6-digit code to ${email}. It is valid for 5 minutes. A backup code works too.`;
      byId("resend").hidden = totp;
      loginForm.hidden = true;
      secondForm.hidden = false;
      secondForm.querySelector("input")?.focus();
    } catch (err) {
      error.textContent = explain(err);
    }
  });
});

secondForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const error = byId("second-error");
  error.textContent = "";
  const code = formValues(secondForm).code ?? "";
  void busy(secondForm, async () => {
    try {
      await api("POST", "/api/auth/verify-2fa", { email, code }, { noRefresh: true });
      goNext();
    } catch (err) {
      error.textContent = explain(err);
    }
  });
});

byId("resend").addEventListener("click", () => {
  void api("POST", "/api/auth/resend-code", { email }, { noRefresh: true })
    .then(() => (byId("second-error").textContent = "A new code is on its way."))
    .catch((err: unknown) => (byId("second-error").textContent = explain(err)));
});
