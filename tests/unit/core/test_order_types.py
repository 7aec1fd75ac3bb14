"""Order types, time in force, priority and settlement as a trader sees them."""

from __future__ import annotations

from aurex.core.commands import AmendOrder, CancelAll, CancelOrder, EndOfDay, HaltSymbol, Withdraw
from aurex.core.events import (
    DayEnded,
    OrderAccepted,
    OrderAlreadyAccepted,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderRested,
    OrderTriggered,
    TradeExecuted,
)
from aurex.core.model import (
    CancelReason,
    OrderType,
    Side,
    SpecOrderType,
    StpMode,
    TimeInForce,
    from_spec_order_type,
)
from tests.unit.core.desk import Desk, of_type

BUY, SELL = Side.BUY, Side.SELL


def fills(events: list) -> list[tuple[int, int, int, int]]:
    return [
        (t.price_ticks, t.quantity, t.buy_order_id, t.sell_order_id)
        for t in of_type(events, TradeExecuted)
    ]


def rest(desk: Desk, account: str, side: Side, qty: int, price: int) -> int:
    return int(of_type(desk.order(account, side, qty, price), OrderRested)[0].order_id)


def test_price_time_priority_and_trade_at_resting_price(desk: Desk) -> None:
    first = rest(desk, "bob", SELL, 10, 10_050)
    better = rest(desk, "carol", SELL, 10, 10_000)
    second = rest(desk, "carol", SELL, 10, 10_050)
    events = desk.order("alice", BUY, 25, 10_100)
    taker = of_type(events, OrderAccepted)[0].order_id
    assert fills(events) == [
        (10_000, 10, taker, better),
        (10_050, 10, taker, first),
        (10_050, 5, taker, second),
    ]


def test_limit_remainder_rests_and_book_shows_it(desk: Desk) -> None:
    rest(desk, "bob", SELL, 10, 10_000)
    events = desk.order("alice", BUY, 15, 10_000)
    assert of_type(events, OrderRested)[0].quantity == 5
    assert desk.exchange.depth("ACME", 5) == ([(10_000, 5)], [])


def test_market_order_never_rests_and_is_collared(desk: Desk) -> None:
    rest(desk, "bob", SELL, 5, 10_500)
    rest(desk, "bob", SELL, 5, 11_500)
    events = desk.order("alice", BUY, 20)
    assert [f[:2] for f in fills(events)] == [(10_500, 5)]
    cancel = of_type(events, OrderCancelled)[0]
    assert (cancel.remaining, cancel.reason) == (15, CancelReason.MARKET_COLLAR)
    assert desk.exchange.depth("ACME", 5)[0] == []


def test_market_order_against_empty_book_is_cancelled_for_no_liquidity(desk: Desk) -> None:
    events = desk.order("alice", SELL, 5)
    assert of_type(events, OrderCancelled)[0].reason is CancelReason.NO_LIQUIDITY


def test_fok_with_insufficient_liquidity_is_cancelled_without_trades(desk: Desk) -> None:
    rest(desk, "bob", SELL, 5, 10_000)
    events = desk.order("alice", BUY, 6, 10_000, tif=TimeInForce.FOK)
    assert fills(events) == []
    assert of_type(events, OrderCancelled)[0].reason is CancelReason.FOK_NOT_FILLABLE
    assert desk.exchange.depth("ACME", 1) == ([], [(10_000, 5)])


def test_fok_with_enough_liquidity_fills_completely(desk: Desk) -> None:
    rest(desk, "bob", SELL, 5, 10_000)
    rest(desk, "carol", SELL, 5, 10_005)
    events = desk.order("alice", BUY, 8, 10_005, tif=TimeInForce.FOK)
    assert sum(f[1] for f in fills(events)) == 8


def test_ioc_fills_what_it_can_and_never_rests(desk: Desk) -> None:
    rest(desk, "bob", SELL, 3, 10_000)
    events = desk.order("alice", BUY, 10, 10_000, tif=TimeInForce.IOC)
    assert sum(f[1] for f in fills(events)) == 3
    assert of_type(events, OrderCancelled)[0].reason is CancelReason.IOC_REMAINDER
    assert of_type(events, OrderRested) == []


def test_post_only_rests_when_it_does_not_cross(desk: Desk) -> None:
    rest(desk, "bob", SELL, 3, 10_010)
    events = desk.order("alice", BUY, 3, 10_005, post_only=True)
    assert of_type(events, OrderRested)[0].price_ticks == 10_005


def test_self_trade_default_cancels_incoming_remainder(desk: Desk) -> None:
    resting = rest(desk, "alice", SELL, 5, 10_000)
    events = desk.order("alice", BUY, 5, 10_000)
    assert fills(events) == []
    assert of_type(events, OrderCancelled)[0].reason is CancelReason.SELF_TRADE
    assert desk.exchange.order(resting) is not None


def test_self_trade_cancel_oldest_removes_resting_and_continues(desk: Desk) -> None:
    own = rest(desk, "alice", SELL, 5, 10_000)
    other = rest(desk, "bob", SELL, 5, 10_000)
    events = desk.order("alice", BUY, 5, 10_000, stp=StpMode.CANCEL_OLDEST)
    assert of_type(events, OrderCancelled)[0].order_id == own
    assert [f[3] for f in fills(events)] == [other]


def test_stop_order_triggers_when_last_price_reaches_it(desk: Desk) -> None:
    stop = desk.order(
        "alice", BUY, 5, order_type=OrderType.STOP, stop_price_ticks=10_050, tif=TimeInForce.GTC
    )
    stop_id = of_type(stop, OrderAccepted)[0].order_id
    rest(desk, "bob", SELL, 10, 10_050)
    events = desk.order("carol", BUY, 1, 10_050)
    assert of_type(events, OrderTriggered)[0].order_id == stop_id
    assert (10_050, 5, stop_id) in [f[:3] for f in fills(events)]


def test_stop_limit_rests_at_its_limit_after_trigger(desk: Desk) -> None:
    desk.order("alice", SELL, 5, 9_900, order_type=OrderType.STOP_LIMIT, stop_price_ticks=9_950)
    rest(desk, "bob", BUY, 1, 9_950)
    events = desk.order("carol", SELL, 1, 9_950)
    assert of_type(events, OrderTriggered)
    assert desk.exchange.depth("ACME", 1)[1] == [(9_900, 5)]


def test_amend_down_keeps_priority(desk: Desk) -> None:
    first = rest(desk, "alice", BUY, 10, 9_900)
    second = rest(desk, "bob", BUY, 10, 9_900)
    amended = desk.do(AmendOrder(account="alice", order_id=first, quantity=4))
    assert of_type(amended, OrderAmended)[0].kept_priority
    events = desk.order("carol", SELL, 5, 9_900)
    assert [f[2] for f in fills(events)] == [first, second]


def test_amend_up_loses_priority(desk: Desk) -> None:
    first = rest(desk, "alice", BUY, 10, 9_900)
    second = rest(desk, "bob", BUY, 10, 9_900)
    amended = desk.do(AmendOrder(account="alice", order_id=first, quantity=12))
    assert not of_type(amended, OrderAmended)[0].kept_priority
    events = desk.order("carol", SELL, 5, 9_900)
    assert [f[2] for f in fills(events)] == [second]


def test_amend_price_through_the_book_trades(desk: Desk) -> None:
    rest(desk, "bob", SELL, 5, 10_000)
    mine = rest(desk, "alice", BUY, 5, 9_900)
    events = desk.do(AmendOrder(account="alice", order_id=mine, price_ticks=10_000))
    assert fills(events)[0][:3] == (10_000, 5, mine)


def test_cancel_releases_cash_hold(desk: Desk) -> None:
    oid = rest(desk, "alice", BUY, 10, 9_900)
    alice = desk.exchange.account("alice")
    assert alice is not None and alice.cash_held_cents == 99_000
    desk.do(CancelOrder(account="alice", order_id=oid))
    assert alice.cash_held_cents == 0


def test_cancel_by_client_order_id(desk: Desk) -> None:
    desk.order("alice", BUY, 10, 9_900, client_order_id="my-1")
    events = desk.do(CancelOrder(account="alice", client_order_id="my-1"))
    assert of_type(events, OrderCancelled)[0].reason is CancelReason.USER_REQUESTED


def test_other_accounts_cannot_cancel_my_order(desk: Desk) -> None:
    oid = rest(desk, "alice", BUY, 10, 9_900)
    desk.do(CancelOrder(account="bob", order_id=oid))
    assert desk.exchange.order(oid) is not None


def test_cancel_all_optionally_by_symbol(desk: Desk) -> None:
    rest(desk, "alice", BUY, 1, 9_900)
    desk.order("alice", BUY, 100, 1_900, symbol="LOTS")
    events = desk.do(CancelAll(account="alice", symbol="ACME"))
    assert [e.symbol for e in of_type(events, OrderCancelled)] == ["ACME"]
    events = desk.do(CancelAll(account="alice"))
    assert [e.symbol for e in of_type(events, OrderCancelled)] == ["LOTS"]


def test_repeated_client_order_id_returns_original(desk: Desk) -> None:
    first = desk.order("alice", BUY, 1, 9_900, client_order_id="dup")
    again = desk.order("alice", BUY, 1, 9_900, client_order_id="dup")
    assert again == [
        OrderAlreadyAccepted(
            seq=again[0].seq,
            ts_ns=again[0].ts_ns,
            order_id=first[0].order_id,  # type: ignore[attr-defined]
            account="alice",
            client_order_id="dup",
        )
    ]
    assert desk.exchange.depth("ACME", 1)[0] == [(9_900, 1)]


def test_halt_blocks_orders_but_allows_cancels(desk: Desk) -> None:
    oid = rest(desk, "alice", BUY, 1, 9_900)
    desk.do(HaltSymbol(symbol="ACME"))
    assert of_type(desk.do(CancelOrder(account="alice", order_id=oid)), OrderCancelled)


def test_end_of_day_closes_at_last_trade_and_keeps_gtc_orders(desk: Desk) -> None:
    gtc = rest(desk, "alice", BUY, 1, 9_900)
    desk.order("bob", BUY, 1, 9_950, tif=TimeInForce.DAY)
    desk.order("carol", SELL, 1, 9_950)
    events = desk.do(EndOfDay())
    assert of_type(events, OrderExpired) == []
    assert of_type(events, DayEnded)[0].closing_prices == {"ACME": 9_950, "LOTS": 2_000}
    assert desk.exchange.order(gtc) is not None
    assert desk.exchange.markets["ACME"].reference_price_ticks == 9_950


def test_end_of_day_expires_resting_day_order(desk: Desk) -> None:
    events = desk.order("alice", BUY, 1, 9_900, tif=TimeInForce.DAY)
    oid = of_type(events, OrderRested)[0].order_id
    expired = of_type(desk.do(EndOfDay()), OrderExpired)
    assert [(e.order_id, e.was_resting) for e in expired] == [(oid, True)]
    assert desk.exchange.depth("ACME", 1) == ([], [])


def test_settlement_moves_cash_and_shares(desk: Desk) -> None:
    rest(desk, "bob", SELL, 10, 10_000)
    desk.order("alice", BUY, 10, 10_100)
    alice, bob = desk.exchange.account("alice"), desk.exchange.account("bob")
    assert alice is not None and bob is not None
    assert alice.cash_cents == 100_000_000 - 100_000 and alice.cash_held_cents == 0
    assert alice.positions["ACME"].shares == 10_010
    assert bob.cash_cents == 100_000_000 + 100_000 and bob.positions["ACME"].shares == 9_990


def test_withdraw_only_available_cash(desk: Desk) -> None:
    rest(desk, "alice", BUY, 1_000, 10_000)
    events = desk.do(Withdraw(account="alice", cash_cents=95_000_000))
    assert events[0].code.name == "INSUFFICIENT_CASH"  # type: ignore[attr-defined]


def test_spec_order_types_map_onto_type_and_time_in_force() -> None:
    assert from_spec_order_type(SpecOrderType.MARKET) == (OrderType.MARKET, TimeInForce.IOC)
    assert from_spec_order_type(SpecOrderType.LIMIT) == (OrderType.LIMIT, TimeInForce.GTC)
    assert from_spec_order_type(SpecOrderType.IOC) == (OrderType.LIMIT, TimeInForce.IOC)
    assert from_spec_order_type(SpecOrderType.FOK) == (OrderType.LIMIT, TimeInForce.FOK)
