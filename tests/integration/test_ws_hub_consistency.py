"""The hub's book consistency when snapshot and feed are not in step (real engine, no socket).

Over a socket the hub has nearly always caught up before a subscription is handled,
so these tests drive the hub's ``publish`` by hand with the engine's own updates to
pin the two orders that matter: a snapshot *ahead* of the updates the hub has yet to
publish (they must be skipped or trimmed), and a snapshot whose answer arrives
*after* later deltas were published (they must follow the snapshot). Either way the
subscriber's first delta is snapshot seq + 1 and no seq repeats or is missing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aurex.config import Durability
from aurex.core.commands import AddSymbol, Deposit, PlaceOrder
from aurex.core.model import OrderType, Side
from aurex.engine.bus import Subscription
from aurex.engine.local import LocalEngine
from aurex.engine.port import EngineUpdate
from aurex.engine.queries import GetDepth, Query
from aurex.gateways.http.ws_hub import Hub
from aurex.gateways.http.ws_outbox import Outbox
from aurex.gateways.http.ws_protocol import WsOptions


class Probe:
    """A subscriber that keeps what the hub gives it."""

    def __init__(self) -> None:
        self.outbox = Outbox(10_000)

    async def messages(self) -> list[dict[str, Any]]:
        out = []
        while len(self.outbox):
            item = await self.outbox.get()
            assert isinstance(item, str)
            out.append(json.loads(item))
        return out


class DelayedDepth:
    """The engine port with depth answers delivered late, as over a network:
    the snapshot is read, then ``meanwhile`` runs, then the answer arrives."""

    def __init__(self, engine: LocalEngine, meanwhile: Callable[[], Awaitable[None]]) -> None:
        self._engine = engine
        self._meanwhile = meanwhile

    async def query(self, query: Query[Any]) -> Any:
        answer = await self._engine.query(query)
        if isinstance(query, GetDepth):
            await self._meanwhile()
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


@asynccontextmanager
async def engine_with_aapl(tmp_path: Path) -> AsyncIterator[LocalEngine]:
    engine = LocalEngine.open(tmp_path, durability=Durability.NONE)
    await engine.start()
    try:
        await engine.submit(
            AddSymbol(
                symbol="AAPL",
                name="Apple",
                reference_price_ticks=10_000,
                shares_outstanding=1_000_000,
            )
        )
        await engine.submit(Deposit(account="a", cash_cents=10**10))
        await engine.submit(Deposit(account="a", symbol="AAPL", shares=10**6))
        yield engine
    finally:
        await engine.stop()


async def rest(engine: LocalEngine, *prices: int) -> None:
    for i, price in enumerate(prices):
        side = Side.BUY if price < 10_000 else Side.SELL
        await engine.submit(
            PlaceOrder(
                account="a",
                client_order_id=f"o{price}-{i}",
                symbol="AAPL",
                side=side,
                order_type=OrderType.LIMIT,
                quantity=10,
                price_ticks=price,
            )
        )


async def drain(feed: Subscription[EngineUpdate]) -> list[EngineUpdate]:
    updates = []
    while feed.pending():
        updates.append(await feed.get())
    return updates


def seqs(messages: list[dict[str, Any]]) -> list[int]:
    return [c["seq"] for m in messages if m.get("kind") == "delta" for c in m["changes"]]


async def test_deltas_the_snapshot_already_holds_are_skipped_or_trimmed(tmp_path: Path) -> None:
    async with engine_with_aapl(tmp_path) as engine:
        feed = engine.subscribe("test")
        hub = Hub(engine, WsOptions())
        early, late = Probe(), Probe()
        assert await hub.add_book(early, "AAPL", '{"type":"subscribed"}')
        await rest(engine, 9_990, 9_980)  # seq 1, 2: not yet published by the hub
        assert await hub.add_book(late, "AAPL", '{"type":"subscribed"}')  # snapshot at 2
        await rest(engine, 10_010)  # seq 3
        hub.publish(await drain(feed))  # one tick holding seq 1..3
        await rest(engine, 9_970)  # seq 4
        hub.publish(await drain(feed))

        early_messages, late_messages = await early.messages(), await late.messages()
        assert early_messages[1]["seq"] == 0
        assert seqs(early_messages) == [1, 2, 3, 4]
        assert late_messages[1]["kind"] == "snapshot" and late_messages[1]["seq"] == 2
        assert [level["price"] for level in late_messages[1]["bids"]] == ["99.90", "99.80"]
        assert seqs(late_messages) == [3, 4]


async def test_deltas_published_while_the_snapshot_travels_follow_it(tmp_path: Path) -> None:
    async with engine_with_aapl(tmp_path) as engine:
        feed = engine.subscribe("test")
        hub: Hub

        async def meanwhile() -> None:
            await rest(engine, 9_990, 9_980)  # seq 1, 2: after the snapshot (seq 0)
            hub.publish(await drain(feed))

        hub = Hub(DelayedDepth(engine, meanwhile), WsOptions())  # type: ignore[arg-type]
        probe = Probe()
        assert await hub.add_book(probe, "AAPL", '{"type":"subscribed"}')
        await rest(engine, 10_010)  # seq 3
        hub.publish(await drain(feed))

        messages = await probe.messages()
        assert [m["type"] for m in messages[:2]] == ["subscribed", "book"]
        assert messages[1]["kind"] == "snapshot" and messages[1]["seq"] == 0
        assert seqs(messages) == [1, 2, 3]


async def test_an_unknown_symbol_gets_no_book(tmp_path: Path) -> None:
    async with engine_with_aapl(tmp_path) as engine:
        hub = Hub(engine, WsOptions())
        probe = Probe()
        assert not await hub.add_book(probe, "NOPE", "{}")
        assert await probe.messages() == []
