"""A trading process to be killed: recovers, then submits a random order stream.

Run as ``python crash_child.py DATA_DIR RUN [--orders N] [--concurrency K]``. It
recovers the sequencer from DATA_DIR, prints one JSON line ``{"ready": ...}``, lists
the symbols and funds the accounts if the journal does not hold them yet, then
submits a random stream of commands from K concurrent tasks and prints
``{"ack": seq, "events": [...]}`` after each acknowledgement (flushed at once, so
a parent that SIGKILLs it knows exactly what was acknowledged). SIGTERM stops it
gracefully and prints ``{"stopped": ...}``.

``CommandStream`` is also the random workload of the replay-determinism test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sys
from pathlib import Path

import msgspec

from aurex.config import Durability
from aurex.core.commands import (
    AddSymbol,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    Deposit,
    EndOfDay,
    HaltSymbol,
    PlaceOrder,
    ResumeSymbol,
    SetLimits,
    Withdraw,
)
from aurex.core.events import (
    DayEnded,
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    TradeExecuted,
)
from aurex.core.model import OrderType, Side, StpMode, TimeInForce
from aurex.engine.sequencer import Sequencer

SYMBOLS = {"AAA": (10_000, 1, 1), "BBB": (2_500, 5, 10)}
"""symbol -> (reference price, tick size, lot size)"""
ACCOUNTS = tuple(f"trader{i}" for i in range(5))


def seed_commands() -> list[Command]:
    """The first commands of every journal: listings, then cash and shares for all."""
    commands: list[Command] = [
        AddSymbol(
            symbol=symbol,
            name=f"{symbol} Corp",
            reference_price_ticks=reference,
            shares_outstanding=10**9,
            tick_size_ticks=tick,
            lot_size=lot,
        )
        for symbol, (reference, tick, lot) in SYMBOLS.items()
    ]
    for account in ACCOUNTS:
        commands.append(Deposit(account=account, cash_cents=10**11))
        for symbol in SYMBOLS:
            commands.append(Deposit(account=account, symbol=symbol, shares=10**6))
    return commands


class CommandStream:
    """Random commands of every type, mostly valid, steered by observed events; about
    3% are sign-ups (the opening deposit of a new account, as ``EngineAccounts`` does),
    and new accounts trade like the others.

    Deterministic for a given seed and sequence of ``observe`` calls.
    """

    def __init__(self, seed: int | str, prefix: str = "") -> None:
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.count = 0
        self.live: dict[int, str] = {}
        self.accounts = list(ACCOUNTS)
        self.placed: list[tuple[str, str]] = []
        self.price = {symbol: reference for symbol, (reference, _, _) in SYMBOLS.items()}

    def observe(self, events: list[Event]) -> None:
        for e in events:
            if isinstance(e, OrderAccepted):
                self.live[e.order_id] = e.account
            elif isinstance(e, OrderCancelled | OrderExpired):
                self.live.pop(e.order_id, None)
            elif isinstance(e, TradeExecuted):
                self.price[e.symbol] = e.price_ticks
                if e.buy_remaining == 0:
                    self.live.pop(e.buy_order_id, None)
                if e.sell_remaining == 0:
                    self.live.pop(e.sell_order_id, None)
            elif isinstance(e, DayEnded):
                self.price.update(e.closing_prices)

    def next(self) -> Command:
        self.count += 1
        r = self.rng.random()
        if r < 0.03:
            return self._signup()
        if r < 0.62:
            return self._place()
        if r < 0.74:
            return self._cancel()
        if r < 0.82:
            return self._amend()
        if r < 0.84:
            return CancelAll(account=self._account(), symbol=self.rng.choice(["", *SYMBOLS]))
        if r < 0.89:
            return self._funds(Deposit)
        if r < 0.92:
            return self._funds(Withdraw)
        if r < 0.94:
            return SetLimits(
                account=self._account(),
                max_order_quantity=self.rng.choice([0, 200, 10**6, 10**6]),
                max_notional_cents=10**11,
                max_open_orders=self.rng.randrange(1, 200),
                max_orders_per_day=10**6,
            )
        if r < 0.945:
            return HaltSymbol(symbol=self.rng.choice(list(SYMBOLS)))
        if r < 0.97:
            return ResumeSymbol(symbol=self.rng.choice(list(SYMBOLS)))
        if r < 0.98:
            return EndOfDay()
        return self._place(hostile=True)

    def _account(self) -> str:
        return self.rng.choice(self.accounts)

    def _signup(self) -> Deposit:
        account = f"{self.prefix}user{self.count}"
        self.accounts.append(account)
        return Deposit(account=account, cash_cents=10_000_000)

    def _funds(self, kind: type[Deposit] | type[Withdraw]) -> Command:
        account = self._account()
        if self.rng.random() < 0.5:
            return kind(account=account, cash_cents=self.rng.randrange(0, 10**7))
        symbol = self.rng.choice(list(SYMBOLS))
        return kind(account=account, symbol=symbol, shares=self.rng.randrange(0, 1_000))

    def _price(self, symbol: str, spread: int) -> int:
        _, tick, _ = SYMBOLS[symbol]
        center = self.price[symbol] // tick
        return max(tick, (center + self.rng.randrange(-spread, spread + 1)) * tick)

    def _place(self, hostile: bool = False) -> PlaceOrder:
        rng = self.rng
        symbol = rng.choice(list(SYMBOLS))
        _, tick, lot = SYMBOLS[symbol]
        order_type = rng.choices(list(OrderType), weights=[15, 60, 10, 15])[0]
        tif = rng.choices(list(TimeInForce), weights=[50, 20, 20, 10])[0]
        if order_type is OrderType.MARKET:
            tif = rng.choice([TimeInForce.IOC, TimeInForce.FOK])
        price = stop = 0
        if order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
            price = self._price(symbol, 40)
        side = rng.choice(list(Side))
        if order_type in (OrderType.STOP, OrderType.STOP_LIMIT):
            away = rng.randrange(-5, 60) * tick  # mostly beyond the last price, as required
            stop = max(tick, self.price[symbol] + (away if side is Side.BUY else -away))
        account = self._account()
        cid = f"{self.prefix}o{self.count}"
        self.placed.append((account, cid))
        cmd = PlaceOrder(
            account=account,
            client_order_id=cid,
            symbol=symbol,
            side=side,
            order_type=order_type,
            tif=tif,
            quantity=lot * rng.randrange(1, 30),
            price_ticks=price,
            stop_price_ticks=stop,
            post_only=order_type is OrderType.LIMIT and rng.random() < 0.1,
            stp=rng.choice(list(StpMode)),
        )
        if hostile:
            flaw = rng.randrange(5)
            if flaw == 0:
                cmd.symbol = "NOPE"
            elif flaw == 1:
                cmd.quantity = rng.choice([0, -5, lot + 1 if lot > 1 else 0])
            elif flaw == 2:
                cmd.price_ticks = rng.choice([-1, price + 1 if tick > 1 else 0, 10**9])
            elif flaw == 3:
                cmd.client_order_id = rng.choice(["", "x" * 65, "has space"])
            else:
                cmd.account = "stranger"
        return cmd

    def _cancel(self) -> CancelOrder:
        if self.placed and self.rng.random() < 0.5:
            account, cid = self.rng.choice(self.placed[-200:])
            return CancelOrder(account=account, client_order_id=cid)
        order_id, account = self._some_order()
        return CancelOrder(account=account, order_id=order_id)

    def _amend(self) -> AmendOrder:
        order_id, account = self._some_order()
        symbol = self.rng.choice(list(SYMBOLS))
        _, _, lot = SYMBOLS[symbol]
        return AmendOrder(
            account=account,
            order_id=order_id,
            quantity=self.rng.choice([0, lot * self.rng.randrange(1, 40)]),
            price_ticks=self.rng.choice([0, self._price(symbol, 30)]),
        )

    def _some_order(self) -> tuple[int, str]:
        if self.live and self.rng.random() < 0.85:
            order_id = self.rng.choice(sorted(self.live))
            return order_id, self.live[order_id]
        return self.rng.randrange(1, self.count + 2), self._account()


def _emit(line: bytes) -> None:
    sys.stdout.buffer.write(line + b"\n")
    sys.stdout.buffer.flush()


async def _main(data_dir: Path, run: int, orders: int, concurrency: int) -> None:
    sequencer, recovery = Sequencer.open(
        data_dir,
        durability=Durability.FSYNC,
        snapshot_every=150,
        segment_bytes=64 * 1024,
    )
    ready = {
        "last_seq": recovery.last_seq,
        "state_hash": recovery.exchange.state_hash(),
        "snapshot_seq": recovery.snapshot_seq,
        "replayed": recovery.replayed,
        "repaired_bytes": recovery.repaired_bytes,
    }
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    _emit(json.dumps({"ready": ready}).encode())
    await sequencer.start()

    encode = msgspec.json.encode
    seeds = seed_commands()
    for cmd, events in zip(
        seeds[recovery.last_seq :],
        await asyncio.gather(*sequencer.submit_many(seeds[recovery.last_seq :])),
        strict=True,
    ):
        _emit(b'{"ack":%d,"events":%s}' % (cmd.seq, encode(events)))

    stream = CommandStream(f"crash-{run}", prefix=f"r{run}")
    remaining = orders

    async def trader() -> None:
        nonlocal remaining
        while remaining > 0 and not stopping.is_set():
            remaining -= 1
            cmd = stream.next()
            events = await sequencer.submit(cmd)
            _emit(b'{"ack":%d,"events":%s}' % (cmd.seq, encode(events)))
            stream.observe(events)

    await asyncio.gather(*(trader() for _ in range(concurrency)))
    _emit(b'{"done":%d}' % orders)
    await stopping.wait()
    await sequencer.stop()
    stopped = {"last_seq": sequencer.last_seq, "state_hash": sequencer.exchange.state_hash()}
    _emit(json.dumps({"stopped": stopped}).encode())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("run", type=int)
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=24)
    args = parser.parse_args()
    asyncio.run(_main(args.data_dir, args.run, args.orders, args.concurrency))


if __name__ == "__main__":
    main()
