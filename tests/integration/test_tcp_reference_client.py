"""Done-when 2 of issue #7: the reference client (docs/protocol.md only) trades over TCP."""

from __future__ import annotations

from pathlib import Path

import pytest

from aurex.engine.queries import GetSymbol

from .tcp_reference_client import (
    BOOK,
    BUY,
    SELL,
    TICKER,
    TRADES,
    ReferenceClient,
    ServerError,
)
from .tcp_support import tcp_platform


async def test_reference_client_logs_in_trades_queries_and_receives_market_data(
    tmp_path: Path,
) -> None:
    async with tcp_platform(tmp_path) as tp:
        seller = await tp.trader("seller@example.com", shares={"AAPL": 100})
        buyer = await tp.trader("buyer@example.com")
        info = await tp.h.engine.query(GetSymbol("AAPL"))
        assert info is not None
        price = info.reference_price_ticks

        s = await ReferenceClient.connect(tp.host, tp.port)
        b = await ReferenceClient.connect(tp.host, tp.port)
        try:
            login = await b.login(buyer.access, buyer.trading, flags=0x01)
            assert login["user_id"] == buyer.user_id
            assert login["heartbeat_ms"] > 0 and login["max_frame"] >= 65_536
            await s.login(seller.access, seller.trading)

            await b.subscribe(TICKER | TRADES, "AAPL")
            await b.subscribe(BOOK, "AAPL")
            first_ticker = await b.next_pushed("ticker")
            assert first_ticker["symbol"] == "AAPL"
            snapshot = await b.next_pushed("book_snapshot")
            assert snapshot["symbol"] == "AAPL"

            ask = await s.submit("AAPL", SELL, 10, price, client_order_id="ask-1")
            assert ask["status_name"] == "new" and ask["flags"] & 0x01
            assert ask["leaves"] == 10 and ask["price_ticks"] == price
            level = await b.next_pushed("book_level")
            assert level == {
                "type": "book_level",
                "seq": snapshot["seq"] + 1,
                "side": SELL,
                "price_ticks": price,
                "quantity": 10,
                "symbol": "AAPL",
            }

            bid = await b.submit("AAPL", BUY, 4, price, client_order_id="bid-1")
            assert bid["status_name"] == "filled"
            assert bid["filled"] == 4 and bid["filled_cost_cents"] == 4 * price
            trade = await b.next_pushed("trade")
            assert (trade["symbol"], trade["price_ticks"], trade["quantity"]) == ("AAPL", price, 4)
            assert trade["aggressor"] == BUY

            status = await s.status(order_id=ask["order_id"])
            assert status["type"] == "order_status"
            assert (status["status_name"], status["filled"], status["leaves"]) == (
                "partially_filled",
                4,
                6,
            )
            by_client_id = await b.status(client_order_id="bid-1")
            assert by_client_id["order_id"] == bid["order_id"]

            amended = await s.amend(ask["order_id"], quantity=8)
            assert (amended["quantity"], amended["leaves"]) == (8, 4)
            cancelled = await s.cancel(ask["order_id"])
            assert cancelled["status_name"] == "cancelled" and cancelled["leaves"] == 0

            with pytest.raises(ServerError) as refused:
                await s.cancel(ask["order_id"])
            assert refused.value.code == 300  # UNKNOWN_ORDER, as REST answers

            # the buyer asked for its own order updates at login (flag 0x01)
            update = await b.next_pushed("order_status")
            assert update["request_id"] == 0 and update["order_id"] == bid["order_id"]

            assert (await b.logout())["type"] == "ack"
            assert (await b.next_pushed("closed", timeout=5))["type"] == "closed"
        finally:
            await s.close()
            await b.close()
