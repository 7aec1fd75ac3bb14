"""``aurex serve`` as a child process for tests that attack it over real sockets.

The child's output goes to a file so a test can measure how much it logged, and its
open-file limit can be lowered to a common deployment default (1024) so exhausting
descriptors takes a few thousand connections, not tens of thousands.
"""

from __future__ import annotations

import mailbox
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PASSWORD = "Str0ng!Passw0rd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(slots=True)
class ServeProcess:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    data_dir: Path
    log_path: Path

    def log_bytes(self) -> int:
        return self.log_path.stat().st_size

    def status(self, field: str) -> int:
        """A ``kB`` field of /proc/<pid>/status, in bytes (VmRSS, VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise KeyError(field)

    def open_files(self) -> int:
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def client(self, source: str = "127.0.0.1", timeout: float = 1.0) -> httpx.Client:
        """A client bound to ``source`` (any 127.x.y.z is this host's loopback)."""
        transport = httpx.HTTPTransport(local_address=source, verify=False)
        return httpx.Client(base_url=self.url, transport=transport, timeout=timeout)


@contextmanager
def serve(
    tmp_path: Path, env: dict[str, str] | None = None, open_files: int | None = 1024
) -> Iterator[ServeProcess]:
    """Run ``aurex serve --no-console`` until the block ends; wait until /healthz answers."""
    port = free_port()
    data_dir = tmp_path / "var"
    log_path = tmp_path / "serve.log"
    scheme = "https" if env and env.get("AUREX_TLS_CERT_FILE") else "http"
    child_env = os.environ | {
        "AUREX_DATA_DIR": str(data_dir),
        "AUREX_HTTP_PORT": str(port),
        "AUREX_SNAPSHOT_EVERY": "1000",
        **(env or {}),
    }

    def limit_files() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "aurex.cli", "serve", "--no-console"],
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limit_files,
        )
    server = ServeProcess(process, f"{scheme}://127.0.0.1:{port}", port, data_dir, log_path)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: ServeProcess) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"aurex serve exited: {server.log_path.read_text()[-3000:]}")
        try:
            with server.client(timeout=1.0) as client:
                if client.get("/healthz").status_code in (200, 503):
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("aurex serve did not answer /healthz within 60 s")


def latest_code(mail_dir: Path) -> str:
    box = mailbox.Maildir(mail_dir, create=False)
    bodies = [
        bytes(m.get_payload(decode=True)).decode() for m in sorted(box, key=lambda m: m.get_date())
    ]
    codes = [c for b in bodies for c in re.findall(r"code is (\d{6})", b)]
    assert codes, "no login code was mailed"
    return str(codes[-1])


def sign_up_and_log_in(client: httpx.Client, data_dir: Path, email: str) -> httpx.Response:
    """A new user through signup, login and the e-mailed code; the verify-2fa reply."""
    signup = client.post(
        "/api/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "firstName": "Sam",
            "lastName": "Slow",
            "country": "US",
        },
    )
    assert signup.status_code == 201, signup.text
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200 and login.json()["requiresTwoFactor"], login.text
    code = latest_code(data_dir / "mail")
    verified = client.post("/api/auth/verify-2fa", json={"email": email, "code": code})
    assert verified.status_code == 200, verified.text
    return verified
