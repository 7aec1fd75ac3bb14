"""A subscriber that stops reading is cut off; the others never notice (real server, sockets).

The stalled client has a tiny socket receive buffer and stops reading, while it keeps
asking for book snapshots and the market keeps moving: its queue on the server fills
up and it is disconnected. Meanwhile 100 other subscribers keep applying every delta
and end with exactly the engine's book. When the stalled client finally reads, the
last things it gets are error 2013 and a close with code 1008 "slow consumer".
"""

from __future__ import annotations

import asyncio
import random
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from aurex.core.commands import PlaceOrder
from aurex.core.model import OrderType, Side

from .ws_support import ClientBook, Served, WsClient, serving, settle


async def _stalled_client(served: Served) -> WsClient:
    """A client whose socket buffers almost nothing, so not reading stalls the stream."""
    address = urlsplit(served.ws_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.bind(("127.0.0.9", 0))
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (address.hostname, address.port))
    return WsClient(await connect(served.ws_url, sock=sock, max_queue=1))


async def _follow(client: WsClient, book: ClientBook) -> None:
    while True:
        message = await client.recv()
        if message["type"] == "book":
            if message["kind"] == "snapshot":
                book.on_snapshot(message)
            else:
                assert book.on_delta(message), "a healthy subscriber saw a gap"


async def _orders(served: Served, rng: random.Random, count: int, start: int) -> None:
    commands = []
    for i in range(count):
        side = rng.choice((Side.BUY, Side.SELL))
        price = 23_450 + (-1 if side is Side.BUY else 1) * rng.randint(1, 300)
        commands.append(
            PlaceOrder(
                account=rng.choice(("mm-1", "mm-2")),
                client_order_id=f"s{start + i}",
                symbol="AAPL",
                side=side,
                order_type=OrderType.LIMIT,
                quantity=rng.randint(1, 50),
                price_ticks=price,
            )
        )
    await asyncio.gather(*(served.engine.submit(c) for c in commands))


async def test_a_stalled_subscriber_is_cut_off_while_100_others_keep_receiving(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path) as served:
        for account in ("mm-1", "mm-2"):
            await served.fund(account, ["AAPL"])
        rng = random.Random(5)
        await _orders(served, rng, 200, 0)

        others = [await served.connect(source=f"127.0.0.{2 + i // 25}") for i in range(100)]
        books = [ClientBook("AAPL") for _ in others]
        for client in others:
            reply = await client.request(op="subscribe", channel="book", symbol="AAPL", id=1)
            assert reply["type"] == "subscribed"
        followers = [asyncio.create_task(_follow(c, b)) for c, b in zip(others, books, strict=True)]

        stalled = await _stalled_client(served)
        for symbol in ("AAPL", "MSFT", "TSLA"):
            await stalled.send(op="subscribe", channel="book", symbol=symbol)
        await stalled.send(op="subscribe", channel="trades", symbol="AAPL")
        # From here on the stalled client only writes: it never reads again until cut off.
        sent = 200
        for _ in range(2_000):
            if served.hub.slow_consumers:
                break
            for _ in range(20):
                await stalled.send(op="subscribe", channel="book", symbol="AAPL")
            await _orders(served, rng, 20, sent)
            sent += 20
        assert served.hub.slow_consumers == 1
        await _orders(served, rng, 100, sent)  # the market goes on after the cut-off

        depth = await served.depth("AAPL")
        for book in books:
            await settle(lambda book=book: book.seq >= depth["seq"], "a follower catches up")
            assert book.as_depth() == depth
        assert all(not f.done() for f in followers), "a healthy subscriber stopped"

        last: dict[str, object] = {}
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                last = await stalled.recv()
        assert last["type"] == "error" and last["code"] == 2013, last
        assert "messages were waiting" in str(last["message"])
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "slow consumer")
        assert served.hub.clients == 100

        for follower in followers:
            follower.cancel()
        await asyncio.gather(*followers, return_exceptions=True)
        await asyncio.gather(*(client.close() for client in others))
