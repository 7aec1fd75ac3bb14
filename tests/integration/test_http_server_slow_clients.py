"""One host cannot take the server offline (issue 9, finding 2).

A real ``aurex serve`` (its open-file limit at the common default of 1024) is
attacked over real sockets: thousands of connections from one address that send a
partial request and then nothing, or trickle a header byte at a time, reconnecting
whenever they are dropped. Meanwhile another address must still get answers from
/healthz, login and its account within a 1 s client timeout, and the server must
log next to nothing about it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .serve_process import PASSWORD, ServeProcess, serve, sign_up_and_log_in

ATTACKER = "127.0.0.2"
ATTACKERS = 2500
ATTACK_S = 14.0
PROBE_ROUNDS = 8
PARTIAL_REQUEST = (
    b"POST /api/auth/login HTTP/1.1\r\nHost: aurex\r\nContent-Type: application/json\r\n"
)


@dataclass(slots=True)
class AttackStats:
    connected: int = 0
    dropped: int = 0
    failed: int = 0


async def _slow_client(
    port: int, trickle: bool, stop: threading.Event, stats: AttackStats, source: str
) -> None:
    """Connect, send half a request, then wait (or trickle) until dropped; repeat."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=(source, 0)
            )
        except OSError:
            stats.failed += 1
            await asyncio.sleep(1.0)
            continue
        stats.connected += 1
        try:
            writer.write(PARTIAL_REQUEST)
            while not stop.is_set():
                try:
                    data = await asyncio.wait_for(reader.read(4096), 1.0)
                except TimeoutError:
                    if trickle:
                        writer.write(b"X")
                        await writer.drain()
                    continue
                if not data or reader.at_eof() or data.startswith(b"HTTP/1.1 503"):
                    stats.dropped += 1
                    break
        except OSError:
            stats.dropped += 1
        finally:
            writer.close()
        await asyncio.sleep(1.0)


def _attack(port: int, stop: threading.Event, stats: AttackStats, sources: list[str]) -> None:
    async def main() -> None:
        tasks = [
            asyncio.create_task(
                _slow_client(port, i % 2 == 0, stop, stats, sources[i % len(sources)])
            )
            for i in range(ATTACKERS)
        ]
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())


def _start_attack(
    server: ServeProcess, sources: list[str]
) -> tuple[threading.Thread, threading.Event, AttackStats]:
    stop = threading.Event()
    stats = AttackStats()
    thread = threading.Thread(target=_attack, args=(server.port, stop, stats, sources), daemon=True)
    thread.start()
    return thread, stop, stats


@pytest.fixture(autouse=True)
def _enough_files() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < ATTACKERS + 512:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, ATTACKERS + 1024), hard))


def test_slow_clients_from_one_address_do_not_starve_other_clients(tmp_path: Path) -> None:
    with serve(tmp_path) as server:
        with server.client(timeout=10.0) as setup:
            token = sign_up_and_log_in(setup, server.data_dir, "probe@example.com").json()[
                "sessionToken"
            ]
        log_before = server.log_bytes()
        thread, stop, stats = _start_attack(server, [ATTACKER])
        try:
            time.sleep(2.0)  # let the attackers open their connections
            with server.client(timeout=1.0) as probe:
                for _ in range(PROBE_ROUNDS):
                    assert probe.get("/healthz").status_code == 200
                    login = probe.post(
                        "/api/auth/login", json={"email": "probe@example.com", "password": PASSWORD}
                    )
                    assert login.status_code == 200, login.text
                    account = probe.get(
                        "/api/account", headers={"Authorization": f"Bearer {token}"}
                    )
                    assert account.status_code == 200, account.text
                    time.sleep(ATTACK_S / PROBE_ROUNDS)
        finally:
            stop.set()
            thread.join(timeout=30)
        assert stats.connected >= ATTACKERS, "the attack did not get going"
        assert server.process.poll() is None, "the server died"
        logged = server.log_bytes() - log_before
        assert logged < 16 * 1024, server.log_path.read_text()[-4000:]


def test_a_flood_from_many_addresses_is_refused_not_fatal(tmp_path: Path) -> None:
    """Over the total cap connections get 503 and are closed, never 'Too many open files';
    once the flood ends the server answers again."""
    sources = [f"127.0.1.{i}" for i in range(1, 61)]
    with serve(tmp_path) as server:
        log_before = server.log_bytes()
        thread, stop, stats = _start_attack(server, sources)
        try:
            time.sleep(ATTACK_S / 2)
        finally:
            stop.set()
            thread.join(timeout=30)
        assert stats.dropped > 0, "no connection was ever refused"
        with server.client(timeout=1.0) as probe:
            assert probe.get("/healthz").status_code == 200
        assert server.process.poll() is None
        logged = server.log_bytes() - log_before
        assert logged < 16 * 1024, server.log_path.read_text()[-4000:]
        assert b"Too many open files" not in server.log_path.read_bytes()
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: aurex\r\n\r\n")
            assert s.recv(100).startswith(b"HTTP/1.1 200")


def test_a_flood_of_garbage_requests_leaves_the_log_small(tmp_path: Path) -> None:
    """Every malformed request is worth a warning; thousands of them are not worth
    thousands of lines."""
    with serve(tmp_path) as server:
        log_before = server.log_bytes()
        for _ in range(3000):
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
                s.sendall(b"\x16\x03\x01 this is not HTTP\r\n\r\n")
                assert s.recv(100).startswith(b"HTTP/1.1 400")
        with server.client(timeout=1.0) as probe:
            assert probe.get("/healthz").status_code == 200
        log = server.log_path.read_text()[log_before:]
        assert "Invalid HTTP request received." in log
        assert "similar messages suppressed" in log or log.count("Invalid HTTP") <= 10
        assert server.log_bytes() - log_before < 16 * 1024, log[-4000:]
