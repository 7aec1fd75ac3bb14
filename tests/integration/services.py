"""Throwaway real servers for integration tests: PostgreSQL, Redis and SMTP.

Each server is started from the binaries installed on this machine, on a free port,
with its files in a fresh temporary directory, and is stopped (and the directory
removed) afterwards. The system-wide PostgreSQL/Redis on default ports are never used.

Fixtures (session-scoped, defined in ``tests/integration/conftest.py``):

- ``postgres_server`` -> :class:`PostgresServer`; ``.create_database()`` gives a fresh,
  empty database URL for tests that need isolation.
- ``postgres_url``    -> ``postgresql+asyncpg://postgres@127.0.0.1:<port>/aurex``
  (one shared database for the whole session).
- ``redis_url``       -> ``redis://127.0.0.1:<port>/0``.
- ``smtp_server``     -> :class:`SmtpServer` with ``host``, ``port``, ``url``
  (``smtp://host:port``), ``messages`` (delivered mail as ``EmailMessage``),
  ``messages_to(addr)``, ``wait_for_message(to=...)`` (blocking) or
  ``await wait_for_message_async(to=...)``, and ``clear()``.

When a binary is missing, the fixture skips the test with a message saying what is
missing; with ``AUREX_REQUIRE_SERVICES=1`` (set by ``.ci/run``) it fails instead.
PostgreSQL refuses to run as root: when the tests run as root, ``initdb``/``pg_ctl``
run as the ``postgres`` user through ``runuser`` in a directory owned by that user.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import glob
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

STARTUP_TIMEOUT_S = 60.0


class ServiceUnavailable(RuntimeError):
    """A server cannot be started here (binary or system user missing)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_binary(name: str, extra_globs: Sequence[str] = ()) -> str:
    """Path of an executable from PATH or the given glob patterns (newest version first)."""
    found = shutil.which(name)
    if found:
        return found
    for pattern in extra_globs:
        for candidate in sorted(glob.glob(pattern), reverse=True):
            path = os.path.join(candidate, name)
            if os.access(path, os.X_OK):
                return path
    raise ServiceUnavailable(f"{name} not found on PATH or in {', '.join(extra_globs) or '-'}")


def _wait_for_port(port: int, is_alive: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if not is_alive():
            raise RuntimeError(f"{what} exited during start-up")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not accept connections on port {port}")


class PostgresServer:
    """A private PostgreSQL cluster (initdb + pg_ctl), trust auth, TCP on 127.0.0.1."""

    PG_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin")

    def __init__(self) -> None:
        self.initdb = find_binary("initdb", self.PG_GLOBS)
        self.pg_ctl = find_binary("pg_ctl", self.PG_GLOBS)
        # createdb is often not on PATH even when pg_ctl is (a symlink into the bin dir).
        sibling = os.path.join(os.path.dirname(os.path.realpath(self.pg_ctl)), "createdb")
        self.createdb = sibling if os.access(sibling, os.X_OK) else ""
        self.createdb = self.createdb or find_binary("createdb", self.PG_GLOBS)
        self._prefix: list[str] = []
        self._owner: tuple[int, int] | None = None
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ServiceUnavailable("running as root and no 'postgres' user exists") from exc
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ServiceUnavailable("running as root and runuser is not installed")
            self._prefix = [runuser, "-u", "postgres", "--"]
            self._owner = (entry.pw_uid, entry.pw_gid)
        self.port = 0
        self.root = Path()
        self.user = "postgres"

    def _run(self, args: list[str]) -> None:
        result = subprocess.run(
            [*self._prefix, *args], capture_output=True, text=True, cwd=self.root, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}\n{result.stderr}")

    def start(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="aurex-pg-"))
        if self._owner is not None:
            os.chown(self.root, *self._owner)
        data, sockets = self.root / "data", self.root / "sock"
        self._run(["mkdir", str(sockets)])
        self._run(
            [self.initdb, "-D", str(data), "-U", self.user, "-A", "trust", "-E", "UTF8",
             "--locale=C", "--no-sync"]
        )  # fmt: skip
        self.port = free_port()
        options = (
            f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = self.root / "server.log"
        self._run([self.pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"])
        self.create_database("aurex")

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its SQLAlchemy asyncpg URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        self._run([self.createdb, "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name])
        return self.url(name)

    def url(self, database: str = "aurex") -> str:
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.port:
            with contextlib.suppress(RuntimeError):
                self._run([self.pg_ctl, "-D", str(self.root / "data"), "-m", "immediate", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """A private redis-server with persistence off."""

    def __init__(self) -> None:
        self.binary = find_binary("redis-server")
        self.port = 0
        self.root = Path()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="aurex-redis-"))
        self.port = free_port()
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.root), "--daemonize", "no"]  # fmt: skip
        log = open(self.root / "redis.log", "wb")  # noqa: SIM115 - lives as long as the server
        self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        proc = self._proc
        _wait_for_port(self.port, lambda: proc.poll() is None, "redis-server")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


class _CaptureHandler:
    """aiosmtpd handler that keeps every delivered message."""

    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self._server._deliver(parsed, list(envelope.rcpt_tos))
        return "250 OK"


class SmtpServer:
    """An aiosmtpd server in a background thread capturing delivered mail."""

    def __init__(self) -> None:
        try:
            from aiosmtpd.controller import Controller
        except ImportError as exc:
            raise ServiceUnavailable("aiosmtpd is not installed (pip install -e '.[dev]')") from exc
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._cond = threading.Condition(threading.RLock())
        self._controller = Controller(_CaptureHandler(self), hostname=self.host, port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def _deliver(self, message: EmailMessage, rcpt_tos: list[str]) -> None:
        with self._cond:
            self.messages.append(message)
            self.recipients.append(rcpt_tos)
            self._cond.notify_all()

    def start(self) -> None:
        # aiosmtpd logs every connection from its own thread at INFO; after a test has
        # pointed logging at a (since closed) captured stream, that is only noise.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def clear(self) -> None:
        with self._cond:
            self.messages.clear()
            self.recipients.clear()

    def messages_to(self, address: str) -> list[EmailMessage]:
        """Delivered messages whose envelope recipients include ``address``."""
        with self._cond:
            return [
                m
                for m, rcpts in zip(self.messages, self.recipients, strict=True)
                if address.lower() in (r.lower() for r in rcpts)
            ]

    def wait_for_message(self, to: str, count: int = 1, timeout_s: float = 10.0) -> EmailMessage:
        """Block until ``count`` messages to ``to`` have arrived; return the newest.

        The timeout only bounds a hang when mail never arrives; it is not a speed check.
        """
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                found = self.messages_to(to)
                if len(found) >= count:
                    return found[-1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no mail to {to} arrived")
                self._cond.wait(remaining)

    async def wait_for_message_async(
        self, to: str, count: int = 1, timeout_s: float = 10.0
    ) -> EmailMessage:
        """Like :meth:`wait_for_message` without blocking the caller's event loop."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.messages_to(to)
            if len(found) >= count:
                return found[-1]
            if time.monotonic() > deadline:
                raise TimeoutError(f"no mail to {to} arrived")
            await asyncio.sleep(0.02)
