"""The exchange state machine: ``Exchange.apply(command) -> list[Event]``.

Validation, risk and order management live here; matching lives in
``matching.py``; snapshots in ``state.py``. Deterministic: the same commands
produce the same events and the same ``state_hash()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from aurex.core import commands as c
from aurex.core.codes import RejectCode
from aurex.core.events import (
    DayEnded,
    Event,
    FundsDeposited,
    FundsWithdrawn,
    LimitsSet,
    ReferencePriceSet,
    SymbolAdded,
    SymbolDelisted,
    SymbolHalted,
    SymbolResumed,
)
from aurex.core.exchange_state import ExchangeConfig, ExchangeState
from aurex.core.matching import Registry, SymbolMarket
from aurex.core.model import CancelReason, Order, TimeInForce
from aurex.core.order_entry import amend_order, place_order
from aurex.core.rejections import command_rejected
from aurex.core.risk import Account, Limits
from aurex.core.state import restore, restore_checked, snapshot, state_hash

__all__ = ["Exchange", "ExchangeConfig"]

_SYMBOL_RE: Final = re.compile(r"[A-Z][A-Z0-9.]{0,9}")

# Bound once (attribute lookup on an Enum class costs ~70 ns in CPython 3.11); Final
# keeps it in a C static in the compiled build.
USER_REQUESTED: Final = CancelReason.USER_REQUESTED


class Exchange:
    """All books and accounts. Only ``apply`` changes state.

    ``markets``, ``registry`` and ``config`` are the parts of :attr:`state`, named
    here for readers; order entry and snapshots work on the state object itself.
    """

    def __init__(
        self, config: ExchangeConfig | None = None, *, state: ExchangeState | None = None
    ) -> None:
        self.state = state if state is not None else ExchangeState(config)
        self.config: ExchangeConfig = self.state.config
        self.markets: dict[str, SymbolMarket] = self.state.markets
        self.registry: Registry = self.state.registry
        self._handlers: dict[type[c.Command], Callable[[Any], list[Event]]] = {
            c.PlaceOrder: partial(place_order, self.state),
            c.CancelOrder: self._cancel,
            c.AmendOrder: partial(amend_order, self.state),
            c.CancelAll: self._cancel_all,
            c.Deposit: self._deposit,
            c.Withdraw: self._withdraw,
            c.SetLimits: self._set_limits,
            c.AddSymbol: self._add_symbol,
            c.HaltSymbol: self._halt,
            c.ResumeSymbol: self._resume,
            c.EndOfDay: self._end_of_day,
            c.SetReferencePrice: self._set_reference_price,
            c.DelistSymbol: self._delist,
        }

    # -- public API -------------------------------------------------------

    def apply(self, command: c.Command) -> list[Event]:
        """Apply one stamped command and return what happened."""
        events = self._handlers[type(command)](command)
        self.state.last_seq = command.seq
        return events

    @property
    def last_seq(self) -> int:
        """The seq of the last command applied."""
        return self.state.last_seq

    @property
    def accounts(self) -> dict[str, Account]:
        return self.registry.accounts

    def account(self, account_id: str) -> Account | None:
        return self.registry.accounts.get(account_id)

    def order(self, order_id: int) -> Order | None:
        """A live (open or pending-trigger) order."""
        return self.registry.orders.get(order_id)

    def find_order(self, account_id: str, order_id: int, client_order_id: str = "") -> Order | None:
        """A live order of ``account_id`` by exchange id or client order id."""
        return self.state.find_order(account_id, order_id, client_order_id)

    def depth(
        self, symbol: str, levels: int
    ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        return self.markets[symbol].book.depth(levels)

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain data (see ``state.py``)."""
        return snapshot(self.state)

    @classmethod
    def restore(cls, data: dict[str, Any]) -> Exchange:
        return cls(state=restore(data))

    @classmethod
    def restore_checked(cls, data: dict[str, Any], stored_hash: str) -> Exchange:
        """``restore`` that checks the state hash stored with the snapshot (see state.py)."""
        return cls(state=restore_checked(data, stored_hash))

    def state_hash(self) -> str:
        return state_hash(self.state)

    # -- orders -----------------------------------------------------------

    def _cancel(self, cmd: c.CancelOrder) -> list[Event]:
        order = self.state.find_order(cmd.account, cmd.order_id, cmd.client_order_id)
        if order is None:
            return [command_rejected(cmd, cmd.account, RejectCode.UNKNOWN_ORDER)]
        events: list[Event] = []
        self.markets[order.symbol].cancel(
            order, USER_REQUESTED, self.registry, events, cmd.seq, cmd.ts_ns
        )
        return events

    def _cancel_all(self, cmd: c.CancelAll) -> list[Event]:
        account = self.registry.accounts.get(cmd.account)
        if account is None:
            return [command_rejected(cmd, cmd.account, RejectCode.UNKNOWN_ACCOUNT)]
        if cmd.symbol and cmd.symbol not in self.markets:
            return [command_rejected(cmd, cmd.account, RejectCode.UNKNOWN_SYMBOL)]
        events: list[Event] = []
        for order in list(account.open_orders.values()):
            if not cmd.symbol or order.symbol == cmd.symbol:
                self.markets[order.symbol].cancel(
                    order, CancelReason.CANCEL_ALL, self.registry, events, cmd.seq, cmd.ts_ns
                )
        return events

    # -- funds and limits --------------------------------------------------

    def _deposit(self, cmd: c.Deposit) -> list[Event]:
        code = self._funds_problem(cmd.account, cmd.cash_cents, cmd.symbol, cmd.shares)
        if code is not None:
            return [command_rejected(cmd, cmd.account, code)]
        account = self.registry.accounts.get(cmd.account)
        if account is None:
            limits = self.config.default_limits
            account = Account(cmd.account, Limits(*_limit_values(limits)))
            self.registry.accounts[cmd.account] = account
        if cmd.symbol:
            account.position(cmd.symbol).shares += cmd.shares
        else:
            account.cash_cents += cmd.cash_cents
        return [
            FundsDeposited(
                seq=cmd.seq,
                ts_ns=cmd.ts_ns,
                account=cmd.account,
                cash_cents=cmd.cash_cents,
                symbol=cmd.symbol,
                shares=cmd.shares,
            )
        ]

    def _withdraw(self, cmd: c.Withdraw) -> list[Event]:
        account = self.registry.accounts.get(cmd.account)
        if account is None:
            return [command_rejected(cmd, cmd.account, RejectCode.UNKNOWN_ACCOUNT)]
        code = self._funds_problem(cmd.account, cmd.cash_cents, cmd.symbol, cmd.shares)
        if code is None and cmd.symbol:
            position = account.positions.get(cmd.symbol)
            if position is None or position.available < cmd.shares:
                code = RejectCode.INSUFFICIENT_POSITION
        elif code is None and account.available_cash_cents < cmd.cash_cents:
            code = RejectCode.INSUFFICIENT_CASH
        if code is not None:
            return [command_rejected(cmd, cmd.account, code)]
        if cmd.symbol:
            account.positions[cmd.symbol].shares -= cmd.shares
        else:
            account.cash_cents -= cmd.cash_cents
        return [
            FundsWithdrawn(
                seq=cmd.seq,
                ts_ns=cmd.ts_ns,
                account=cmd.account,
                cash_cents=cmd.cash_cents,
                symbol=cmd.symbol,
                shares=cmd.shares,
            )
        ]

    def _funds_problem(
        self, account: str, cash: int, symbol: str, shares: int
    ) -> RejectCode | None:
        if not account:
            return RejectCode.UNKNOWN_ACCOUNT
        if symbol:
            if symbol not in self.markets:
                return RejectCode.UNKNOWN_SYMBOL
            if cash != 0 or not _positive_int(shares):
                return RejectCode.INVALID_AMOUNT
        elif shares != 0 or not _positive_int(cash):
            return RejectCode.INVALID_AMOUNT
        return None

    def _set_limits(self, cmd: c.SetLimits) -> list[Event]:
        account = self.registry.accounts.get(cmd.account)
        if account is None:
            return [command_rejected(cmd, cmd.account, RejectCode.UNKNOWN_ACCOUNT)]
        values = (
            cmd.max_order_quantity,
            cmd.max_notional_cents,
            cmd.max_open_orders,
            cmd.max_orders_per_day,
        )
        if not all(_positive_int(v) for v in values):
            return [command_rejected(cmd, cmd.account, RejectCode.INVALID_LIMITS)]
        account.limits = Limits(*values)
        return [
            LimitsSet(
                seq=cmd.seq,
                ts_ns=cmd.ts_ns,
                account=cmd.account,
                max_order_quantity=cmd.max_order_quantity,
                max_notional_cents=cmd.max_notional_cents,
                max_open_orders=cmd.max_open_orders,
                max_orders_per_day=cmd.max_orders_per_day,
            )
        ]

    # -- administration ----------------------------------------------------

    def _add_symbol(self, cmd: c.AddSymbol) -> list[Event]:
        if cmd.symbol in self.markets:
            return [command_rejected(cmd, "", RejectCode.SYMBOL_EXISTS)]
        if not _valid_listing(cmd):
            return [command_rejected(cmd, "", RejectCode.INVALID_SYMBOL_SPEC)]
        self.markets[cmd.symbol] = SymbolMarket(
            symbol=cmd.symbol,
            name=cmd.name,
            tick_size_ticks=cmd.tick_size_ticks,
            lot_size=cmd.lot_size,
            price_band_bps=cmd.price_band_bps,
            shares_outstanding=cmd.shares_outstanding,
            reference_price_ticks=cmd.reference_price_ticks,
            collar_bps=self.config.collar_bps,
        )
        return [
            SymbolAdded(
                seq=cmd.seq,
                ts_ns=cmd.ts_ns,
                symbol=cmd.symbol,
                name=cmd.name,
                reference_price_ticks=cmd.reference_price_ticks,
                shares_outstanding=cmd.shares_outstanding,
                tick_size_ticks=cmd.tick_size_ticks,
                lot_size=cmd.lot_size,
                price_band_bps=cmd.price_band_bps,
            )
        ]

    def _halt(self, cmd: c.HaltSymbol) -> list[Event]:
        return self._set_halted(cmd, cmd.symbol, True)

    def _resume(self, cmd: c.ResumeSymbol) -> list[Event]:
        return self._set_halted(cmd, cmd.symbol, False)

    def _set_halted(self, cmd: c.Command, symbol: str, halted: bool) -> list[Event]:
        market = self.markets.get(symbol)
        if market is None:
            return [command_rejected(cmd, "", RejectCode.UNKNOWN_SYMBOL)]
        if market.halted == halted:
            code = RejectCode.SYMBOL_ALREADY_HALTED if halted else RejectCode.SYMBOL_NOT_HALTED
            return [command_rejected(cmd, "", code)]
        market.halted = halted
        event = SymbolHalted if halted else SymbolResumed
        return [event(seq=cmd.seq, ts_ns=cmd.ts_ns, symbol=symbol)]

    def _set_reference_price(self, cmd: c.SetReferencePrice) -> list[Event]:
        market = self.markets.get(cmd.symbol)
        if market is None:
            return [command_rejected(cmd, "", RejectCode.UNKNOWN_SYMBOL)]
        price, band = cmd.reference_price_ticks, cmd.price_band_bps or market.price_band_bps
        if not _positive_int(price) or price % market.tick_size_ticks:
            return [command_rejected(cmd, "", RejectCode.INVALID_REFERENCE_PRICE)]
        if not _positive_int(band) or band >= 10_000:
            return [command_rejected(cmd, "", RejectCode.INVALID_PRICE_BAND)]
        market.price_band_bps = band
        market.set_reference(price)
        return [
            ReferencePriceSet(
                seq=cmd.seq,
                ts_ns=cmd.ts_ns,
                symbol=cmd.symbol,
                reference_price_ticks=price,
                price_band_bps=band,
                band_low_ticks=market.band_low_ticks,
                band_high_ticks=market.band_high_ticks,
            )
        ]

    def _delist(self, cmd: c.DelistSymbol) -> list[Event]:
        market = self.markets.get(cmd.symbol)
        if market is None:
            return [command_rejected(cmd, "", RejectCode.UNKNOWN_SYMBOL)]
        events: list[Event] = []
        live = [*market.book.orders(), *market.stops.values()]
        for order in sorted(live, key=lambda o: o.order_id):
            market.cancel(order, CancelReason.ADMIN, self.registry, events, cmd.seq, cmd.ts_ns)
        del self.markets[cmd.symbol]
        events.append(SymbolDelisted(seq=cmd.seq, ts_ns=cmd.ts_ns, symbol=cmd.symbol))
        return events

    def _end_of_day(self, cmd: c.EndOfDay) -> list[Event]:
        events: list[Event] = []
        registry = self.registry
        for order in list(registry.orders.values()):
            if order.tif is TimeInForce.DAY:
                self.markets[order.symbol].expire(order, registry, events, cmd.seq, cmd.ts_ns)
        for account in registry.accounts.values():
            account.orders_today = 0
        closes = {}
        for symbol, market in self.markets.items():
            market.set_reference(market.mark_price_ticks)
            closes[symbol] = market.reference_price_ticks
        events.append(DayEnded(seq=cmd.seq, ts_ns=cmd.ts_ns, closing_prices=closes))
        return events


def _positive_int(value: object) -> bool:
    return type(value) is int and value > 0


def _limit_values(limits: Limits) -> tuple[int, int, int, int]:
    return (
        limits.max_order_quantity,
        limits.max_notional_cents,
        limits.max_open_orders,
        limits.max_orders_per_day,
    )


def _valid_listing(cmd: c.AddSymbol) -> bool:
    return (
        _SYMBOL_RE.fullmatch(cmd.symbol) is not None
        and bool(cmd.name)
        and all(
            _positive_int(v)
            for v in (
                cmd.reference_price_ticks,
                cmd.shares_outstanding,
                cmd.tick_size_ticks,
                cmd.lot_size,
                cmd.price_band_bps,
            )
        )
        and cmd.reference_price_ticks % cmd.tick_size_ticks == 0
        and cmd.price_band_bps < 10_000
    )
