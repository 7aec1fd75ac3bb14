"""Client order ids are unique among an account's open orders, and only there.

Repeating the id of an open order is an idempotent retry; once the order has
ended its id is free again and the exchange forgets it, so its state (and its
snapshot) does not grow with the orders it has seen.
"""

from __future__ import annotations

import copy
import json

import pytest

from aurex.core import Exchange
from aurex.core.codes import RejectCode
from aurex.core.commands import CancelOrder, EndOfDay
from aurex.core.events import (
    CommandRejected,
    Event,
    OrderAccepted,
    OrderAlreadyAccepted,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
    TradeExecuted,
)
from aurex.core.model import CancelReason, OrderType, Side, TimeInForce
from aurex.core.state import StateHashMismatch, snapshot_hash
from tests.property.command_stream import random_stream
from tests.unit.core.desk import Desk, of_type

BUY, SELL = Side.BUY, Side.SELL


def accepted_id(events: list[Event]) -> int:
    return int(of_type(events, OrderAccepted)[0].order_id)


def open_ids(desk: Desk, account: str) -> dict[str, int]:
    found = desk.exchange.account(account)
    assert found is not None
    return dict(found.client_order_ids)


def test_retrying_an_open_orders_id_answers_the_original_and_changes_nothing(
    desk: Desk,
) -> None:
    first = accepted_id(desk.order("alice", BUY, 5, 9_900, client_order_id="r-1"))
    before = desk.exchange.snapshot()
    retry = desk.order("alice", SELL, 7, 10_500, client_order_id="r-1")
    assert [(e.order_id, e.account, e.client_order_id) for e in of_type(retry, Event)] == [
        (first, "alice", "r-1")
    ]
    assert [type(e) for e in retry] == [OrderAlreadyAccepted]
    after = desk.exchange.snapshot()
    assert {**after, "last_seq": 0} == {**before, "last_seq": 0}


def test_retrying_a_pending_stops_id_answers_the_stop(desk: Desk) -> None:
    stop = accepted_id(
        desk.order(
            "alice",
            BUY,
            1,
            0,
            order_type=OrderType.STOP,
            stop_price_ticks=10_500,
            client_order_id="s",
        )
    )
    retry = desk.order("alice", BUY, 1, 9_900, client_order_id="s")
    assert of_type(retry, OrderAlreadyAccepted)[0].order_id == stop


def test_a_partly_filled_resting_order_keeps_its_id(desk: Desk) -> None:
    maker = accepted_id(desk.order("alice", BUY, 10, 10_000, client_order_id="part"))
    desk.order("bob", SELL, 4, 10_000)
    retry = desk.order("alice", BUY, 10, 10_000, client_order_id="part")
    assert of_type(retry, OrderAlreadyAccepted)[0].order_id == maker


def test_the_same_id_in_another_account_is_another_order(desk: Desk) -> None:
    a = accepted_id(desk.order("alice", BUY, 1, 9_900, client_order_id="same"))
    b = accepted_id(desk.order("bob", BUY, 1, 9_900, client_order_id="same"))
    assert a != b
    assert open_ids(desk, "alice") == {"same": a} and open_ids(desk, "bob") == {"same": b}


def test_an_id_is_free_again_once_its_order_is_filled(desk: Desk) -> None:
    first = accepted_id(desk.order("alice", BUY, 3, 10_000, client_order_id="f"))
    trade = of_type(desk.order("bob", SELL, 3, 10_000), TradeExecuted)[0]
    assert trade.buy_order_id == first and trade.buy_remaining == 0
    assert "f" not in open_ids(desk, "alice")
    second = accepted_id(desk.order("alice", BUY, 2, 9_900, client_order_id="f"))
    assert second != first
    assert open_ids(desk, "alice") == {"f": second}
    assert desk.exchange.depth("ACME", 1)[0] == [(9_900, 2)]


def test_an_id_is_free_again_once_its_order_is_cancelled(desk: Desk) -> None:
    first = accepted_id(desk.order("alice", BUY, 1, 9_900, client_order_id="c"))
    desk.do(CancelOrder(account="alice", client_order_id="c"))
    again = desk.do(CancelOrder(account="alice", client_order_id="c"))
    assert of_type(again, CommandRejected)[0].code is RejectCode.UNKNOWN_ORDER
    second = accepted_id(desk.order("alice", BUY, 1, 9_800, client_order_id="c"))
    assert second != first
    cancelled = of_type(desk.do(CancelOrder(account="alice", client_order_id="c")), OrderCancelled)
    assert [e.order_id for e in cancelled] == [second]


def test_an_id_is_free_again_once_its_day_order_expires(desk: Desk) -> None:
    first = accepted_id(
        desk.order("alice", BUY, 1, 9_900, tif=TimeInForce.DAY, client_order_id="d")
    )
    assert [e.order_id for e in of_type(desk.do(EndOfDay()), OrderExpired)] == [first]
    assert open_ids(desk, "alice") == {}
    assert accepted_id(desk.order("alice", BUY, 1, 9_900, client_order_id="d")) != first


def test_orders_that_end_within_their_own_placement_leave_no_id(desk: Desk) -> None:
    desk.order("bob", SELL, 5, 10_000)
    ioc = desk.order("alice", BUY, 2, 9_900, tif=TimeInForce.IOC, client_order_id="ioc")
    assert of_type(ioc, OrderCancelled)[0].reason is CancelReason.IOC_REMAINDER
    fok = desk.order("alice", BUY, 9, 10_000, tif=TimeInForce.FOK, client_order_id="fok")
    assert of_type(fok, OrderCancelled)[0].reason is CancelReason.FOK_NOT_FILLABLE
    market = desk.order("alice", BUY, 5, client_order_id="mkt")
    assert sum(t.quantity for t in of_type(market, TradeExecuted)) == 5
    assert open_ids(desk, "alice") == {}
    for cid in ("ioc", "fok", "mkt"):
        assert of_type(desk.order("alice", BUY, 1, 9_900, client_order_id=cid), OrderAccepted)


def test_a_rejected_order_claims_no_id(desk: Desk) -> None:
    rejected = desk.order("alice", BUY, 1, 9_901, client_order_id="bad")
    assert of_type(rejected, OrderRejected)[0].code is RejectCode.PRICE_OFF_TICK
    assert open_ids(desk, "alice") == {}
    assert of_type(desk.order("alice", BUY, 1, 9_900, client_order_id="bad"), OrderAccepted)


def test_a_restarted_client_can_number_its_orders_from_one_again(desk: Desk) -> None:
    for _ in range(2):  # two "sessions", each numbering from 1 and ending its orders
        for i in range(1, 4):
            events = desk.order("alice", BUY, 1, 10_000, client_order_id=f"n{i}")
            assert of_type(events, OrderAccepted), events
            desk.order("bob", SELL, 1, 10_000)
    assert open_ids(desk, "alice") == {}


def test_a_snapshot_from_before_ids_were_freed_passes_its_stored_hash(desk: Desk) -> None:
    live = accepted_id(desk.order("alice", BUY, 1, 9_900, client_order_id="open"))
    _churn(desk, 2)
    data = json.loads(json.dumps(desk.exchange.snapshot()))
    old = copy.deepcopy(data)
    alice = next(a for a in old["accounts"] if a["id"] == "alice")
    alice["client_order_ids"] = sorted([*alice["client_order_ids"], ["gone", live + 1]])
    old_hash = snapshot_hash(old)  # what the old code stored with it
    restored = Exchange.restore_checked(old, old_hash)
    assert restored.state_hash() == desk.exchange.state_hash()
    assert dict(restored.accounts["alice"].client_order_ids) == {"open": live}
    tampered = copy.deepcopy(old)
    tampered["accounts"][0]["cash"] += 1
    with pytest.raises(StateHashMismatch):
        Exchange.restore_checked(tampered, old_hash)
    bogus = copy.deepcopy(old)  # intact, but a second id for a live order is no old state
    next(a for a in bogus["accounts"] if a["id"] == "alice")["client_order_ids"].append(
        ["other", live]
    )
    with pytest.raises(StateHashMismatch):
        Exchange.restore_checked(bogus, snapshot_hash(bogus))
    with pytest.raises(StateHashMismatch):
        Exchange.restore_checked(data, old_hash)


def _churn(desk: Desk, rounds: int) -> None:
    """Rest then cancel ``rounds`` orders with ids never used before."""
    for i in range(rounds):
        cid = f"churn-{desk.exchange.registry.next_order_id}-{i}"
        desk.order("alice", BUY, 1, 9_900, client_order_id=cid)
        desk.do(CancelOrder(account="alice", client_order_id=cid))


def test_snapshot_size_does_not_grow_with_ended_orders(desk: Desk) -> None:
    live = accepted_id(desk.order("carol", SELL, 1, 10_500, client_order_id="live-1"))
    _churn(desk, 10)
    small = json.dumps(desk.exchange.snapshot())
    _churn(desk, 2_000)
    big = desk.exchange.snapshot()
    # Only counters (seq, next order id, orders today) have more digits.
    assert len(json.dumps(big)) - len(small) < 20
    by_account = {a["id"]: a["client_order_ids"] for a in big["accounts"]}
    assert by_account == {"alice": [], "bob": [], "carol": [["live-1", live]]}


def test_restore_rebuilds_ids_from_live_orders_even_from_an_old_snapshot(desk: Desk) -> None:
    live = accepted_id(desk.order("alice", BUY, 1, 9_900, client_order_id="open"))
    _churn(desk, 3)
    data = json.loads(json.dumps(desk.exchange.snapshot()))
    # A version-1 snapshot written before ids were freed also listed ended orders' ids.
    old = copy.deepcopy(data)
    alice = next(a for a in old["accounts"] if a["id"] == "alice")
    alice["client_order_ids"] = sorted(
        [*alice["client_order_ids"], ["gone", live + 1], ["old", live + 2]]
    )
    for snapshot in (data, old):
        restored = Exchange.restore(snapshot)
        assert restored.snapshot() == data
        assert dict(restored.accounts["alice"].client_order_ids) == {"open": live}
        redo = Desk(restored)
        retry = redo.order("alice", BUY, 1, 9_900, client_order_id="open")
        assert of_type(retry, OrderAlreadyAccepted)[0].order_id == live
        assert of_type(redo.order("alice", BUY, 1, 9_900, client_order_id="gone"), OrderAccepted)


def test_retries_and_reuse_replay_identically_and_survive_restore() -> None:
    stream = random_stream(7, 4_000)
    straight, hopping = Exchange(), Exchange()
    retries = reused = 0
    seen: set[tuple[str, str]] = set()
    for i, cmd in enumerate(stream):
        a = straight.apply(copy.copy(cmd))
        b = hopping.apply(copy.copy(cmd))
        assert a == b and repr(a) == repr(b), f"command #{i} diverged"
        for ev in a:
            if isinstance(ev, OrderAlreadyAccepted):
                retries += 1
            elif isinstance(ev, OrderAccepted):
                key = (ev.account, ev.client_order_id)
                reused += key in seen
                seen.add(key)
        if i % 500 == 0:
            hopping = Exchange.restore(json.loads(json.dumps(hopping.snapshot())))
    assert retries and reused, (retries, reused)
    assert hopping.state_hash() == straight.state_hash()
    live_ids = sum(len(a.client_order_ids) for a in straight.accounts.values())
    assert live_ids == len(straight.registry.orders) < len(seen)
