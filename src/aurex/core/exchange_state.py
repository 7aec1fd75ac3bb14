"""The exchange's one state object: configuration, markets, accounts and live orders.

Order entry, the command handlers of :class:`~aurex.core.exchange.Exchange` and the
snapshot code all operate on an :class:`ExchangeState`, so none of them needs the
others: the import graph of ``aurex.core`` stays acyclic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aurex.core.matching import Registry, SymbolMarket
from aurex.core.model import Order
from aurex.core.risk import Limits


@dataclass(slots=True)
class ExchangeConfig:
    collar_bps: int = 1000
    default_limits: Limits = field(default_factory=Limits)


class ExchangeState:
    """Everything the exchange knows; changed only by the command handlers."""

    __slots__ = ("config", "last_seq", "markets", "registry")

    def __init__(self, config: ExchangeConfig | None = None) -> None:
        self.config = config or ExchangeConfig()
        self.markets: dict[str, SymbolMarket] = {}
        """Listed symbols, in listing order (snapshots and end of day follow it)."""
        self.registry = Registry()
        self.last_seq = 0

    def find_order(self, account_id: str, order_id: int, client_order_id: str = "") -> Order | None:
        """A live order of ``account_id`` by exchange id or client order id."""
        if not order_id:
            account = self.registry.accounts.get(account_id)
            if account is None or not client_order_id:
                return None
            order_id = account.client_order_ids.get(client_order_id, 0)
        order = self.registry.orders.get(order_id)
        if order is None or order.account != account_id:
            return None
        return order
