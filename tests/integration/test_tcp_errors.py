"""Done-when 3 of issue #7 for TCP: bad input gets a precise error, others keep trading.

Each test runs the real platform's TCP server (bound by ``Platform.start``) or, for
the timers, a second server on the same engine with short timeouts.
"""

from __future__ import annotations

import asyncio
import os
import struct
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from aurex.core.commands import AddSymbol
from aurex.engine.queries import GetOrder, GetSymbol
from aurex.gateways.tcp.server import TcpServer
from aurex.gateways.tcp.session import TcpOptions

from .tcp_reference_client import BUY, ORDER_SUBMIT, SELL, ReferenceClient, ServerError
from .tcp_support import TcpPlatform, tcp_platform
from .trading_helpers import Trader


@asynccontextmanager
async def logged_in(tp: TcpPlatform, who: Trader, flags: int = 0) -> AsyncIterator[ReferenceClient]:
    client = await ReferenceClient.connect(tp.host, tp.port)
    try:
        await client.login(who.access, who.trading, flags)
        yield client
    finally:
        await client.close()


async def _code(call: Awaitable[object]) -> int:
    with pytest.raises(ServerError) as refused:
        await call
    return refused.value.code


async def _reference_price(tp: TcpPlatform, symbol: str = "AAPL") -> int:
    info = await tp.h.engine.query(GetSymbol(symbol))
    assert info is not None
    return info.reference_price_ticks


async def test_requests_before_login_are_refused_and_the_connection_stays(tmp_path: Path) -> None:
    async with tcp_platform(tmp_path) as tp:
        ann = await tp.trader("ann@example.com")
        client = await ReferenceClient.connect(tp.host, tp.port)
        try:
            assert await _code(client.submit("AAPL", BUY, 1, 100)) == 2012
            assert await _code(client.status(order_id=1)) == 2012
            assert await _code(client.subscribe(1, "AAPL")) == 2012
            assert await _code(client.login("not-a-jwt", ann.trading)) == 1031
            assert await _code(client.login(ann.access, "")) == 2006
            assert await _code(client.login(ann.access, "wrong-trading-token")) == 1033
            assert await _code(client.login(ann.access, ann.trading, flags=0x80)) == 2001
            await client.login(ann.access, ann.trading)
            assert await _code(client.login(ann.access, ann.trading)) == 2042
            price = await _reference_price(tp)
            assert (await client.submit("AAPL", BUY, 1, price))["status_name"] == "new"
        finally:
            await client.close()


async def test_bad_frames_get_precise_errors_with_their_request_ids(tmp_path: Path) -> None:
    async with tcp_platform(tmp_path) as tp:
        ann = await tp.trader("ann@example.com")
        async with logged_in(tp, ann) as client:
            assert await _code(client.call(0x42, b"")) == 2040  # unknown type
            assert await _code(client.call(ORDER_SUBMIT, b"\x00\x01")) == 2000  # truncated
            assert await _code(client.call(0x07, b"\x00")) == 2000  # trailing byte
            bad_side = client.submit_payload("AAPL", BUY, 1, 100)
            bad_side = bytes([9]) + bad_side[1:]
            assert await _code(client.call(ORDER_SUBMIT, bad_side)) == 2001
            assert await _code(client.status()) == 2001  # neither order id nor client id
            assert await _code(client.status(order_id=999_999)) == 2004
            assert await _code(client.subscribe(0, "AAPL")) == 2001
            assert await _code(client.subscribe(4)) == 2001  # book needs a symbol
            assert await _code(client.subscribe(1, "NOPE")) == 2003
            assert await _code(client.amend(12345)) == 2001  # nothing to change
            assert await _code(client.cancel(order_id=12345)) == 300
            # after all that, the connection still trades
            price = await _reference_price(tp)
            assert (await client.submit("AAPL", BUY, 1, price))["status_name"] == "new"


async def test_out_of_range_and_off_grid_numbers_get_the_engine_and_gateway_codes(
    tmp_path: Path,
) -> None:
    async with tcp_platform(tmp_path) as tp:
        listed = await tp.h.submit(
            AddSymbol(
                symbol="NICK",
                name="Nickel Co",
                reference_price_ticks=10_000,
                shares_outstanding=1_000_000,
                tick_size_ticks=5,
            )
        )
        assert listed.rejection is None
        ann = await tp.trader("ann@example.com")
        async with logged_in(tp, ann) as client:
            expected = {
                (1, 10_000): None,
                (0, 10_000): 2001,
                (-5, 10_000): 2001,
                (10**13, 10_000): 2001,
                (1, -10_000): 2001,
                (1, 10**12): 2001,
                (1, 10_001): 105,  # off the 5-tick grid
                (1, 50_000): 106,  # outside the price band
            }
            for (quantity, price), code in expected.items():
                call = client.submit("NICK", BUY, quantity, price)
                if code is None:
                    assert (await call)["status_name"] == "new"
                else:
                    assert await _code(call) == code, (quantity, price)
            assert await _code(client.submit("NOPE", BUY, 1, 100)) == 100
            assert await _code(client.submit("NICK", BUY, 1, 0)) == 104  # limit without price
            assert await _code(client.submit("NICK", SELL, 1, 10_000)) == 202  # no shares


async def test_an_absurd_length_closes_only_that_connection(tmp_path: Path) -> None:
    async with tcp_platform(tmp_path) as tp:
        ann = await tp.trader("ann@example.com")
        async with logged_in(tp, ann) as good:
            bad = await ReferenceClient.connect(tp.host, tp.port)
            try:
                bad.send_raw(struct.pack("<IB", 0xFFFF_FFF0, ORDER_SUBMIT))
                error = await bad.next_pushed("error")
                assert (error["code"], error["fatal"]) == (2002, True)
                await bad.next_pushed("closed")
            finally:
                await bad.close()
            price = await _reference_price(tp)
            assert (await good.submit("AAPL", BUY, 1, price))["status_name"] == "new"


async def test_a_burst_of_random_bytes_from_100_connections_leaves_trading_intact(
    tmp_path: Path,
) -> None:
    async with tcp_platform(tmp_path) as tp:
        ann = await tp.trader("ann@example.com", shares={"AAPL": 1000})
        bob = await tp.trader("bob@example.com")
        price = await _reference_price(tp)

        async def noise(n: int) -> None:
            reader, writer = await asyncio.open_connection(tp.host, tp.port)
            try:
                for _ in range(20):
                    writer.write(os.urandom(200 + n))
                    await writer.drain()
                    await asyncio.sleep(0)
                await asyncio.wait_for(reader.read(), 10)  # the server answers, then closes
            except (ConnectionError, TimeoutError):
                pass
            finally:
                writer.close()

        async with logged_in(tp, ann) as seller, logged_in(tp, bob) as buyer:
            burst = asyncio.gather(*(noise(n) for n in range(100)))
            fills = 0
            for i in range(20):
                await seller.submit("AAPL", SELL, 1, price, client_order_id=f"s{i}")
                bought = await buyer.submit("AAPL", BUY, 1, price, client_order_id=f"b{i}")
                fills += bought["filled"]
            await burst
            assert fills == 20
        async with logged_in(tp, bob) as again:  # and new connections are served
            assert (await again.status(client_order_id="b19"))["status_name"] == "filled"


# -- timers and disconnects, on a second server with short timeouts ---------------------


@asynccontextmanager
async def quick_server(tp: TcpPlatform) -> AsyncIterator[int]:
    options = TcpOptions(heartbeat_s=0.2, idle_timeout_s=1.0, login_timeout_s=0.5)
    server = TcpServer(tp.platform.engine, tp.platform.auth.sessions, options=options)
    _, port = await server.start("127.0.0.1", 0)
    try:
        yield port
    finally:
        await server.stop()


async def test_a_silent_peer_is_told_and_closed_after_the_login_timeout(tmp_path: Path) -> None:
    async with tcp_platform(tmp_path) as tp, quick_server(tp) as port:
        silent = await ReferenceClient.connect("127.0.0.1", port)
        try:
            error = await silent.next_pushed("error", timeout=5)
            assert (error["code"], error["fatal"], error["request_id"]) == (2041, True, 0)
            await silent.next_pushed("closed", timeout=5)
        finally:
            await silent.close()


async def test_heartbeats_flow_and_a_quiet_logged_in_client_times_out(tmp_path: Path) -> None:
    async with tcp_platform(tmp_path) as tp, quick_server(tp) as port:
        ann = await tp.trader("ann@example.com")
        client = await ReferenceClient.connect("127.0.0.1", port)
        try:
            answer = await client.login(ann.access, ann.trading)
            assert (answer["heartbeat_ms"], answer["idle_timeout_ms"]) == (200, 1000)
            for _ in range(6):  # 1.2 s of client heartbeats keep the session alive
                client.heartbeat()
                await client.next_pushed("heartbeat", timeout=5)
            error = await client.next_pushed("error", timeout=5)
            assert (error["code"], error["fatal"]) == (2041, True)
        finally:
            await client.close()


async def test_orders_stay_after_a_disconnect_unless_cancel_on_disconnect_was_asked(
    tmp_path: Path,
) -> None:
    async with tcp_platform(tmp_path) as tp:
        ann = await tp.trader("ann@example.com")
        price = await _reference_price(tp)
        async with logged_in(tp, ann) as plain:
            kept = await plain.submit("AAPL", BUY, 1, price, client_order_id="kept")
        async with logged_in(tp, ann, flags=0x02) as careful:
            gone = await careful.submit("AAPL", BUY, 1, price, client_order_id="gone")
            ended = await careful.submit("AAPL", BUY, 1, price, client_order_id="ended")
            await careful.cancel(ended["order_id"])
        engine = tp.platform.engine
        for _ in range(100):
            state = await engine.query(GetOrder(ann.user_id, gone["order_id"]))
            if state is not None and not state.is_open:
                break
            await asyncio.sleep(0.05)
        assert state is not None and state.status.name == "CANCELLED"
        still = await engine.query(GetOrder(ann.user_id, kept["order_id"]))
        assert still is not None and still.is_open


async def test_many_requests_in_flight_are_each_answered_by_request_id(tmp_path: Path) -> None:
    async with tcp_platform(tmp_path) as tp:
        ann = await tp.trader("ann@example.com")
        price = await _reference_price(tp)
        async with logged_in(tp, ann) as client:
            futures = [
                client.request(ORDER_SUBMIT, client.submit_payload("AAPL", BUY, 1, price))
                for _ in range(200)
            ]
            futures.append(client.request(0x02, struct.pack("<Q", 0) + b"\x00"))  # invalid
            answers = await asyncio.wait_for(asyncio.gather(*futures), 30)
            assert [a["type"] for a in answers[:-1]] == ["order_response"] * 200
            assert len({a["order_id"] for a in answers[:-1]}) == 200
            assert (answers[-1]["type"], answers[-1]["code"]) == ("error", 2001)
