"""``aurex serve`` as a child process for the browser tests, restartable in place.

Each server gets a temporary data directory and free ports; e-mailed codes are read
from its Maildir (``$AUREX_DATA_DIR/mail/new``).
"""

from __future__ import annotations

import mailbox
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
AUREX = ROOT / ".venv" / "bin" / "aurex"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One ``aurex serve --no-console`` (or ``aurex demo``): started, stopped and started
    again on the same data directory and port (a restart the browser has to live through).

    ``ready_text``, when given, is a line of the command's output that must appear
    (after ``/healthz`` answers) before the server counts as started.
    """

    def __init__(
        self,
        data_dir: Path,
        log_path: Path,
        env: dict[str, str] | None = None,
        command: str = "serve",
        ready_text: str | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.command = command
        self.ready_text = ready_text
        self._output_from = 0
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {
            "AUREX_DATA_DIR": str(data_dir),
            "AUREX_HTTP_PORT": str(self.port),
            "AUREX_GRPC_PORT": str(free_port()),
            "AUREX_TCP_PORT": str(free_port()),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        executable = str(AUREX) if AUREX.exists() else "aurex"
        self._output_from = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [executable, self.command, "--no-console"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"aurex {self.command} exited: {self.output()[-3000:]}")
            if self._ready():
                return
            time.sleep(0.1)
        raise RuntimeError(
            f"aurex {self.command} was not ready within 60 s: {self.output()[-3000:]}"
        )

    def _ready(self) -> bool:
        try:
            if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code != 200:
                return False
        except httpx.HTTPError:
            return False
        return self.ready_text is None or self.ready_text in self.output()

    def output(self) -> str:
        """What the command printed since its latest start."""
        with self.log_path.open("rb") as log:
            log.seek(self._output_from)
            return log.read().decode(errors="replace")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> int | None:
        """Stops the server with ``sig`` (killed after 30 s); its exit status."""
        if self.process is None:
            return None
        self.process.send_signal(sig)
        try:
            status = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        self.process = None
        return status

    def restart(self) -> None:
        self.stop()
        self.start()

    def mailed_code(self, to: str, after: int = 0) -> str:
        """The newest 6-digit code mailed to ``to``, waiting for the ``after+1``-th mail."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            codes = self._codes(to)
            if len(codes) > after:
                return codes[-1]
            time.sleep(0.1)
        raise AssertionError(f"no code was mailed to {to}")

    def mail_count(self, to: str) -> int:
        return len(self._codes(to))

    def _codes(self, to: str) -> list[str]:
        mail_dir = self.data_dir / "mail"
        if not (mail_dir / "new").exists():
            return []
        box = mailbox.Maildir(mail_dir, create=False)
        messages = sorted(
            (m for m in box if to.lower() in str(m.get("To", "")).lower()),
            key=lambda m: m.get_date(),
        )
        codes: list[str] = []
        for message in messages:
            for part in message.walk():
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    codes += re.findall(r"code is (\d{6})", payload.decode(errors="replace"))
        return codes


def deposit_shares(server: Server, account: str, symbol: str, shares: int) -> None:
    """The operator's way to give a user shares today (there is no API for it): with
    the server stopped, through the composition root on its data directory."""
    import asyncio

    from aurex.bootstrap import Platform
    from aurex.config import Settings
    from aurex.core.commands import Deposit

    async def run() -> None:
        platform = Platform(Settings(data_dir=server.data_dir))
        await platform.start(serve_http=False)
        try:
            outcome = await platform.engine.submit(
                Deposit(account=account, symbol=symbol, shares=shares)
            )
            assert outcome.rejection is None, outcome.rejection
        finally:
            await platform.stop()

    server.stop()
    # Playwright's sync API keeps an event loop in this thread: run ours in another.
    errors: list[BaseException] = []

    def in_thread() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    server.start()
