"""SIGTERM while orders pour in over REST: ``aurex serve`` stops taking orders, drains,
writes a final snapshot and exits within its 5-second budget; every acknowledged
order is there after a restart, and the journal replays to the snapshot's state."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import websockets

from .ops_support import User, new_user, place
from .serve_process import free_port, serve

SHUTDOWN_BUDGET_S = 5.0
"""Issue #11: 'SIGTERM during load: exit within 5 seconds' (the default
AUREX_SHUTDOWN_TIMEOUT_S)."""


def env() -> dict[str, str]:
    return {
        "AUREX_GRPC_PORT": str(free_port()),
        "AUREX_TCP_PORT": str(free_port()),
        "AUREX_SNAPSHOT_EVERY": "1000000",  # the only snapshot is the one taken at the stop
        "AUREX_LOG_REQUESTS": "none",
    }


def replay(data_dir: Path) -> tuple[str, list[tuple[int, str]], int]:
    """``aurex replay``: (state hash, [(snapshot seq, verdict)], last seq)."""
    done = subprocess.run(
        [sys.executable, "-m", "aurex.cli", "replay", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    text = done.stdout
    state_hash = re.search(r"state hash\s+(\S+)", text)
    last_seq = re.search(r"seq \d+\.\.(\d+)", text)
    assert state_hash and last_seq, text
    checks = [(int(s), v) for s, v in re.findall(r"seq (\d+) (ok|MISMATCH)", text)]
    return state_hash.group(1), checks, int(last_seq.group(1))


class Load:
    """Threads placing resting buy orders on keep-alive connections until refused."""

    def __init__(self, url: str, users: list[User], per_user: int) -> None:
        self.url = url
        self.acknowledged: list[int] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(user,), daemon=True)
            for user in users
            for _ in range(per_user)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=30)

    def _run(self, user: User) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            while True:
                try:
                    response = place(client, user, price="200.00")
                except httpx.HTTPError as exc:  # the server closed the connection
                    with self._lock:
                        self.errors.append(type(exc).__name__)
                    return
                if response.status_code != 201:  # e.g. 503 engine unavailable
                    with self._lock:
                        self.errors.append(str(response.status_code))
                    return
                with self._lock:
                    self.acknowledged.append(int(response.json()["order"]["orderId"]))


def test_sigterm_under_load_exits_in_time_and_loses_no_acknowledged_order(
    tmp_path: Path,
) -> None:
    settings = env()
    with serve(tmp_path, settings) as server:
        mail_dir = server.data_dir / "mail"
        with httpx.Client(base_url=server.url, timeout=10) as client:
            users = [new_user(client, mail_dir, f"load{i}@example.com") for i in range(2)]
        load = Load(server.url, users, per_user=3)
        load.start()
        while len(load.acknowledged) < 150 and not load.errors:
            time.sleep(0.05)
        assert not load.errors, load.errors
        server.process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        server.process.wait(timeout=30)
        took = time.monotonic() - signalled
        load.join()
        log = server.log_path.read_text()
        assert server.process.returncode == 0, log[-3000:]
    assert took < SHUTDOWN_BUDGET_S, f"stopping took {took:.1f} s"
    assert load.errors, "the load should have been cut off by the stop"
    acknowledged = set(load.acknowledged)

    state_hash, checks, last_seq = replay(server.data_dir)
    assert checks and all(verdict == "ok" for _, verdict in checks), checks
    assert checks[-1][0] == last_seq, "the final snapshot covers every journalled command"

    # Restart on the same data: every acknowledged order is there, open.
    with serve(tmp_path, settings) as again:
        with httpx.Client(base_url=again.url, timeout=10) as client:
            found: set[int] = set()
            for i, user in enumerate(users):
                relogged = _log_in_again(client, again.data_dir / "mail", f"load{i}@example.com")
                assert relogged.user_id == user.user_id
                found |= _open_order_ids(client, relogged)
        assert acknowledged <= found, sorted(acknowledged - found)[:10]
    assert replay(again.data_dir)[0] == state_hash


def _log_in_again(client: httpx.Client, mail_dir: Path, email: str) -> User:
    from .serve_process import PASSWORD, latest_code

    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    verified = client.post(
        "/api/auth/verify-2fa", json={"email": email, "code": latest_code(mail_dir)}
    )
    assert verified.status_code == 200, verified.text
    tokens = verified.json()
    me = client.get("/api/account", headers={"Authorization": f"Bearer {tokens['sessionToken']}"})
    assert me.status_code == 200, me.text
    account = me.json()
    user_id = str(account["userId"])
    return User(user_id, tokens["sessionToken"], tokens["tradingToken"])


def _open_order_ids(client: httpx.Client, user: User) -> set[int]:
    ids: set[int] = set()
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"status": "open", "limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/trading/orders", params=params, headers=user.headers)
        assert page.status_code == 200, page.text
        body = page.json()
        ids |= {int(o["orderId"]) for o in body["orders"]}
        cursor = body.get("nextCursor")
        if not cursor:
            return ids


async def test_websocket_clients_are_told_why_the_connection_closes(tmp_path: Path) -> None:
    from aurex.bootstrap import Platform
    from aurex.config import Settings

    platform = Platform(
        Settings(
            data_dir=tmp_path / "var",
            http_port=free_port(),
            grpc_port=free_port(),
            tcp_port=free_port(),
        )
    )
    await platform.start()
    stopped = False
    try:
        url = platform.http_url.replace("http", "ws", 1) + "/ws"
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"op": "subscribe", "channel": "ticker", "id": 1}))
            while json.loads(await ws.recv()).get("type") != "subscribed":
                pass
            await platform.stop()
            stopped = True
            with pytest.raises(websockets.ConnectionClosed):
                while True:
                    await ws.recv()
            assert ws.close_code == 1001
            assert ws.close_reason == "server shutting down"
    finally:
        if not stopped:
            await platform.stop()
