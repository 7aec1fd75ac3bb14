"""Helpers of the WebSocket tests: a served platform, a JSON client and a client-side book.

``serving`` starts the whole platform through ``bootstrap`` on a free port (over a
real socket), optionally with its own ``/ws`` limits; ``WsClient`` speaks the
protocol with the ``websockets`` library; ``ClientBook`` is what a trading client
keeps: a snapshot with its seq, then deltas applied in seq order, a gap noticed.
"""

from __future__ import annotations

import asyncio
import json
import mailbox
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from aurex.bootstrap import Platform
from aurex.config import Durability, Settings
from aurex.core.commands import Deposit
from aurex.engine.local import LocalEngine
from aurex.engine.queries import GetDepth
from aurex.gateways import wire
from aurex.gateways.http import AppServices, create_app
from aurex.gateways.http.server import HttpServer
from aurex.gateways.http.ws_hub import Hub
from aurex.gateways.http.ws_protocol import WsOptions

PASSWORD = "Str0ng!Passw0rd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    platform: Platform
    http_url: str
    ws_url: str
    hub: Hub
    mail_dir: Path

    @property
    def engine(self) -> LocalEngine:
        return self.platform.engine

    async def connect(self, source: str = "127.0.0.1", **kwargs: Any) -> WsClient:
        """A client from ``source`` (any 127.x.y.z: the server caps connections per address)."""
        conn = await connect(self.ws_url, local_addr=(source, 0), **kwargs)
        return WsClient(conn)

    async def depth(self, symbol: str) -> dict[str, Any]:
        snapshot = await self.engine.query(GetDepth(symbol, None))
        assert snapshot is not None
        return wire.depth(snapshot)

    async def fund(self, account: str, symbols: list[str]) -> None:
        await self.engine.submit(Deposit(account=account, cash_cents=10**12))
        for symbol in symbols:
            await self.engine.submit(Deposit(account=account, symbol=symbol, shares=10**7))

    async def user(self, email: str) -> tuple[str, str]:
        """Sign up and log in (e-mailed code) over HTTP; returns (user id, access token)."""
        async with httpx.AsyncClient(base_url=self.http_url) as client:
            body = {
                "email": email,
                "password": PASSWORD,
                "firstName": "Ada",
                "lastName": "Lovelace",
                "country": "GB",
            }
            signed = await client.post("/api/auth/signup", json=body)
            assert signed.status_code == 201, signed.text
            started = await client.post(
                "/api/auth/login", json={"email": email, "password": PASSWORD}
            )
            assert started.json()["requiresTwoFactor"] is True, started.text
            code = _latest_code(self.mail_dir, email)
            verified = await client.post(
                "/api/auth/verify-2fa", json={"email": email, "code": code}
            )
            assert verified.status_code == 200, verified.text
            return str(signed.json()["userId"]), str(verified.json()["sessionToken"])


def _latest_code(mail_dir: Path, email: str) -> str:
    box = mailbox.Maildir(mail_dir, create=False)
    mails = sorted((m for m in box if str(m["To"]) == email), key=lambda m: m.get_date())
    codes = [c for m in mails for c in re.findall(r"code is (\d{6})", _body(m))]
    assert codes, f"no login code mailed to {email}"
    return codes[-1]


def _body(message: mailbox.MaildirMessage) -> str:
    payload = message.get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else ""


@asynccontextmanager
async def serving(tmp_path: Path, websocket: WsOptions | None = None) -> AsyncIterator[Served]:
    """The platform as ``aurex serve`` runs it; with ``websocket``, ``/ws`` has those limits."""
    settings = Settings(
        data_dir=tmp_path / "var",
        http_port=free_port(),
        durability=Durability.NONE,
        http_max_connections_per_ip=1000,
    )
    platform = Platform(settings)
    server: HttpServer | None = None
    await platform.start(serve_http=websocket is None)
    try:
        app = platform.app
        if websocket is not None:
            app = create_app(
                AppServices(auth=platform.auth, engine=platform.engine, websocket=websocket)
            )
            server = HttpServer(app, settings.host, settings.http_port)
            await server.start()
        http_url = f"http://{settings.host}:{settings.http_port}"
        yield Served(
            platform,
            http_url,
            http_url.replace("http://", "ws://") + "/ws",
            app.state.ws_hub,
            settings.mail_dir,
        )
    finally:
        if server is not None:
            await server.stop()
        await platform.stop()


class WsClient:
    """JSON over one WebSocket connection."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn

    async def send(self, **message: Any) -> None:
        await self.conn.send(json.dumps(message))

    async def send_text(self, text: str) -> None:
        await self.conn.send(text)

    async def recv(self) -> dict[str, Any]:
        message = json.loads(await self.conn.recv())
        assert isinstance(message, dict)
        return message

    async def next(self, kind: str) -> dict[str, Any]:
        """The next message of type ``kind``, skipping others (market data, heartbeats)."""
        while True:
            message = await self.recv()
            if message["type"] == kind:
                return message

    async def request(self, **message: Any) -> dict[str, Any]:
        """Send ``message`` and return the reply with its ``id`` (ack or error)."""
        await self.send(**message)
        while True:
            reply = await self.recv()
            if "id" in reply and reply["id"] == message.get("id"):
                return reply

    async def close(self) -> None:
        await self.conn.close()


@dataclass
class ClientBook:
    """One symbol's book as a client rebuilds it: snapshot, then deltas in seq order."""

    symbol: str
    seq: int = -1
    bids: dict[str, int] = field(default_factory=dict)
    asks: dict[str, int] = field(default_factory=dict)
    stale: bool = True
    gaps: int = 0

    def on_snapshot(self, message: dict[str, Any]) -> None:
        self.seq = message["seq"]
        self.bids = {level["price"]: level["quantity"] for level in message["bids"]}
        self.asks = {level["price"]: level["quantity"] for level in message["asks"]}
        self.stale = False

    def on_delta(self, message: dict[str, Any]) -> bool:
        """Apply the changes; False (and stale until a new snapshot) on a seq gap."""
        if self.stale:
            return True
        for change in message["changes"]:
            if change["seq"] != self.seq + 1:
                self.gaps += 1
                self.stale = True
                return False
            self.seq = change["seq"]
            side = self.bids if change["side"] == "buy" else self.asks
            if change["quantity"]:
                side[change["price"]] = change["quantity"]
            else:
                side.pop(change["price"], None)
        return True

    def as_depth(self) -> dict[str, Any]:
        """The book in ``wire.depth`` shape, best levels first."""

        def levels(side: dict[str, int], best_high: bool) -> list[dict[str, Any]]:
            ordered = sorted(
                side.items(), key=lambda kv: wire.parse_price(kv[0]), reverse=best_high
            )
            return [{"price": p, "quantity": q} for p, q in ordered]

        return {
            "symbol": self.symbol,
            "seq": self.seq,
            "bids": levels(self.bids, True),
            "asks": levels(self.asks, False),
        }


async def settle(condition: Any, what: str, rounds: int = 20_000) -> None:
    """Yield to the loop until ``condition()`` holds (bounded, so a bug fails, not hangs)."""
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"never happened: {what}")
