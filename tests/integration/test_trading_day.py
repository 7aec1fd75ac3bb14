"""A scheduled close ends the trading day on a real engine, driven by an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from aurex.config import Durability
from aurex.core.commands import AddSymbol, Deposit, PlaceOrder
from aurex.core.model import OrderStatus, OrderType, Side, TimeInForce
from aurex.engine.calendar import DayCloser, SessionCalendar
from aurex.engine.local import LocalEngine
from aurex.engine.queries import GetIndex, GetOrder, GetSymbol, GetTicker


class FakeTime:
    """A wall clock that moves only when the code under test sleeps."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def _order(cid: str, side: Side, qty: int, price: int, tif: TimeInForce) -> PlaceOrder:
    account = "buyer" if side is Side.BUY else "seller"
    return PlaceOrder(
        account=account,
        client_order_id=cid,
        symbol="AAPL",
        side=side,
        order_type=OrderType.LIMIT,
        quantity=qty,
        price_ticks=price,
        tif=tif,
    )


async def test_scheduled_close_expires_day_orders_keeps_gtc_and_rolls_the_index(
    tmp_path: Path,
) -> None:
    engine = LocalEngine.open(tmp_path, durability=Durability.NONE, index_interval_s=0.01)
    await engine.start()
    try:
        await engine.submit(
            AddSymbol(
                symbol="AAPL", name="Apple", reference_price_ticks=23_450, shares_outstanding=10**6
            )
        )
        await engine.submit(Deposit(account="buyer", cash_cents=10**9))
        await engine.submit(Deposit(account="seller", symbol="AAPL", shares=1_000))
        # A trade at 240.00 moves the index off its base; then a DAY and a GTC bid rest.
        await engine.submit(_order("s1", Side.SELL, 10, 24_000, TimeInForce.GTC))
        await engine.submit(_order("b1", Side.BUY, 10, 24_000, TimeInForce.GTC))
        day = (await engine.submit(_order("day", Side.BUY, 5, 23_000, TimeInForce.DAY))).order
        gtc = (await engine.submit(_order("gtc", Side.BUY, 5, 22_900, TimeInForce.GTC))).order
        assert day is not None and gtc is not None
        before = await engine.query(GetIndex())
        assert before is not None and before.value > before.day_open

        # Thursday 2026-01-15 15:59 in New York: the close is one minute away.
        calendar = SessionCalendar.parse("09:30", "16:00", "America/New_York")
        assert calendar is not None
        clock = FakeTime(datetime(2026, 1, 15, 20, 59, tzinfo=UTC))
        closer = DayCloser(engine, calendar, clock, sleep=clock.sleep)
        outcome = await closer.close_next()

        assert clock.now == datetime(2026, 1, 15, 21, 0, tzinfo=UTC)
        assert sum(clock.slept) == 60
        ended = await engine.query(GetOrder("buyer", day.order_id))
        kept = await engine.query(GetOrder("buyer", gtc.order_id))
        assert ended is not None and ended.status is OrderStatus.EXPIRED
        assert kept is not None and kept.status is OrderStatus.NEW
        symbol = await engine.query(GetSymbol("AAPL"))
        assert symbol is not None and symbol.reference_price_ticks == 24_000
        ticker = await engine.query(GetTicker("AAPL"))
        assert ticker is not None and ticker.prev_close_ticks == 24_000
        engine.market_data.recompute_index(outcome.events[-1].ts_ns)
        after = await engine.query(GetIndex())
        assert after is not None and after.day_open == before.value

        # The next close is Friday's, a whole day later; nothing happens before it.
        assert calendar.next_close(clock.now) == datetime(2026, 1, 16, 21, 0, tzinfo=UTC)
    finally:
        await engine.stop()


def test_calendar_skips_weekends_and_follows_daylight_saving() -> None:
    calendar = SessionCalendar.parse("09:30", "16:00", "America/New_York")
    assert calendar is not None
    friday_evening = datetime(2026, 3, 6, 22, 0, tzinfo=UTC)
    # Daylight saving starts on Sunday 8 March: Monday's 16:00 is 20:00 UTC, not 21:00.
    assert calendar.next_close(friday_evening) == datetime(2026, 3, 9, 20, 0, tzinfo=UTC)
    assert calendar.is_open(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
    assert not calendar.is_open(datetime(2026, 3, 7, 15, 0, tzinfo=UTC))


def test_session_close_off_disables_the_calendar() -> None:
    assert SessionCalendar.parse("09:30", "off", "America/New_York") is None
