"""The trading day: a session calendar and the timer that closes each day.

``SessionCalendar`` knows the session's open and close (wall-clock times in one
time zone, Monday to Friday). ``DayCloser`` sleeps until the next close and then
submits ``EndOfDay``: DAY orders expire, closing prices become the next day's
reference prices and the index opens a new day. GTC orders stay.

Trading itself is continuous: orders are taken outside the session too (so a demo
works at any hour); the calendar only decides when the day ends. A close missed
while the exchange was down is not replayed; the next scheduled close (or
``POST /api/admin/end-of-day``) ends the day. Clock and sleep are injected, so
tests drive a whole day in an instant.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aurex.core.commands import EndOfDay
from aurex.engine.port import EnginePort, Outcome

log = logging.getLogger(__name__)

WEEKDAYS = frozenset(range(5))
"""Monday (0) to Friday (4)."""

MAX_SLEEP_S = 60.0
"""Longest single sleep: a changed wall clock (NTP step, suspend) is noticed within it."""


def parse_hhmm(text: str) -> time:
    """``"09:30"`` -> ``time(9, 30)``; ValueError for anything else."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"expected HH:MM, got {text!r}")
    return time(int(hours), int(minutes))


def parse_zone(name: str) -> ZoneInfo:
    """An IANA time zone such as ``America/New_York``; ValueError if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


@dataclass(frozen=True, slots=True)
class SessionCalendar:
    """Session hours in ``zone`` on ``weekdays`` (no holiday list)."""

    open: time
    close: time
    zone: ZoneInfo
    weekdays: frozenset[int] = WEEKDAYS

    @classmethod
    def parse(cls, open_: str, close: str, zone: str) -> SessionCalendar | None:
        """From setting values; None when ``close`` is ``off`` (no scheduled close)."""
        if close.strip().lower() == "off":
            return None
        calendar = cls(parse_hhmm(open_), parse_hhmm(close), parse_zone(zone))
        if calendar.open >= calendar.close:
            raise ValueError(f"session opens at {open_} but closes at {close}")
        return calendar

    def _at(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone)

    def next_close(self, after: datetime) -> datetime:
        """The first scheduled close strictly after ``after`` (an aware datetime)."""
        day = after.astimezone(self.zone).date()
        for _ in range(8):
            if day.weekday() in self.weekdays:
                close = self._at(day, self.close)
                if close > after:
                    return close
            day += timedelta(days=1)
        raise ValueError("the calendar has no trading weekday")

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` falls inside a session."""
        local = at.astimezone(self.zone)
        if local.weekday() not in self.weekdays:
            return False
        return self.open <= local.time() < self.close


Sleep = Callable[[float], Awaitable[object]]


class DayCloser:
    """Submits ``EndOfDay`` at every scheduled close of ``calendar``."""

    def __init__(
        self,
        engine: EnginePort,
        calendar: SessionCalendar,
        clock: Callable[[], datetime],
        *,
        sleep: Sleep = asyncio.sleep,
        max_sleep_s: float = MAX_SLEEP_S,
    ) -> None:
        self._engine = engine
        self.calendar = calendar
        self._clock = clock
        self._sleep = sleep
        self._max_sleep_s = max_sleep_s
        self._task: asyncio.Task[None] | None = None
        self.closes = 0
        """How many days this closer has ended."""

    async def close_next(self) -> Outcome:
        """Wait for the next scheduled close, then end the day."""
        target = self.calendar.next_close(self._clock())
        while (remaining := (target - self._clock()).total_seconds()) > 0:
            await self._sleep(min(remaining, self._max_sleep_s))
        outcome = await self._engine.submit(EndOfDay())
        self.closes += 1
        log.info("trading day ended", extra={"close": target.isoformat(), "seq": outcome.seq})
        return outcome

    async def run(self) -> None:
        """Close every trading day until cancelled."""
        while True:
            try:
                await self.close_next()
            except asyncio.CancelledError:
                raise
            except Exception:  # the engine stopping or refusing: try again at the next close
                log.exception("scheduled end of day failed")
                await self._sleep(self._max_sleep_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="aurex-day-closer")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
