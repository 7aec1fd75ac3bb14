"""Every API call of the client as a flow: how its request is built and its answer
decoded. The sync and async clients run these flows; neither repeats any of it."""

from __future__ import annotations

import secrets
from decimal import Decimal

from aurex.client._models import (
    Account,
    CancelledOrders,
    Candle,
    CandleInterval,
    CandleList,
    Depth,
    Fill,
    FillsPage,
    Index,
    IndexHistory,
    Order,
    OrderAnswer,
    OrderResult,
    OrdersPage,
    OrderStatusFilter,
    OrderType,
    Page,
    Position,
    Positions,
    SelfTradePrevention,
    Side,
    SymbolInfo,
    SymbolList,
    Ticker,
    TickerList,
    TimeInForce,
    Trade,
    TradeList,
)
from aurex.client._protocol import Flow, Request, decode, price_text, query
from aurex.client._session import Session

ORDERS = "/api/trading/orders"
MARKET = "/api/market-data"


def new_client_order_id() -> str:
    """A fresh client order id (24 hex digits): unique enough to never collide."""
    return secrets.token_hex(12)


class Calls:
    """The trading and market-data calls, sharing one ``Session``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------------ trading

    def place_order(
        self,
        symbol: str,
        side: Side,
        quantity: int,
        *,
        type: OrderType = "limit",
        price: Decimal | str | int | None = None,
        stop_price: Decimal | str | int | None = None,
        time_in_force: TimeInForce | None = None,
        client_order_id: str | None = None,
        post_only: bool = False,
        self_trade_prevention: SelfTradePrevention | None = None,
    ) -> Flow[OrderResult]:
        body: dict[str, object] = {
            "clientOrderId": client_order_id or new_client_order_id(),
            "symbol": symbol,
            "side": side,
            "type": type,
            "quantity": quantity,
        }
        if time_in_force is not None:
            body["timeInForce"] = time_in_force
        if price is not None:
            body["price"] = price_text(price)
        if stop_price is not None:
            body["stopPrice"] = price_text(stop_price)
        if post_only:
            body["postOnly"] = True
        if self_trade_prevention is not None:
            body["selfTradePrevention"] = self_trade_prevention
        request = Request("POST", ORDERS, json=body)
        reply = yield from self.session.authorized(request, trading=True)
        answer = decode(reply, OrderAnswer)
        return OrderResult(answer.order, answer.fills, created=reply.status == 201)

    def get_order(self, order_id: int) -> Flow[Order]:
        reply = yield from self.session.authorized(Request("GET", f"{ORDERS}/{order_id}"))
        return decode(reply, Order)

    def list_orders(
        self,
        *,
        status: OrderStatusFilter = "all",
        symbol: str | None = None,
        side: Side | None = None,
        client_order_id: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Flow[Page[Order]]:
        params = query(
            status=status,
            symbol=symbol,
            side=side,
            clientOrderId=client_order_id,
            to=end_ms,
            cursor=cursor,
            limit=limit,
        )
        if start_ms is not None:
            params["from"] = start_ms
        reply = yield from self.session.authorized(Request("GET", ORDERS, params=params))
        page = decode(reply, OrdersPage)
        return Page(page.orders, page.next_cursor)

    def get_order_by_client_id(self, client_order_id: str) -> Flow[Order | None]:
        """The newest order with this client order id, or None."""
        page = yield from self.list_orders(client_order_id=client_order_id, limit=1)
        return page.items[0] if page.items else None

    def amend_order(
        self,
        order_id: int,
        *,
        quantity: int | None = None,
        price: Decimal | str | int | None = None,
    ) -> Flow[OrderResult]:
        """Change quantity (the new total) and/or price. Reducing the quantity keeps the
        order's place in the queue; a price change or an increase sends it to the back."""
        body: dict[str, object] = {}
        if quantity is not None:
            body["quantity"] = quantity
        if price is not None:
            body["price"] = price_text(price)
        request = Request("PATCH", f"{ORDERS}/{order_id}", json=body)
        reply = yield from self.session.authorized(request, trading=True)
        answer = decode(reply, OrderAnswer)
        return OrderResult(answer.order, answer.fills, created=False)

    def cancel_order(self, order_id: int) -> Flow[Order]:
        request = Request("DELETE", f"{ORDERS}/{order_id}")
        reply = yield from self.session.authorized(request, trading=True)
        return decode(reply, OrderAnswer).order

    def cancel_all(self, symbol: str | None = None) -> Flow[list[Order]]:
        request = Request("DELETE", ORDERS, params=query(symbol=symbol))
        reply = yield from self.session.authorized(request, trading=True)
        return decode(reply, CancelledOrders).cancelled

    def list_fills(
        self,
        *,
        symbol: str | None = None,
        order_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Flow[Page[Fill]]:
        params = query(symbol=symbol, orderId=order_id, to=end_ms, cursor=cursor, limit=limit)
        if start_ms is not None:
            params["from"] = start_ms
        request = Request("GET", "/api/trading/fills", params=params)
        reply = yield from self.session.authorized(request)
        page = decode(reply, FillsPage)
        return Page(page.fills, page.next_cursor)

    def account(self) -> Flow[Account]:
        reply = yield from self.session.authorized(Request("GET", "/api/account"))
        return decode(reply, Account)

    def positions(self) -> Flow[list[Position]]:
        reply = yield from self.session.authorized(Request("GET", "/api/account/positions"))
        return decode(reply, Positions).positions

    # ------------------------------------------------------------------ market data

    def symbols(self) -> Flow[list[SymbolInfo]]:
        reply = yield Request("GET", f"{MARKET}/symbols")
        return decode(reply, SymbolList).symbols

    def tickers(self) -> Flow[list[Ticker]]:
        reply = yield Request("GET", f"{MARKET}/ticker")
        return decode(reply, TickerList).tickers

    def ticker(self, symbol: str) -> Flow[Ticker]:
        reply = yield Request("GET", f"{MARKET}/ticker/{symbol}")
        return decode(reply, Ticker)

    def depth(self, symbol: str, levels: int | None = None) -> Flow[Depth]:
        reply = yield Request("GET", f"{MARKET}/depth/{symbol}", params=query(levels=levels))
        return decode(reply, Depth)

    def trades(self, symbol: str, limit: int | None = None) -> Flow[list[Trade]]:
        reply = yield Request("GET", f"{MARKET}/trades/{symbol}", params=query(limit=limit))
        return decode(reply, TradeList).trades

    def candles(
        self, symbol: str, interval: CandleInterval = "1m", limit: int | None = None
    ) -> Flow[list[Candle]]:
        params = query(interval=interval, limit=limit)
        reply = yield Request("GET", f"{MARKET}/candles/{symbol}", params=params)
        return decode(reply, CandleList).candles

    def index(self, name: str | None = None) -> Flow[Index]:
        path = f"{MARKET}/index" if name is None else f"{MARKET}/index/{name}"
        reply = yield Request("GET", path)
        return decode(reply, Index)

    def index_history(self, name: str, limit: int | None = None) -> Flow[IndexHistory]:
        path = f"{MARKET}/index/{name}/history"
        reply = yield Request("GET", path, params=query(limit=limit))
        return decode(reply, IndexHistory)
