"""The WebSocket protocol's vocabulary: limits, client requests and server messages.

Client messages are JSON objects with an ``op``; :func:`parse_request` turns one
text frame into a :class:`Request` or raises :class:`ProtocolError` with the
precise :class:`GatewayCode` and a message saying what to fix. Server messages are
built here as dicts of ``aurex.gateways.wire`` shapes and encoded once with
:func:`encode`, so every subscriber receives the very same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from aurex.gateways.codes import GatewayCode
from aurex.marketdata import INTERVALS

CHANNELS = ("ticker", "book", "trades", "candles", "index", "orders")
SYMBOL_REQUIRED = frozenset({"book", "trades", "candles"})
SYMBOL_OPTIONAL = frozenset({"ticker"})
OPS = ("auth", "ping", "subscribe", "unsubscribe")
MAX_SYMBOL_LENGTH = 16

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


@dataclass(frozen=True, slots=True)
class WsOptions:
    """Limits and timings of ``/ws``; the defaults are what ``aurex serve`` uses."""

    heartbeat_s: float = 10.0
    """A ``heartbeat`` message goes to every client this often."""
    queue_limit: int = 1024
    """Messages waiting for one client before it counts as a slow consumer."""
    max_message_bytes: int = 4096
    """Largest client message handled; larger ones get error 2002."""
    max_subscriptions: int = 50
    """Subscriptions per connection (``ticker`` for all symbols counts as one)."""
    close_grace_s: float = 30.0
    """How long a slow consumer's last messages and close frame may take to leave."""
    reauth_interval_s: float = 60.0
    """How often a logged-in connection's access token is checked again."""
    feed_size: int = 65_536
    """Engine updates the hub may fall behind by before it must drop every client."""


class ProtocolError(Exception):
    """A client message the gateway refuses; the connection stays open."""

    def __init__(self, code: int, message: str, request_id: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id


@dataclass(frozen=True, slots=True)
class Request:
    """One validated client message. ``key`` names the subscription it is about."""

    op: str
    request_id: Any = None
    channel: str = ""
    symbol: str = ""
    interval: str = ""
    token: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.channel, self.symbol, self.interval)


def encode(message: dict[str, Any]) -> str:
    """One server message as JSON text."""
    return _encoder.encode(message).decode()


def parse_request(text: str | bytes | None, max_bytes: int) -> Request:
    """Validate one client frame (see the module docstring)."""
    if not isinstance(text, str):
        raise ProtocolError(GatewayCode.MALFORMED_REQUEST, "send JSON text frames, not binary")
    if len(text) > max_bytes or len(text.encode()) > max_bytes:
        raise ProtocolError(
            GatewayCode.MESSAGE_TOO_LARGE, f"messages are limited to {max_bytes} bytes"
        )
    try:
        raw = _decoder.decode(text)
    except msgspec.DecodeError as exc:
        raise ProtocolError(GatewayCode.MALFORMED_REQUEST, f"malformed JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ProtocolError(GatewayCode.MALFORMED_REQUEST, "a message must be a JSON object")
    request_id = raw.get("id")
    op = raw.get("op")
    if op is None:
        raise ProtocolError(GatewayCode.MALFORMED_REQUEST, "missing field 'op'", request_id)
    if not isinstance(op, str):
        raise ProtocolError(GatewayCode.MALFORMED_REQUEST, "'op' must be a string", request_id)
    if op == "ping":
        return Request("ping", request_id)
    if op == "auth":
        token = raw.get("token")
        if not isinstance(token, str) or not token:
            raise ProtocolError(
                GatewayCode.MALFORMED_REQUEST,
                "'token' must be the access token (a non-empty string)",
                request_id,
            )
        return Request("auth", request_id, token=token)
    if op not in ("subscribe", "unsubscribe"):
        raise ProtocolError(
            GatewayCode.INVALID_FIELD,
            f"unknown op {op!r}; expected one of {', '.join(OPS)}",
            request_id,
        )
    return _subscription(op, raw, request_id)


def _subscription(op: str, raw: dict[str, Any], request_id: Any) -> Request:
    channel = raw.get("channel")
    if channel is None:
        raise ProtocolError(GatewayCode.MALFORMED_REQUEST, "missing field 'channel'", request_id)
    if not isinstance(channel, str):
        raise ProtocolError(GatewayCode.MALFORMED_REQUEST, "'channel' must be a string", request_id)
    if channel not in CHANNELS:
        raise ProtocolError(
            GatewayCode.UNKNOWN_CHANNEL,
            f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}",
            request_id,
        )
    symbol = raw.get("symbol")
    if symbol is not None and not isinstance(symbol, str):
        raise ProtocolError(GatewayCode.MALFORMED_REQUEST, "'symbol' must be a string", request_id)
    if channel in SYMBOL_REQUIRED and not symbol:
        raise ProtocolError(
            GatewayCode.INVALID_FIELD, f"channel {channel!r} needs a 'symbol'", request_id
        )
    if symbol and channel not in SYMBOL_REQUIRED | SYMBOL_OPTIONAL:
        raise ProtocolError(
            GatewayCode.INVALID_FIELD, f"channel {channel!r} takes no 'symbol'", request_id
        )
    if symbol and len(symbol) > MAX_SYMBOL_LENGTH:
        raise ProtocolError(GatewayCode.UNKNOWN_SYMBOL, "unknown symbol", request_id)
    interval = raw.get("interval")
    if channel == "candles":
        if not isinstance(interval, str) or interval not in INTERVALS:
            raise ProtocolError(
                GatewayCode.INVALID_FIELD,
                f"channel 'candles' needs an 'interval', one of {', '.join(INTERVALS)}",
                request_id,
            )
    elif interval is not None:
        raise ProtocolError(
            GatewayCode.INVALID_FIELD, f"channel {channel!r} takes no 'interval'", request_id
        )
    return Request(op, request_id, channel, symbol or "", interval or "")


# -- server messages ----------------------------------------------------------------


def reply(kind: str, request: Request, **extra: Any) -> str:
    """``subscribed`` / ``unsubscribed`` / ``authenticated`` / ``pong`` for ``request``."""
    message: dict[str, Any] = {"type": kind}
    if request.channel:
        message["channel"] = request.channel
    if request.symbol:
        message["symbol"] = request.symbol
    if request.interval:
        message["interval"] = request.interval
    message.update(extra)
    message["id"] = request.request_id
    return encode(message)


def error(code: int, message: str, request_id: Any = None) -> str:
    return encode({"type": "error", "code": int(code), "message": message, "id": request_id})
