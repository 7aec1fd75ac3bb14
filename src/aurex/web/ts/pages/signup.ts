// Sign-up: the spec's fields with live password rules, then the e-mailed code that
// opens the first session, then the authenticator set-up if that was chosen.

import { initChrome } from "../chrome.js";
import { api } from "../api.js";
import { busy, byId, formValues } from "../dom.js";
import { passwordOk, watchPassword } from "../rules.js";
import { explain } from "../words.js";

initChrome(false);
const form = byId<HTMLFormElement>("signup-form");
const codeForm = byId<HTMLFormElement>("code-form");
watchPassword(byId<HTMLInputElement>("password"), byId("pw-rules"));
let email = "";
let factor = "totp";

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const v = formValues(form);
  const error = byId("signup-error");
  error.textContent = "";
  if (!v.firstName || !v.lastName || !v.email) {
    error.textContent = "Please fill in your name and e-mail.";
    return;
  }
  if (!passwordOk(v.password ?? "")) {
    error.textContent = "The password does not meet the rules listed above.";
    byId("password").focus();
    return;
  }
  void busy(form, async () => {
    try {
      await api("POST", "/api/auth/signup", {
        email: v.email,
        password: v.password,
        firstName: v.firstName,
        lastName: v.lastName,
        country: v.country || "US",
      }, { noRefresh: true });
      email = v.email ?? "";
      factor = v.factor ?? "totp";
      // New accounts log in with an e-mailed code until an authenticator is set up.
      await api("POST", "/api/auth/login", { email, password: v.password }, { noRefresh: true });
      byId("code-email").textContent = email;
      form.hidden = true;
      codeForm.hidden = false;
      codeForm.querySelector("input")?.focus();
    } catch (err) {
      error.textContent = explain(err);
    }
  });
});

codeForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const error = byId("code-error");
  error.textContent = "";
  void busy(codeForm, async () => {
    try {
      await api("POST", "/api/auth/verify-2fa", { email, code: formValues(codeForm).code }, { noRefresh: true });
      location.assign(factor === "totp" ? "/app/settings/totp" : "/app/dashboard");
    } catch (err) {
      error.textContent = explain(err);
    }
  });
});

byId("resend").addEventListener("click", () => {
  void api("POST", "/api/auth/resend-code", { email }, { noRefresh: true })
    .then(() => (byId("code-error").textContent = "A new code is on its way."))
    .catch((err: unknown) => (byId("code-error").textContent = explain(err)));
});
