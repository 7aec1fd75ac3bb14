"""Replay determinism: same commands, same events, same state hash.

A seeded stream of every kind of command is applied to two fresh exchanges,
and to exchanges that are snapshotted and restored part-way; all must produce
the same events (compared by value and by their printed form, which also pins
the order of dict fields) and the same state hashes. The hash itself must
notice a change to any part of the state.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from aurex.core import Exchange
from aurex.core import commands as c
from aurex.core import events as e
from tests.property.command_stream import random_stream

COUNT = 15_000
SEEDS = (1, 2026)


def _run(ex: Exchange, commands: list[c.Command]) -> list[list[e.Event]]:
    return [ex.apply(copy.copy(cmd)) for cmd in commands]


def _restored(ex: Exchange) -> Exchange:
    """Round-trip through JSON text, as a snapshot file would be."""
    return Exchange.restore(json.loads(json.dumps(ex.snapshot())))


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed{s}")
def stream(request: pytest.FixtureRequest) -> list[c.Command]:
    return random_stream(request.param, COUNT)


def test_stream_exercises_trading(stream: list[c.Command]) -> None:
    events = [ev for batch in _run(Exchange(), stream) for ev in batch]
    kinds = {type(ev).__name__ for ev in events}
    for kind in ("TradeExecuted", "OrderTriggered", "OrderAmended", "OrderExpired", "DayEnded"):
        assert kind in kinds, f"the stream never produced {kind}"
    assert sum(isinstance(ev, e.TradeExecuted) for ev in events) > COUNT // 10


def test_same_commands_give_same_events_and_state_hash(stream: list[c.Command]) -> None:
    first, second = Exchange(), Exchange()
    for i, cmd in enumerate(stream):
        a, b = first.apply(copy.copy(cmd)), second.apply(copy.copy(cmd))
        assert a == b and repr(a) == repr(b), f"command #{i} {cmd!r} diverged"
        if i % 1_000 == 0:
            assert first.state_hash() == second.state_hash(), f"hash diverged at #{i}"
    assert first.state_hash() == second.state_hash()
    assert first.snapshot() == second.snapshot()


def _edits(ex: Exchange) -> dict[str, Callable[[], None]]:
    """Small changes to live state, each of which the state hash must notice."""
    account = ex.accounts["u0"]
    market = ex.markets["AAA"]
    order = next(iter(market.book.orders()))
    level = max(
        (
            lvl
            for m in ex.markets.values()
            for side in (m.book.bids, m.book.asks)
            for lvl in side.levels.values()
        ),
        key=lambda lvl: lvl.count,
    )

    def requeue_head() -> None:
        head = level.head
        assert head is not None and level.count > 1, "no level with two orders to reorder"
        level.unlink(head)
        level.append(head)

    def bump(obj: Any, name: str) -> Callable[[], None]:
        return lambda: setattr(obj, name, getattr(obj, name) + 1)

    return {
        "cash": bump(account, "cash_cents"),
        "cash held": bump(account, "cash_held_cents"),
        "shares": bump(account.positions["AAA"], "shares"),
        "order remaining": bump(order, "remaining"),
        "order price": bump(order, "price_ticks"),
        "last price": bump(market, "last_price_ticks"),
        "daily count": bump(account, "orders_today"),
        "limit": bump(account.limits, "max_open_orders"),
        "halt": lambda: setattr(market, "halted", not market.halted),
        "client order ids": lambda: ex.accounts[order.account].client_order_ids.clear(),
        "queue order": requeue_head,
    }


def _editable(ex: Exchange) -> bool:
    levels = [
        lvl
        for m in ex.markets.values()
        for side in (m.book.bids, m.book.asks)
        for lvl in side.levels.values()
    ]
    book = ex.markets["AAA"].book
    return any(lvl.count > 1 for lvl in levels) and bool(book.bids.prices or book.asks.prices)


def test_state_hash_covers_books_accounts_and_markets(stream: list[c.Command]) -> None:
    ex = Exchange()
    for i, cmd in enumerate(stream):
        ex.apply(copy.copy(cmd))
        if i > len(stream) // 2 and _editable(ex):
            break
    assert _editable(ex), "the stream never built a level with two orders"
    original = ex.state_hash()
    for name in _edits(ex):
        edited = _restored(ex)
        _edits(edited)[name]()
        assert edited.state_hash() != original, f"state hash ignores {name}"


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9])
def test_restore_mid_stream_then_continue_matches_uninterrupted_run(
    stream: list[c.Command], cut: float
) -> None:
    at = int(len(stream) * cut)
    straight = Exchange()
    head = _run(straight, stream[:at])
    resumed = Exchange()
    assert _run(resumed, stream[:at]) == head
    resumed = _restored(resumed)
    assert resumed.state_hash() == straight.state_hash()
    for i, cmd in enumerate(stream[at:], start=at):
        a, b = straight.apply(copy.copy(cmd)), resumed.apply(copy.copy(cmd))
        assert a == b, f"command #{i} {cmd!r} diverged after restore at #{at}"
        assert repr(a) == repr(b), f"command #{i} printed differently after restore at #{at}"
    assert resumed.state_hash() == straight.state_hash()


def test_repeated_restores_along_the_stream_keep_the_final_hash(stream: list[c.Command]) -> None:
    straight = Exchange()
    _run(straight, stream)
    hopping = Exchange()
    for i, cmd in enumerate(stream):
        hopping.apply(copy.copy(cmd))
        if i % 997 == 0:
            hopping = _restored(hopping)
    assert hopping.state_hash() == straight.state_hash()


def test_end_of_day_lists_closing_prices_in_the_same_order_after_restore() -> None:
    """Events must be byte-identical after recovery, including dict field order."""
    live = Exchange()
    for seq, symbol in enumerate(("ZZZ", "AAA"), start=1):
        live.apply(
            c.AddSymbol(
                seq=seq,
                ts_ns=seq,
                symbol=symbol,
                name=symbol,
                reference_price_ticks=100,
                shares_outstanding=1_000,
            )
        )
    recovered = _restored(live)
    a = live.apply(c.EndOfDay(seq=3, ts_ns=3))
    b = recovered.apply(c.EndOfDay(seq=3, ts_ns=3))
    assert isinstance(a[0], e.DayEnded) and isinstance(b[0], e.DayEnded)
    assert list(a[0].closing_prices) == list(b[0].closing_prices)
