"""Outgoing mail: SMTP when ``AUREX_SMTP_URL`` is set, else a local Maildir.

Both adapters build a standard ``EmailMessage`` and do their blocking work in a
worker thread. Message bodies hold one-time codes, so only the recipient, subject
and (for the Maildir) the file written are logged.
"""

from __future__ import annotations

import asyncio
import mailbox
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.ports import Mailer

log = structlog.get_logger(__name__)

DEFAULT_SENDER = "Aurex <no-reply@aurex.localhost>"
SMTP_TIMEOUT_S = 30.0


def compose(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="aurex.localhost")
    message.set_content(body)
    return message


class MaildirMailer:
    """Delivers into a Maildir (``new/`` holds one file per message) for local use."""

    def __init__(self, path: Path, sender: str = DEFAULT_SENDER) -> None:
        self.path = path
        self.sender = sender

    async def send(self, to: str, subject: str, body: str) -> None:
        message = compose(self.sender, to, subject, body)
        written = await asyncio.to_thread(self._deliver, message)
        log.info("mail delivered to maildir", to=to, subject=subject, file=str(written))

    def _deliver(self, message: EmailMessage) -> Path:
        box = mailbox.Maildir(self.path, create=True)
        key = box.add(message)
        return self.path / "new" / key


class SmtpMailer:
    """Sends over SMTP: ``smtp://[user:password@]host[:port][?starttls=1]`` or ``smtps://``."""

    def __init__(self, url: str, sender: str = DEFAULT_SENDER) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP URL must look like smtp://host:port or smtps://host:port")
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or (465 if self._tls else 25)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        self._starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
        self.sender = sender

    async def send(self, to: str, subject: str, body: str) -> None:
        message = compose(self.sender, to, subject, body)
        await asyncio.to_thread(self._deliver, message)
        log.info("mail sent over smtp", to=to, subject=subject, host=self._host, port=self._port)

    def _deliver(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self._tls:
            client = smtplib.SMTP_SSL(
                self._host, self._port, timeout=SMTP_TIMEOUT_S, context=context
            )
        else:
            client = smtplib.SMTP(self._host, self._port, timeout=SMTP_TIMEOUT_S)
        with client:
            if self._starttls:
                client.starttls(context=context)
            if self._user is not None:
                client.login(self._user, self._password or "")
            client.send_message(message)


async def send_or_fail(mailer: Mailer, to: str, subject: str, body: str) -> None:
    """Send, turning a delivery failure into ``MAIL_UNAVAILABLE`` (logged without the body)."""
    try:
        await mailer.send(to, subject, body)
    except (OSError, smtplib.SMTPException, mailbox.Error) as exc:
        log.error("mail delivery failed", to=to, subject=subject, error=repr(exc))
        raise AuthError(
            AuthCode.MAIL_UNAVAILABLE, "could not send e-mail; try again later"
        ) from exc


def mailer_for(smtp_url: str, mail_dir: Path, sender: str = DEFAULT_SENDER) -> Mailer:
    """The SMTP mailer when a URL is configured, else the Maildir under ``mail_dir``."""
    if smtp_url:
        return SmtpMailer(smtp_url, sender)
    return MaildirMailer(mail_dir, sender)
