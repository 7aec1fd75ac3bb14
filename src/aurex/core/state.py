"""Snapshots of the whole exchange as plain data, restore, and the state hash.

Client order ids are unique among an account's open orders, so ``client_order_ids``
lists only the live orders' ids. ``restore`` rebuilds that map from the live orders
rather than reading it, so snapshots written before ids were freed with their orders
(same format, but listing ended orders' ids too) restore to today's state;
``restore_checked`` accepts those against their stored hash (see there).

Snapshot order is canonical (symbols in listing order, which iteration over markets
follows everywhere; each book best level first and FIFO within a level; accounts
sorted), so equal states give byte-equal snapshots and a restored exchange
produces the same events as the live one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aurex.core.exchange_state import ExchangeConfig, ExchangeState
from aurex.core.matching import SymbolMarket
from aurex.core.model import Order, OrderStatus, OrderType, Side, StpMode, TimeInForce
from aurex.core.risk import Account, Limits, Position

SNAPSHOT_VERSION = 1


def _order_row(o: Order) -> list[Any]:
    return [
        o.order_id,
        o.account,
        o.client_order_id,
        o.side.value,
        o.order_type.value,
        o.tif.value,
        o.price_ticks,
        o.stop_price_ticks,
        o.quantity,
        o.remaining,
        o.post_only,
        o.stp.value,
        o.hold_price_ticks,
        o.accepted_seq,
        o.status.value,
        o.filled,
        o.filled_cost_cents,
    ]


def _order_from_row(symbol: str, row: list[Any]) -> Order:
    (
        oid,
        account,
        cid,
        side,
        otype,
        tif,
        price,
        stop,
        qty,
        remaining,
        post_only,
        stp,
        hold,
        accepted_seq,
        status,
        filled,
        filled_cost,
    ) = row
    return Order(
        oid,
        account,
        cid,
        symbol,
        Side(side),
        OrderType(otype),
        TimeInForce(tif),
        price,
        stop,
        qty,
        remaining,
        post_only,
        StpMode(stp),
        hold,
        accepted_seq,
        OrderStatus(status),
        False,
        filled,
        filled_cost,
    )


def snapshot(ex: ExchangeState) -> dict[str, Any]:
    """The complete state as dicts, lists, ints, strs and bools."""
    registry = ex.registry
    symbols = []
    for name in ex.markets:
        m = ex.markets[name]
        symbols.append(
            {
                "symbol": m.symbol,
                "name": m.name,
                "tick": m.tick_size_ticks,
                "lot": m.lot_size,
                "band_bps": m.price_band_bps,
                "shares_outstanding": m.shares_outstanding,
                "reference": m.reference_price_ticks,
                "last": m.last_price_ticks,
                "halted": m.halted,
                "book": [_order_row(o) for o in m.book.orders()],
                "stops": [_order_row(o) for o in m.stops.values()],
            }
        )
    accounts = []
    for account_id in sorted(registry.accounts):
        a = registry.accounts[account_id]
        lim = a.limits
        accounts.append(
            {
                "id": a.account_id,
                "cash": a.cash_cents,
                "held": a.cash_held_cents,
                "orders_today": a.orders_today,
                "limits": [
                    lim.max_order_quantity,
                    lim.max_notional_cents,
                    lim.max_open_orders,
                    lim.max_orders_per_day,
                ],
                "positions": [[s, p.shares, p.held] for s, p in sorted(a.positions.items())],
                "client_order_ids": [[cid, oid] for cid, oid in sorted(a.client_order_ids.items())],
            }
        )
    cfg = ex.config
    dl = cfg.default_limits
    return {
        "version": SNAPSHOT_VERSION,
        "last_seq": ex.last_seq,
        "next_order_id": registry.next_order_id,
        "next_trade_id": registry.next_trade_id,
        "config": {
            "collar_bps": cfg.collar_bps,
            "default_limits": [
                dl.max_order_quantity,
                dl.max_notional_cents,
                dl.max_open_orders,
                dl.max_orders_per_day,
            ],
        },
        "symbols": symbols,
        "accounts": accounts,
    }


def restore(data: dict[str, Any]) -> ExchangeState:
    """Rebuild an exchange from ``snapshot()`` output."""
    if data.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"unsupported snapshot version {data.get('version')!r}")
    cfg = data["config"]
    ex = ExchangeState(ExchangeConfig(cfg["collar_bps"], Limits(*cfg["default_limits"])))
    registry = ex.registry
    ex.last_seq = data["last_seq"]
    registry.next_order_id = data["next_order_id"]
    registry.next_trade_id = data["next_trade_id"]
    for a in data["accounts"]:
        account = Account(a["id"], Limits(*a["limits"]), a["cash"], a["held"], a["orders_today"])
        account.positions = {s: Position(shares, held) for s, shares, held in a["positions"]}
        registry.accounts[account.account_id] = account
    live: list[Order] = []
    for s in data["symbols"]:
        market = SymbolMarket(
            symbol=s["symbol"],
            name=s["name"],
            tick_size_ticks=s["tick"],
            lot_size=s["lot"],
            price_band_bps=s["band_bps"],
            shares_outstanding=s["shares_outstanding"],
            reference_price_ticks=s["reference"],
            collar_bps=ex.config.collar_bps,
            last_price_ticks=s["last"],
            halted=s["halted"],
        )
        ex.markets[market.symbol] = market
        for row in s["book"]:
            order = _order_from_row(market.symbol, row)
            market.book.add(order)
            live.append(order)
        for row in s["stops"]:
            order = _order_from_row(market.symbol, row)
            market.stops[order.order_id] = order
            live.append(order)
    for order in sorted(live, key=lambda o: o.order_id):
        registry.orders[order.order_id] = order
        account = registry.accounts[order.account]
        account.open_orders[order.order_id] = order
        account.client_order_ids[order.client_order_id] = order.order_id
    return ex


class StateHashMismatch(ValueError):
    """A snapshot does not restore to the state hash stored with it."""


def restore_checked(data: dict[str, Any], stored_hash: str) -> ExchangeState:
    """Rebuild an exchange from ``data`` and check it against ``stored_hash``.

    The restored state must hash to ``stored_hash``, with one exception: a snapshot
    taken when accounts kept every client order id ever used also lists ended
    orders' ids, which restore drops. It is accepted when its data is intact (the
    data itself hashes to ``stored_hash``) and restores to exactly that data minus
    those ids. Raises :class:`StateHashMismatch` otherwise.
    """
    ex = restore(data)
    actual = state_hash(ex)
    if actual == stored_hash:
        return ex
    if snapshot_hash(data) == stored_hash and snapshot(ex) == _without_ended_client_ids(data):
        return ex
    raise StateHashMismatch(f"restores to state hash {actual}, stored {stored_hash}")


def _without_ended_client_ids(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the client order ids that name no live order."""
    live = {row[0] for s in data["symbols"] for rows in (s["book"], s["stops"]) for row in rows}
    accounts = [
        {**a, "client_order_ids": [pair for pair in a["client_order_ids"] if pair[1] in live]}
        for a in data["accounts"]
    ]
    return {**data, "accounts": accounts}


def snapshot_hash(data: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of snapshot data."""
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def state_hash(ex: ExchangeState) -> str:
    """SHA-256 over the canonical JSON of the snapshot."""
    return snapshot_hash(snapshot(ex))
