"""Seeded random streams of every kind of command, stamped and ready to apply.

The stream is a fixed list that depends only on the seed, so it can be fed to
several exchanges. While generating it, a private exchange plays the commands
so that cancels and amends mostly name live orders and their owners; some name
finished, unknown or foreign orders, which is part of the point. Some orders
repeat a client order id: of an open order (an idempotent retry) or of one that
has ended (free again, so a new order).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable

from aurex.core import Exchange
from aurex.core import commands as c
from aurex.core.model import OrderType, Side, StpMode, TimeInForce

# Listed out of alphabetical order on purpose: restored state iterates sorted.
SYMBOLS = {"MMM": (1_000, 5), "AAA": (100, 1), "ZZZ": (50, 1)}
LATE_SYMBOL = ("BBB", 400, 2)  # listed part-way through the stream
ACCOUNTS = [f"u{i}" for i in range(12)]


class _Stream:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.symbols = dict(SYMBOLS)
        self.oracle = Exchange()
        self.halted: set[str] = set()
        self.cids: list[tuple[str, str]] = []

    def opening(self) -> list[c.Command]:
        out: list[c.Command] = [self._listing(s, ref, tick) for s, (ref, tick) in SYMBOLS.items()]
        for account in ACCOUNTS:
            out.append(c.Deposit(account=account, cash_cents=5_000_000))
            out.extend(c.Deposit(account=account, symbol=s, shares=2_000) for s in SYMBOLS)
        return out

    def _listing(self, symbol: str, ref: int, tick: int) -> c.AddSymbol:
        return c.AddSymbol(
            symbol=symbol,
            name=symbol,
            reference_price_ticks=ref,
            shares_outstanding=10**6,
            tick_size_ticks=tick,
        )

    def next(self, index: int, count: int) -> c.Command:
        if index == count // 3:
            symbol, ref, tick = LATE_SYMBOL
            self.symbols[symbol] = (ref, tick)
            return self._listing(symbol, ref, tick)
        makers: list[tuple[float, Callable[[], c.Command]]] = [
            (0.55, self._place),
            (0.15, self._cancel),
            (0.10, self._amend),
            (0.05, self._funds),
            (0.02, self._cancel_all),
            (0.01, self._admin),
        ]
        if self.halted and self.rng.random() < 0.03:
            return self._resume()
        roll = self.rng.random()
        for share, make in makers:
            if roll < share:
                return make()
            roll -= share
        return self._place()

    def _symbol(self) -> tuple[str, int, int]:
        symbol = self.rng.choice(sorted(self.symbols))
        ref, tick = self.symbols[symbol]
        return symbol, ref, tick

    def _place(self) -> c.Command:
        rng = self.rng
        symbol, ref, tick = self._symbol()
        order_type = rng.choices(list(OrderType), weights=(15, 65, 10, 10))[0]
        tif = rng.choices(list(TimeInForce), weights=(50, 20, 15, 15))[0]
        if order_type is OrderType.MARKET and rng.random() < 0.9:
            tif = rng.choice((TimeInForce.IOC, TimeInForce.FOK))
        priced = order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
        price = ref + rng.randint(-6, 6) * tick if priced else 0
        stop = (
            ref + rng.randint(-6, 6) * tick
            if order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
            else 0
        )
        account = rng.choice(ACCOUNTS)
        if self.cids and rng.random() < 0.04:
            # Half retry a recent id (often still open: answered with the original order),
            # half reuse any earlier one (mostly ended by now: a new order).
            pool = self.cids[-30:] if rng.random() < 0.5 else self.cids
            account, cid = rng.choice(pool)
        else:
            cid = f"k{len(self.cids)}"
            self.cids.append((account, cid))
        return c.PlaceOrder(
            account=account,
            client_order_id=cid,
            symbol=symbol,
            side=rng.choice(list(Side)),
            order_type=order_type,
            quantity=rng.randint(1, 30) if rng.random() < 0.97 else rng.randint(-1, 400),
            tif=tif,
            price_ticks=price,
            stop_price_ticks=stop,
            post_only=rng.random() < 0.05,
            stp=rng.choice(list(StpMode)),
        )

    def _target(self) -> tuple[str, int]:
        """A live order and its owner, mostly; otherwise a random id or a foreign account."""
        rng, live = self.rng, self.oracle.registry.orders
        if not live or rng.random() < 0.1:
            return rng.choice(ACCOUNTS), rng.randint(1, self.oracle.registry.next_order_id)
        order = live[rng.choice(list(live))]
        account = order.account if rng.random() < 0.95 else rng.choice(ACCOUNTS)
        return account, order.order_id

    def _cancel(self) -> c.Command:
        if self.cids and self.rng.random() < 0.2:
            account, cid = self.rng.choice(self.cids[-50:])
            return c.CancelOrder(account=account, client_order_id=cid)
        account, order_id = self._target()
        return c.CancelOrder(account=account, order_id=order_id)

    def _amend(self) -> c.Command:
        rng = self.rng
        account, order_id = self._target()
        order = self.oracle.registry.orders.get(order_id)
        ref, tick = self.symbols[order.symbol] if order else self._symbol()[1:]
        return c.AmendOrder(
            account=account,
            order_id=order_id,
            quantity=rng.choice((0, rng.randint(1, 40))),
            price_ticks=rng.choice((0, ref + rng.randint(-6, 6) * tick)),
        )

    def _funds(self) -> c.Command:
        rng = self.rng
        account = rng.choice(ACCOUNTS)
        kind = c.Deposit if rng.random() < 0.5 else c.Withdraw
        if rng.random() < 0.5:
            return kind(account=account, cash_cents=rng.randint(-10, 200_000))
        return kind(account=account, symbol=self._symbol()[0], shares=rng.randint(0, 300))

    def _cancel_all(self) -> c.Command:
        symbol = self.rng.choice(("", self._symbol()[0]))
        return c.CancelAll(account=self.rng.choice(ACCOUNTS), symbol=symbol)

    def _admin(self) -> c.Command:
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            return c.EndOfDay()
        if roll < 0.6:
            symbol = self._symbol()[0]
            self.halted.add(symbol)
            return c.HaltSymbol(symbol=symbol)
        return c.SetLimits(
            account=rng.choice(ACCOUNTS),
            max_order_quantity=rng.randint(0, 1_000),
            max_notional_cents=rng.randint(1, 10**8),
            max_open_orders=rng.randint(1, 500),
            max_orders_per_day=rng.randint(1, 5_000),
        )

    def _resume(self) -> c.Command:
        symbol = self.rng.choice(sorted(self.halted))
        if self.rng.random() < 0.8:
            self.halted.discard(symbol)
        return c.ResumeSymbol(symbol=symbol)


def random_stream(seed: int, count: int) -> list[c.Command]:
    """Opening commands (listings, deposits) then ``count`` random ones, all stamped."""
    stream = _Stream(seed)
    commands: list[c.Command] = []

    def emit(cmd: c.Command) -> None:
        cmd.seq = len(commands) + 1
        cmd.ts_ns = 1_700_000_000_000_000_000 + cmd.seq * 1_000
        commands.append(cmd)
        stream.oracle.apply(copy.copy(cmd))

    for cmd in stream.opening():
        emit(cmd)
    for i in range(count):
        emit(stream.next(i, count))
    return commands
