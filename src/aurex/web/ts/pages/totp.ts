// Authenticator set-up: the QR code and key from the server, the first code to
// confirm, then the backup codes to save (shown once).

import { initChrome } from "../chrome.js";
import { api } from "../api.js";
import { busy, byId, fill, formValues, h } from "../dom.js";
import { explain } from "../words.js";

interface Setup {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

initChrome(false);
const confirmForm = byId<HTMLFormElement>("confirm-form");

async function start(): Promise<void> {
  try {
    const setup = await api<Setup>("POST", "/api/auth/2fa/totp/setup");
    byId("totp-secret").textContent = setup.secret.replace(/(.{4})/g, "$1 ").trim();
    byId("totp-secret").dataset.secret = setup.secret;
    byId<HTMLImageElement>("totp-qr").src = `data:image/svg+xml;base64,${btoa(setup.qrSvg)}`;
  } catch (err) {
    byId("confirm-error").textContent = explain(err);
  }
}

confirmForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const error = byId("confirm-error");
  error.textContent = "";
  void busy(confirmForm, async () => {
    try {
      const done = await api<{ backupCodes: string[] }>("POST", "/api/auth/2fa/totp/confirm", {
        code: formValues(confirmForm).code,
      });
      fill(byId("backup-codes"), done.backupCodes.map((c) => h("li", {}, h("code", {}, c))));
      const text = `Aurex backup codes (each works once)\n\n${done.backupCodes.join("\n")}\n`;
      byId<HTMLAnchorElement>("download-codes").href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
      byId("setup").hidden = true;
      byId("done").hidden = false;
      byId("continue").focus();
    } catch (err) {
      error.textContent = explain(err);
    }
  });
});

void start();
