"""Child servers for the gateway benchmarks: ``aurex serve`` (HTTP, gRPC and TCP, each
on a free port) and a bare uvicorn echo app (the baseline); the first administrator;
the login codes the server mails."""

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
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PASSWORD = "Str0ng!Passw0rd"

ECHO_APP = """
import sys
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()

@app.get("/healthz")
async def healthz() -> dict:
    return {"ok": True}

@app.post("/echo")
async def echo(request: Request) -> JSONResponse:
    return JSONResponse(await request.json(), status_code=201)

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


@dataclass(slots=True)
class ChildServer:
    """A server in a child process and the ports it listens on (0: not listening)."""

    process: subprocess.Popen[bytes]
    url: str
    data_dir: Path
    grpc_port: int = 0
    tcp_port: int = 0

    @property
    def grpc_target(self) -> str:
        """``host:port`` of the gRPC listener."""
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def tcp_address(self) -> tuple[str, int]:
        """``(host, port)`` of the binary TCP listener."""
        return "127.0.0.1", self.tcp_port

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def cpu_seconds(self) -> float:
        """User + system CPU time the child has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def cpu_wait_seconds(self) -> float:
        """Time the child's threads were runnable but waiting for a CPU (schedstat)."""
        waited = 0
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                waited += int((task / "schedstat").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue  # the thread ended meanwhile
        return waited / 1e9


def free_ports(count: int) -> list[int]:
    """``count`` distinct free TCP ports on the loopback (held open together while the
    kernel picks them, so no two are the same)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]


def free_port() -> int:
    return free_ports(1)[0]


def max_open_files() -> None:
    """Raise this process's open-file limit to the hard limit (1,000+ sockets)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextmanager
def _child(argv: list[str], env: dict[str, str], url: str, data_dir: Path) -> Iterator[ChildServer]:
    log = (data_dir / "server.log").open("ab")
    process = subprocess.Popen(
        argv, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=max_open_files
    )
    server = ChildServer(process, url, data_dir)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                tail = (data_dir / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{argv} exited:\n{tail}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{argv} did not answer within 60 s")
            time.sleep(0.1)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


UVLOOP_MAIN = "import sys, uvloop; uvloop.install(); from aurex.cli import main; sys.exit(main())"
"""``aurex`` on uvloop's event loop: the same command line, run under ``python -c``."""


@contextmanager
def start_aurex(data_dir: Path, *, uvloop: bool = False) -> Iterator[ChildServer]:
    """``aurex serve --no-console`` with fsync durability and room for many sockets,
    its HTTP, gRPC and TCP listeners each on a free port (``server.url``,
    ``server.grpc_target``, ``server.tcp_address``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    http_port, grpc_port, tcp_port = free_ports(3)
    env = aurex_env(data_dir) | {
        "AUREX_HTTP_PORT": str(http_port),
        "AUREX_GRPC_PORT": str(grpc_port),
        "AUREX_TCP_PORT": str(tcp_port),
        "AUREX_DURABILITY": "fsync",
        "AUREX_HTTP_MAX_CONNECTIONS": "5000",
        "AUREX_HTTP_MAX_CONNECTIONS_PER_IP": "5000",
        "AUREX_ORDERS_PER_USER_PER_SECOND": "1000000",  # measure capacity, not the throttle
    }
    argv = [sys.executable, "-c", UVLOOP_MAIN] if uvloop else [sys.executable, "-m", "aurex.cli"]
    argv += ["serve", "--no-console"]
    with _child(argv, env, f"http://127.0.0.1:{http_port}", data_dir) as server:
        server.grpc_port, server.tcp_port = grpc_port, tcp_port
        yield server


def aurex_env(data_dir: Path) -> dict[str, str]:
    """This environment with the data directory set and no listener port inherited (a
    developer's shell may export them; the benchmark picks its own)."""
    ports = ("AUREX_HTTP_PORT", "AUREX_GRPC_PORT", "AUREX_TCP_PORT")
    env = {k: v for k, v in os.environ.items() if k not in ports}
    return env | {"AUREX_DATA_DIR": str(data_dir)}


def create_admin(data_dir: Path, email: str) -> None:
    """An administrator, created the way an operator does before the first start:
    ``aurex admin create-user --role admin`` (the password on standard input)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "aurex.cli", "admin", "create-user", "--email", email]
    argv += ["--role", "admin", "--password-stdin"]
    subprocess.run(
        argv, env=aurex_env(data_dir), input=PASSWORD.encode(), check=True, capture_output=True
    )


@contextmanager
def start_echo(data_dir: Path) -> Iterator[ChildServer]:
    """The baseline: a bare FastAPI app under uvicorn answering POST /echo."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [sys.executable, "-c", ECHO_APP, str(port)]
    with _child(argv, dict(os.environ), f"http://127.0.0.1:{port}", data_dir) as server:
        yield server


def mailed_code(mail_dir: Path, address: str) -> str:
    """The newest login code mailed to ``address`` (the Maildir of the data dir)."""
    box = mailbox.Maildir(mail_dir, create=False)
    found = [
        m
        for m in box
        if isinstance(m, mailbox.MaildirMessage) and str(m["To"]).lower() == address.lower()
    ]
    found.sort(key=lambda m: m.get_date())
    for message in reversed(found):
        payload = message.get_payload(decode=True)
        if isinstance(payload, bytes) and (
            match := re.search(r"code is (\d{6})", payload.decode())
        ):
            return match.group(1)
    raise LookupError(f"no login code mailed to {address}")
