"""A client of Aurex's binary TCP protocol written only from docs/protocol.md.

It imports nothing from Aurex: ``struct`` for the layouts and ``asyncio`` for the
socket. Requests are pipelined; answers are matched to requests by request id, and
everything else the server pushes (market data, order updates, heartbeats, errors
without a request id) is queued in ``pushed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import ssl
import struct
from dataclasses import dataclass, field
from typing import Any

# Message types (docs/protocol.md, "Message types").
ORDER_SUBMIT, ORDER_STATUS_QUERY, MARKET_DATA_SUBSCRIBE = 0x01, 0x02, 0x03
ORDER_CANCEL, ORDER_AMEND, LOGIN, LOGOUT, HEARTBEAT = 0x04, 0x05, 0x06, 0x07, 0x08
MARKET_DATA_UNSUBSCRIBE = 0x09
ORDER_RESPONSE, ORDER_STATUS, MARKET_DATA_UPDATE = 0x10, 0x11, 0x12
LOGIN_RESPONSE, ACK, SERVER_HEARTBEAT, ERROR = 0x13, 0x14, 0x18, 0x1F

BUY, SELL = 0, 1
MARKET, LIMIT, STOP, STOP_LIMIT = 0, 1, 2, 3
GTC, DAY, IOC, FOK, TIF_DEFAULT = 0, 1, 2, 3, 0xFF
TICKER, TRADES, BOOK = 1, 2, 4
STATUS_NAMES = ["new", "partially_filled", "filled", "cancelled", "expired", "pending", "rejected"]

HEADER = struct.Struct("<IB")
SUBMIT = struct.Struct("<QBBBBBqqq")
ORDER = struct.Struct("<QBBQBBBBBqqqqqqHQQQ")
LOGIN_ANSWER = struct.Struct("<QIII")
ERROR_HEAD = struct.Struct("<QBHB")
TICKER_BODY = struct.Struct("<BqqqqqqqqqqqBQ")
TRADE_BODY = struct.Struct("<BQqqBQQ")
LEVEL_BODY = struct.Struct("<BQBqq")
SNAPSHOT_HEAD = struct.Struct("<BQHH")


def str8(text: str) -> bytes:
    data = text.encode()
    return bytes([len(data)]) + data


def str16(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<H", len(data)) + data


def read_str(data: bytes, offset: int, prefix: int) -> tuple[str, int]:
    size = data[offset] if prefix == 1 else struct.unpack_from("<H", data, offset)[0]
    start = offset + prefix
    return data[start : start + size].decode(), start + size


def frame(msg_type: int, payload: bytes) -> bytes:
    return HEADER.pack(len(payload) + 1, msg_type) + payload


class ServerError(Exception):
    def __init__(self, code: int, message: str, fatal: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.fatal = code, message, fatal


def parse(msg_type: int, body: bytes) -> dict[str, Any]:
    """One server message as a dict (``type`` is its name)."""
    if msg_type in (ORDER_RESPONSE, ORDER_STATUS):
        names = [
            "request_id",
            "answers",
            "flags",
            "order_id",
            "side",
            "order_type",
            "tif",
            "status",
            "post_only",
            "quantity",
            "price_ticks",
            "stop_price_ticks",
            "filled",
            "leaves",
            "filled_cost_cents",
            "cancel_reason",
            "created_ts_ns",
            "updated_ts_ns",
            "seq",
        ]
        out = dict(zip(names, ORDER.unpack_from(body), strict=True))
        out["symbol"], offset = read_str(body, ORDER.size, 1)
        out["client_order_id"], _ = read_str(body, offset, 1)
        out["status_name"] = STATUS_NAMES[out["status"]]
        out["type"] = "order_response" if msg_type == ORDER_RESPONSE else "order_status"
        return out
    if msg_type == LOGIN_RESPONSE:
        request_id, heartbeat_ms, idle_ms, max_frame = LOGIN_ANSWER.unpack_from(body)
        user_id, _ = read_str(body, LOGIN_ANSWER.size, 1)
        return {
            "type": "login_response",
            "request_id": request_id,
            "heartbeat_ms": heartbeat_ms,
            "idle_timeout_ms": idle_ms,
            "max_frame": max_frame,
            "user_id": user_id,
        }
    if msg_type == ACK:
        request_id, answers = struct.unpack_from("<QB", body)
        return {"type": "ack", "request_id": request_id, "answers": answers}
    if msg_type == SERVER_HEARTBEAT:
        return {"type": "heartbeat", "timestamp_ns": struct.unpack_from("<Q", body)[0]}
    if msg_type == ERROR:
        request_id, answers, code, fatal = ERROR_HEAD.unpack_from(body)
        message, _ = read_str(body, ERROR_HEAD.size, 2)
        return {
            "type": "error",
            "request_id": request_id,
            "answers": answers,
            "code": code,
            "fatal": bool(fatal),
            "message": message,
        }
    if msg_type == MARKET_DATA_UPDATE:
        return parse_market_data(body)
    return {"type": f"unknown 0x{msg_type:02x}"}


def parse_market_data(body: bytes) -> dict[str, Any]:
    kind = body[0]
    if kind == 1:
        names = [
            "kind",
            "last_price_ticks",
            "last_qty",
            "bid_price_ticks",
            "bid_qty",
            "ask_price_ticks",
            "ask_qty",
            "open_ticks",
            "high_ticks",
            "low_ticks",
            "prev_close_ticks",
            "volume",
            "halted",
            "ts_ns",
        ]
        out = dict(zip(names, TICKER_BODY.unpack_from(body), strict=True))
        out["symbol"], _ = read_str(body, TICKER_BODY.size, 1)
        out["type"] = "ticker"
        return out
    if kind == 2:
        names = ["kind", "trade_id", "price_ticks", "quantity", "aggressor", "ts_ns", "seq"]
        out = dict(zip(names, TRADE_BODY.unpack_from(body), strict=True))
        out["symbol"], _ = read_str(body, TRADE_BODY.size, 1)
        out["type"] = "trade"
        return out
    if kind == 3:
        _, seq, side, price, quantity = LEVEL_BODY.unpack_from(body)
        symbol, _ = read_str(body, LEVEL_BODY.size, 1)
        return {
            "type": "book_level",
            "seq": seq,
            "side": side,
            "price_ticks": price,
            "quantity": quantity,
            "symbol": symbol,
        }
    _, seq, n_bids, n_asks = SNAPSHOT_HEAD.unpack_from(body)
    symbol, offset = read_str(body, SNAPSHOT_HEAD.size, 1)
    levels = [struct.unpack_from("<qq", body, offset + 16 * i) for i in range(n_bids + n_asks)]
    return {
        "type": "book_snapshot",
        "seq": seq,
        "symbol": symbol,
        "bids": levels[:n_bids],
        "asks": levels[n_bids:],
    }


@dataclass
class ReferenceClient:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    pushed: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    waiting: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    task: asyncio.Task[None] | None = None

    @classmethod
    async def connect(
        cls, host: str, port: int, tls: ssl.SSLContext | None = None
    ) -> ReferenceClient:
        reader, writer = await asyncio.open_connection(host, port, ssl=tls)
        client = cls(reader, writer)
        client.task = asyncio.create_task(client._read_loop())
        return client

    async def close(self) -> None:
        self.writer.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await self.task

    async def _read_loop(self) -> None:
        try:
            while True:
                length, msg_type = HEADER.unpack(await self.reader.readexactly(5))
                message = parse(msg_type, await self.reader.readexactly(length - 1))
                request_id = message.get("request_id", 0)
                future = self.waiting.pop(request_id, None) if request_id else None
                if future is not None and not future.done():
                    future.set_result(message)
                else:
                    await self.pushed.put(message)
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.pushed.put({"type": "closed"})
            for future in self.waiting.values():
                if not future.done():
                    future.set_exception(ConnectionError("connection closed"))

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)

    def request(self, msg_type: int, payload_after_id: bytes) -> asyncio.Future[dict[str, Any]]:
        """Send a request (its id is prepended); the future resolves with its answer."""
        request_id = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[request_id] = future
        self.writer.write(frame(msg_type, struct.pack("<Q", request_id) + payload_after_id))
        return future

    async def call(self, msg_type: int, payload_after_id: bytes) -> dict[str, Any]:
        answer = await asyncio.wait_for(self.request(msg_type, payload_after_id), 10)
        if answer["type"] == "error":
            raise ServerError(answer["code"], answer["message"], answer["fatal"])
        return answer

    # -- the protocol's requests ------------------------------------------------------

    async def login(self, access: str, trading: str, flags: int = 0) -> dict[str, Any]:
        return await self.call(LOGIN, bytes([flags]) + str16(access) + str16(trading))

    def submit_payload(
        self,
        symbol: str,
        side: int,
        quantity: int,
        price_ticks: int = 0,
        *,
        order_type: int = LIMIT,
        tif: int = TIF_DEFAULT,
        client_order_id: str = "",
        stop_price_ticks: int = 0,
        post_only: bool = False,
    ) -> bytes:
        fixed = SUBMIT.pack(
            0, side, order_type, tif, int(post_only), 0, quantity, price_ticks, stop_price_ticks
        )
        return fixed[8:] + str8(symbol) + str8(client_order_id or f"ref-{next(self.ids)}")

    async def submit(
        self, symbol: str, side: int, quantity: int, price_ticks: int = 0, **kw: Any
    ) -> dict[str, Any]:
        payload = self.submit_payload(symbol, side, quantity, price_ticks, **kw)
        return await self.call(ORDER_SUBMIT, payload)

    async def status(self, order_id: int = 0, client_order_id: str = "") -> dict[str, Any]:
        return await self.call(
            ORDER_STATUS_QUERY, struct.pack("<Q", order_id) + str8(client_order_id)
        )

    async def cancel(self, order_id: int = 0, client_order_id: str = "") -> dict[str, Any]:
        return await self.call(ORDER_CANCEL, struct.pack("<Q", order_id) + str8(client_order_id))

    async def amend(self, order_id: int, quantity: int = 0, price_ticks: int = 0) -> dict[str, Any]:
        return await self.call(ORDER_AMEND, struct.pack("<Qqq", order_id, quantity, price_ticks))

    async def subscribe(self, channels: int, symbol: str = "") -> dict[str, Any]:
        return await self.call(MARKET_DATA_SUBSCRIBE, bytes([channels]) + str8(symbol))

    async def unsubscribe(self, channels: int, symbol: str = "") -> dict[str, Any]:
        return await self.call(MARKET_DATA_UNSUBSCRIBE, bytes([channels]) + str8(symbol))

    def heartbeat(self) -> None:
        self.writer.write(frame(HEARTBEAT, struct.pack("<Q", 0)))

    async def logout(self) -> dict[str, Any]:
        return await self.call(LOGOUT, b"")

    async def next_pushed(self, kind: str, timeout: float = 10.0) -> dict[str, Any]:
        """The next pushed message of type ``kind`` (others are dropped)."""

        async def find() -> dict[str, Any]:
            while True:
                message = await self.pushed.get()
                if message["type"] == kind:
                    return message
                if message["type"] == "closed":
                    raise ConnectionError("connection closed")

        return await asyncio.wait_for(find(), timeout)
