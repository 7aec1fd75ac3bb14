"""The WebSocket conversation without the socket: which messages to send after
(re)connecting, and what each received message means. Keeps the subscriptions (to
resubscribe after a reconnect) and a ``LocalBook`` per subscribed symbol (to resync
after a sequence gap). ``AurexStream`` does the I/O around it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, TypeAlias

import msgspec

from aurex.client._book import BookChange, Gap, LocalBook
from aurex.client._models import Candle, Fill, Index, Order, Ticker, Trade

# -- events handed to the user --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TickerEvent:
    ticker: Ticker


@dataclass(frozen=True, slots=True)
class BookEvent:
    """The local ``book`` after a snapshot (``snapshot=True``) or after ``changes``."""

    symbol: str
    book: LocalBook
    snapshot: bool
    changes: list[BookChange]


@dataclass(frozen=True, slots=True)
class BookGapEvent:
    """A delta skipped seqs; the book was resubscribed and waits for a new snapshot."""

    symbol: str
    expected: int
    received: int


@dataclass(frozen=True, slots=True)
class TradesEvent:
    symbol: str
    trades: list[Trade]


@dataclass(frozen=True, slots=True)
class CandleEvent:
    candle: Candle


@dataclass(frozen=True, slots=True)
class IndexEvent:
    index: Index


@dataclass(frozen=True, slots=True)
class OrderEvent:
    order: Order


@dataclass(frozen=True, slots=True)
class FillEvent:
    fill: Fill


@dataclass(frozen=True, slots=True)
class HeartbeatEvent:
    timestamp: int


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """An error the server sent outside any request of ours (or for a resubscription)."""

    code: int
    message: str


@dataclass(frozen=True, slots=True)
class ConnectionEvent:
    """``connected`` (``reconnect`` says whether it is a second or later connection) or
    ``disconnected`` (with the reason)."""

    state: str
    reconnect: bool = False
    reason: str = ""


StreamEvent: TypeAlias = (
    TickerEvent
    | BookEvent
    | BookGapEvent
    | TradesEvent
    | CandleEvent
    | IndexEvent
    | OrderEvent
    | FillEvent
    | HeartbeatEvent
    | ErrorEvent
    | ConnectionEvent
)


@dataclass(frozen=True, slots=True)
class AuthLost:
    """The server ended the private channel (token expired or revoked): internal, the
    stream logs in again with a fresh token and resubscribes to ``orders``."""


@dataclass(frozen=True, slots=True)
class Reply:
    """The server's answer to one of our requests (by ``id``): internal to the stream."""

    id: int
    ok: bool
    message: dict[str, Any]


SubscriptionKey: TypeAlias = tuple[str, str | None, str | None]
Received: TypeAlias = list[StreamEvent | Reply | AuthLost]
"""What one received message means: events for the user, replies, a lost login."""

_HANDLED = ("subscribed", "unsubscribed", "authenticated", "pong")
_AUTH_LOST = frozenset({1031, 1032, 1033})
"""Invalid, expired, revoked: codes with which the server ends a logged-in channel."""
ORDERS: SubscriptionKey = ("orders", None, None)


class StreamProtocol:
    """State of one logical stream across reconnects."""

    def __init__(self) -> None:
        self.subscriptions: dict[SubscriptionKey, None] = {}
        self.books: dict[str, LocalBook] = {}
        self._ids = itertools.count(1)

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        """A client message with a fresh ``id``."""
        return {
            "op": op,
            **{k: v for k, v in fields.items() if v is not None},
            "id": next(self._ids),
        }

    def subscribe(self, channel: str, symbol: str | None, interval: str | None) -> dict[str, Any]:
        key = (channel, symbol, interval)
        self.subscriptions[key] = None
        if channel == "book" and symbol is not None:
            self.books.setdefault(symbol, LocalBook(symbol)).invalidate()
        return self.request("subscribe", channel=channel, symbol=symbol, interval=interval)

    def unsubscribe(self, channel: str, symbol: str | None, interval: str | None) -> dict[str, Any]:
        self.subscriptions.pop((channel, symbol, interval), None)
        if channel == "book" and symbol is not None:
            self.books.pop(symbol, None)
        return self.request("unsubscribe", channel=channel, symbol=symbol, interval=interval)

    def resubscriptions(self) -> list[dict[str, Any]]:
        """Messages that restore every subscription on a new connection."""
        for book in self.books.values():
            book.invalidate()
        return [
            self.request("subscribe", channel=channel, symbol=symbol, interval=interval)
            for channel, symbol, interval in self.subscriptions
        ]

    def receive(self, message: dict[str, Any]) -> tuple[Received, list[dict[str, Any]]]:
        """What a received message means (events, replies) and what to send back."""
        kind = message.get("type")
        if kind == "book":
            return self._book(message)
        if kind == "ticker":
            return [TickerEvent(msgspec.convert(message["data"], Ticker))], []
        if kind == "trades":
            trades = msgspec.convert(message["trades"], list[Trade])
            return [TradesEvent(str(message["symbol"]), trades)], []
        if kind == "candle":
            return [CandleEvent(msgspec.convert(message["data"], Candle))], []
        if kind == "index":
            return [IndexEvent(msgspec.convert(message["data"], Index))], []
        if kind == "order":
            return [OrderEvent(msgspec.convert(message["data"], Order))], []
        if kind == "fill":
            return [FillEvent(msgspec.convert(message["data"], Fill))], []
        if kind == "heartbeat":
            return [HeartbeatEvent(int(message.get("timestamp", 0)))], []
        request_id = message.get("id")
        if kind in _HANDLED and isinstance(request_id, int):
            return [Reply(request_id, True, message)], []
        if kind == "error":
            if isinstance(request_id, int):
                return [Reply(request_id, False, message)], []
            code = int(message.get("code", 0))
            received: Received = [ErrorEvent(code, str(message.get("message", "")))]
            if code in _AUTH_LOST and ORDERS in self.subscriptions:
                received.append(AuthLost())
            return received, []
        return [], []

    def _book(self, message: dict[str, Any]) -> tuple[Received, list[dict[str, Any]]]:
        symbol = str(message["symbol"])
        book = self.books.get(symbol)
        if book is None:
            return [], []  # unsubscribed meanwhile
        if message.get("kind") == "snapshot":
            book.load(int(message["seq"]), message["bids"], message["asks"])
            return [BookEvent(symbol, book, True, [])], []
        if not book.ready:
            return [], []  # deltas of an old subscription, before the new snapshot
        try:
            changes = book.apply(message["changes"])
        except Gap as gap:
            resync = [
                self.request("unsubscribe", channel="book", symbol=symbol),
                self.request("subscribe", channel="book", symbol=symbol),
            ]
            return [BookGapEvent(symbol, gap.expected, gap.received)], resync
        if not changes:
            return [], []
        return [BookEvent(symbol, book, False, changes)], []
