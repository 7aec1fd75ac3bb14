"""Mail delivery: SMTP to a real server, the Maildir default, and a clear error when the
mail server is down."""

from __future__ import annotations

import mailbox
import socket
from pathlib import Path

import pytest

from aurex.auth import AuthCode, AuthError, mailer_for
from aurex.auth.mail import MaildirMailer, SmtpMailer, send_or_fail

from .services import SmtpServer


async def test_smtp_mailer_delivers_to_a_real_server(smtp_server: SmtpServer) -> None:
    mailer = mailer_for(smtp_server.url, Path("unused"))
    assert isinstance(mailer, SmtpMailer)
    await mailer.send("carol@example.com", "Your Aurex login code", "Your code is 123456\n")
    message = await smtp_server.wait_for_message_async(to="carol@example.com")
    assert message["Subject"] == "Your Aurex login code"
    assert message["From"] == "Aurex <no-reply@aurex.localhost>"
    assert "123456" in message.get_content()


async def test_maildir_is_the_default_and_keeps_each_message(tmp_path: Path) -> None:
    mailer = mailer_for("", tmp_path / "mail")
    assert isinstance(mailer, MaildirMailer)
    await mailer.send("dan@example.com", "First", "one")
    await mailer.send("dan@example.com", "Second", "two")
    box = mailbox.Maildir(tmp_path / "mail", create=False)
    assert sorted(m["Subject"] for m in box) == ["First", "Second"]
    assert len(list((tmp_path / "mail" / "new").iterdir())) == 2


async def test_unreachable_smtp_server_is_reported_as_mail_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        mailer = SmtpMailer(f"smtp://127.0.0.1:{port}")
        with pytest.raises(AuthError) as caught:
            await send_or_fail(mailer, "erin@example.com", "Code", "Your code is 000000")
    assert caught.value.code == AuthCode.MAIL_UNAVAILABLE


def test_smtp_url_must_name_a_host() -> None:
    with pytest.raises(ValueError, match="smtp://host:port"):
        SmtpMailer("http://example.com")
