"""Test helper: apply commands to a real Exchange with increasing stamps."""

from __future__ import annotations

import itertools
from typing import Any

from aurex.core import Exchange
from aurex.core.commands import Command, PlaceOrder
from aurex.core.events import Event
from aurex.core.model import OrderType, Side, TimeInForce


class Desk:
    """Applies commands with increasing seq/time stamps."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self._seq = itertools.count(1)
        self._cid = itertools.count(1)

    def do(self, command: Command) -> list[Event]:
        command.seq = next(self._seq)
        command.ts_ns = command.seq * 1_000_000
        return self.exchange.apply(command)

    def order(
        self,
        account: str,
        side: Side,
        qty: int,
        price: int = 0,
        *,
        symbol: str = "ACME",
        order_type: OrderType | None = None,
        tif: TimeInForce = TimeInForce.GTC,
        **extra: Any,
    ) -> list[Event]:
        """Place an order: limit if priced, market (IOC) otherwise, unless told."""
        if order_type is None:
            order_type = OrderType.LIMIT if price else OrderType.MARKET
        if order_type is OrderType.MARKET and tif is TimeInForce.GTC:
            tif = TimeInForce.IOC
        extra.setdefault("client_order_id", f"c{next(self._cid)}")
        return self.do(
            PlaceOrder(
                account=account,
                symbol=symbol,
                side=side,
                order_type=order_type,
                tif=tif,
                quantity=qty,
                price_ticks=price,
                **extra,
            )
        )


def of_type(events: list[Event], kind: type[Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]
