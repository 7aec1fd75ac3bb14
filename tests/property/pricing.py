"""Price arithmetic the tests compute on their own, independently of the core."""

from __future__ import annotations

from fractions import Fraction
from math import ceil, floor

from aurex.core.model import Side

BPS = 10_000


def collar_limit(side: Side, mark: int, tick: int, collar_bps: int) -> int:
    """Worst price a market order may reach: ``collar_bps`` through ``mark``, on the tick.

    Buys round down and sells round up, so the collar is never exceeded.
    """
    through = Fraction(collar_bps, BPS)
    if side is Side.BUY:
        return floor(mark * (1 + through) / tick) * tick
    return max(tick, ceil(mark * (1 - through) / tick) * tick)


def within(side: Side, price: int, limit: int) -> bool:
    """Is ``price`` acceptable to an order of ``side`` limited at ``limit``?"""
    return price <= limit if side is Side.BUY else price >= limit


def opposite(side: Side) -> Side:
    return Side.SELL if side is Side.BUY else Side.BUY
