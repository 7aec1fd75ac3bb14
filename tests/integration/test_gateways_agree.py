"""Done-when 1 of issue #7: REST, gRPC and the binary TCP protocol are three doors to
one exchange. Against one running server (all three gateways on real sockets), orders
placed, amended, filled and cancelled through any door look the same through the
other two, and the same invalid input is refused with the same code by all three.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import grpc
import httpx
import pytest

from aurex.auth import memory_stores
from aurex.auth.mail import MaildirMailer
from aurex.bootstrap import Adapters, Platform
from aurex.config import Settings
from aurex.core.codes import RejectCode
from aurex.core.commands import AddSymbol
from aurex.gateways.codes import GatewayCode
from aurex.gateways.grpc import stock_service_pb2 as pb
from aurex.gateways.grpc import stock_service_pb2_grpc as pb_grpc

from .grpc_harness import aurex_code, metadata
from .serve_process import free_port
from .tcp_reference_client import BUY, SELL, ReferenceClient, ServerError
from .test_http_harness import OPENING_CASH_CENTS, Harness, Inbox, SettableClock
from .trading_helpers import Trader, trader

COARSE = "COARSE"
"""A symbol listed for this test with a 5-cent tick, so a price can be off its grid."""
COARSE_REFERENCE = 10_000
AAPL = 23_450  # AAPL's reference price in ticks (src/aurex/data/symbols.json)


class View(NamedTuple):
    """What every door must agree on for one order."""

    status: str
    quantity: int
    filled: int
    leaves: int
    price_ticks: int


@dataclass
class Exchange:
    """One running Aurex: REST, gRPC and TCP on their own ports."""

    h: Harness
    stub: pb_grpc.StockServiceStub
    tcp_port: int


@dataclass
class Member:
    """One user, logged in once over REST, with a connection through each door."""

    rest: Trader
    tcp: ReferenceClient
    stub: pb_grpc.StockServiceStub

    @property
    def md(self) -> tuple[tuple[str, str], ...]:
        return metadata(self.rest)

    # -- reading an order through each door -------------------------------------------

    async def via_rest(self, order_id: int) -> View:
        response = await self.rest.get(f"/api/trading/orders/{order_id}")
        assert response.status_code == 200, response.text
        o = response.json()
        price = 0 if o["price"] is None else int(Decimal(o["price"]) * 100)
        return View(o["status"], o["quantity"], o["filledQuantity"], o["leavesQuantity"], price)

    async def via_grpc(self, order_id: int) -> View:
        answer = await self.stub.OrderStatus(
            pb.OrderStatusRequest(order_id=str(order_id)),
            metadata=metadata(self.rest, trading=False),
        )
        o = answer.order
        assert answer.filled_quantity == o.filled_quantity
        return View(
            pb.OrderStatus.Name(o.status).lower(),
            o.quantity,
            o.filled_quantity,
            o.leaves_quantity,
            o.price_ticks,
        )

    async def via_tcp(self, order_id: int) -> View:
        o = await self.tcp.status(order_id=order_id)
        return View(o["status_name"], o["quantity"], o["filled"], o["leaves"], o["price_ticks"])

    async def seen(self, order_id: int) -> View:
        """The order through all three doors: they must agree."""
        rest, grpc_view, tcp = await asyncio.gather(
            self.via_rest(order_id), self.via_grpc(order_id), self.via_tcp(order_id)
        )
        assert rest == grpc_view == tcp, {"rest": rest, "grpc": grpc_view, "tcp": tcp}
        return rest

    async def fills(self) -> list[tuple[int, str, int, int]]:
        """(trade id, side, price ticks, quantity) of each fill, from REST, oldest first."""
        response = await self.rest.get("/api/trading/fills")
        assert response.status_code == 200, response.text
        return [
            (f["tradeId"], f["side"], int(Decimal(f["price"]) * 100), f["quantity"])
            for f in reversed(response.json()["fills"])
        ]


@asynccontextmanager
async def one_exchange(
    tmp_path: Path,
    *,
    orders_per_user_per_second: int = 5_000,
    monotonic: Callable[[], float] = time.monotonic,
) -> AsyncIterator[Exchange]:
    """``aurex serve``'s platform with HTTP, gRPC and TCP all listening on free ports."""
    clock = SettableClock()
    http_port = free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'aurex.db'}"
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        opening_cash_cents=OPENING_CASH_CENTS,
        http_port=http_port,
        grpc_port=0,
        tcp_port=0,
        orders_per_user_per_second=orders_per_user_per_second,
    )
    base_url = f"http://127.0.0.1:{http_port}"
    adapters = Adapters(
        clock=clock,
        stores=memory_stores(clock),
        mailer=MaildirMailer(tmp_path / "mail"),
        public_url=base_url,
        monotonic=monotonic,
    )
    platform = Platform(settings, adapters)
    await platform.start()
    try:
        async with (
            httpx.AsyncClient(base_url=base_url, timeout=10) as client,
            grpc.aio.insecure_channel(f"127.0.0.1:{platform.grpc_port}") as channel,
        ):
            h = Harness(
                app=platform.app,
                client=client,
                auth=platform.auth,
                clock=clock,
                engine=platform.engine,
                inbox=Inbox(tmp_path / "mail", None),
                database_url=url,
                data_dir=tmp_path,
                platform=platform,
            )
            await list_coarse(h)
            stub = pb_grpc.StockServiceStub(channel)  # type: ignore[no-untyped-call]
            yield Exchange(h, stub, platform.tcp_port)
    finally:
        await platform.stop()


@asynccontextmanager
async def members(ex: Exchange, *emails: str) -> AsyncIterator[list[Member]]:
    """Users who signed up and passed the e-mailed second factor over REST, each with
    100 shares of AAPL and COARSE, then logged in over TCP (with order updates)."""
    opened: list[Member] = []
    try:
        for email in emails:
            rest = await trader(ex.h, email, {"AAPL": 100, COARSE: 100})
            tcp = await ReferenceClient.connect("127.0.0.1", ex.tcp_port)
            opened.append(Member(rest, tcp, ex.stub))
            login = await tcp.login(rest.access, rest.trading, flags=0x01)
            assert login["user_id"] == rest.user_id
        yield opened
    finally:
        for m in opened:
            await m.tcp.close()


async def list_coarse(h: Harness) -> None:
    outcome = await h.submit(
        AddSymbol(
            symbol=COARSE,
            name="Coarse Tick Corp.",
            reference_price_ticks=COARSE_REFERENCE,
            shares_outstanding=1_000_000,
            tick_size_ticks=5,
        )
    )
    assert outcome.rejection is None


# -- placing, amending and cancelling through each door ----------------------------------


async def rest_place(m: Member, side: int, quantity: int, price: int, symbol: str = "AAPL") -> int:
    placed = await m.rest.placed(
        symbol=symbol,
        side="buy" if side == BUY else "sell",
        quantity=quantity,
        price=str(Decimal(price) / 100),
    )
    return int(placed["order"]["orderId"])


async def grpc_place(m: Member, side: int, quantity: int, price: int, cid: str) -> pb.OrderResponse:
    request = pb.OrderRequest(
        order_id=cid,
        symbol="AAPL",
        side=pb.BUY if side == BUY else pb.SELL,
        type=pb.LIMIT,
        quantity=quantity,
        price=price / 100,  # the spec's double, converted exactly
    )
    answer: pb.OrderResponse = await m.stub.SubmitOrder(request, metadata=m.md)
    return answer


async def test_orders_look_the_same_through_rest_grpc_and_tcp(tmp_path: Path) -> None:
    async with (
        one_exchange(tmp_path) as ex,
        members(ex, "ann@example.com", "bob@example.com", "cat@example.com") as (ann, bob, cat),
    ):
        # a sell placed over TCP is visible, the same, over REST and gRPC
        ask = await ann.tcp.submit("AAPL", SELL, 10, AAPL, client_order_id="ann-ask")
        assert ask["status_name"] == "new"
        ask_id = ask["order_id"]
        assert await ann.seen(ask_id) == View("new", 10, 0, 10, AAPL)

        # a gRPC buy fills against the TCP sell: both orders and both fills agree
        bid = await grpc_place(bob, BUY, 4, AAPL, "bob-bid")
        assert bid.status == pb.FILLED and int(bid.order_id) > 0
        bid_id = int(bid.order_id)
        assert [(f.price_ticks, f.quantity, f.maker) for f in bid.fills] == [(AAPL, 4, False)]
        assert await bob.seen(bid_id) == View("filled", 4, 4, 0, AAPL)
        assert await ann.seen(ask_id) == View("partially_filled", 10, 4, 6, AAPL)
        # ann's TCP connection was sent her order as it changed: new, then the fill
        pushed = [await ann.tcp.next_pushed("order_status") for _ in range(2)]
        assert [(u["order_id"], u["filled"], u["leaves"]) for u in pushed] == [
            (ask_id, 0, 10),
            (ask_id, 4, 6),
        ]
        (ann_fill,) = await ann.fills()
        (bob_fill,) = await bob.fills()
        assert ann_fill == (bob_fill[0], "sell", AAPL, 4)
        assert bob_fill == (bid.fills[0].trade_id, "buy", AAPL, 4)

        # amended over REST (smaller: keeps its place), then over gRPC, then over TCP
        patched = await ann.rest.h.client.patch(
            f"/api/trading/orders/{ask_id}", json={"quantity": 9}, headers=ann.rest.headers
        )
        assert patched.status_code == 200, patched.text
        assert await ann.seen(ask_id) == View("partially_filled", 9, 4, 5, AAPL)
        amended = await ann.stub.AmendOrder(
            pb.AmendOrderRequest(order_id=str(ask_id), quantity=8), metadata=ann.md
        )
        assert amended.order.leaves_quantity == 4
        assert await ann.seen(ask_id) == View("partially_filled", 8, 4, 4, AAPL)
        repriced = await ann.tcp.amend(ask_id, price_ticks=AAPL + 5)
        assert (repriced["price_ticks"], repriced["leaves"]) == (AAPL + 5, 4)
        assert await ann.seen(ask_id) == View("partially_filled", 8, 4, 4, AAPL + 5)

        # a REST buy takes part of it; all three doors see the fill on both orders
        taken_id = await rest_place(cat, BUY, 3, AAPL + 5)
        assert await cat.seen(taken_id) == View("filled", 3, 3, 0, AAPL + 5)
        assert await ann.seen(ask_id) == View("partially_filled", 8, 7, 1, AAPL + 5)
        assert [f[1:] for f in await cat.fills()] == [("buy", AAPL + 5, 3)]

        # cancelled over gRPC: ended everywhere; a second cancel is refused everywhere
        cancelled = await ann.stub.CancelOrder(
            pb.CancelOrderRequest(order_id=str(ask_id)), metadata=ann.md
        )
        assert cancelled.status == pb.CANCELLED
        assert await ann.seen(ask_id) == View("cancelled", 8, 7, 0, AAPL + 5)

        # a resting REST order cancelled over TCP, and a resting gRPC one over REST
        resting_id = await rest_place(cat, BUY, 2, AAPL - 100)
        assert await cat.seen(resting_id) == View("new", 2, 0, 2, AAPL - 100)
        assert (await cat.tcp.cancel(resting_id))["status_name"] == "cancelled"
        assert await cat.seen(resting_id) == View("cancelled", 2, 0, 0, AAPL - 100)
        grpc_resting = await grpc_place(bob, SELL, 1, AAPL + 300, "bob-rest")
        grpc_resting_id = int(grpc_resting.order_id)
        assert await bob.seen(grpc_resting_id) == View("new", 1, 0, 1, AAPL + 300)
        gone = await bob.rest.h.client.delete(
            f"/api/trading/orders/{grpc_resting_id}", headers=bob.rest.headers
        )
        assert gone.status_code == 200, gone.text
        assert await bob.seen(grpc_resting_id) == View("cancelled", 1, 0, 0, AAPL + 300)

        # nothing is left open, whichever door asks
        for m in (ann, bob, cat):
            assert await m.rest.open_orders() == []


# -- the same refusal through every door -------------------------------------------------


@dataclass(frozen=True)
class Bad:
    """An invalid request and the code every gateway must refuse it with."""

    name: str
    code: int
    symbol: str = "AAPL"
    side: int = BUY
    quantity: int = 1
    price_ticks: int = AAPL
    cancel: int = 0
    """Non-zero: cancel this order id instead of placing an order."""
    client_order_id: str = ""
    """Empty: a valid one, different for each door."""

    def cid(self, door: str) -> str:
        return self.client_order_id or f"bad-{door}-{self.name.replace(' ', '-')}"


UNKNOWN_ORDER_ID = 987_654_321
BAD_INPUTS = [
    Bad("off-tick price", RejectCode.PRICE_OFF_TICK, symbol=COARSE, price_ticks=10_001),
    Bad("price outside the band", RejectCode.PRICE_OUTSIDE_BAND, price_ticks=AAPL * 2),
    Bad("zero quantity", GatewayCode.INVALID_FIELD, quantity=0),
    Bad("unknown symbol", RejectCode.UNKNOWN_SYMBOL, symbol="NOPE"),
    Bad("unknown order cancelled", RejectCode.UNKNOWN_ORDER, cancel=UNKNOWN_ORDER_ID),
    Bad("insufficient cash", RejectCode.INSUFFICIENT_CASH, quantity=500),
    Bad("insufficient shares", RejectCode.INSUFFICIENT_POSITION, side=SELL, quantity=101),
    Bad("client order id with a space", RejectCode.INVALID_CLIENT_ORDER_ID, client_order_id="a b"),
]


async def refused_by_rest(m: Member, bad: Bad) -> int:
    client = m.rest.h.client
    if bad.cancel:
        response = await client.delete(f"/api/trading/orders/{bad.cancel}", headers=m.rest.headers)
    else:
        response = await m.rest.place(
            clientOrderId=bad.cid("rest"),
            symbol=bad.symbol,
            side="buy" if bad.side == BUY else "sell",
            quantity=bad.quantity,
            price=str(Decimal(bad.price_ticks) / 100),
        )
    assert response.status_code >= 400, response.text
    return int(response.json()["code"])


async def refused_by_grpc(m: Member, bad: Bad) -> int:
    call: Awaitable[Any]
    if bad.cancel:
        call = m.stub.CancelOrder(pb.CancelOrderRequest(order_id=str(bad.cancel)), metadata=m.md)
    else:
        request = pb.OrderRequest(
            order_id=bad.cid("grpc"),
            symbol=bad.symbol,
            side=pb.BUY if bad.side == BUY else pb.SELL,
            type=pb.LIMIT,
            quantity=bad.quantity,
            price=bad.price_ticks / 100,
        )
        call = m.stub.SubmitOrder(request, metadata=m.md)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call
    return aurex_code(refused.value)


async def refused_by_grpc_stream(m: Member, bad: Bad) -> int:
    """The OrderEntry stream answers a refusal in the response's ``code``."""
    entry = pb.OrderEntryRequest(request_id=1)
    if bad.cancel:
        entry.cancel.CopyFrom(pb.CancelOrderRequest(order_id=str(bad.cancel)))
    else:
        entry.submit.CopyFrom(
            pb.OrderRequest(
                order_id=bad.cid("grpc-stream"),
                symbol=bad.symbol,
                side=pb.BUY if bad.side == BUY else pb.SELL,
                type=pb.LIMIT,
                quantity=bad.quantity,
                price_ticks=bad.price_ticks,
            )
        )
    call = m.stub.OrderEntry(metadata=m.md)
    await call.write(pb.OrderEntryBatch(requests=[entry]))
    await call.done_writing()
    answers = [r async for batch in call for r in batch.responses]
    assert len(answers) == 1 and answers[0].request_id == 1
    return int(answers[0].code)


async def refused_by_tcp(m: Member, bad: Bad) -> int:
    with pytest.raises(ServerError) as refused:
        if bad.cancel:
            await m.tcp.cancel(bad.cancel)
        else:
            await m.tcp.submit(
                bad.symbol,
                bad.side,
                bad.quantity,
                bad.price_ticks,
                client_order_id=bad.cid("tcp"),
            )
    assert not refused.value.fatal  # the connection keeps serving
    return refused.value.code


DOORS: dict[str, Callable[[Member, Bad], Awaitable[int]]] = {
    "rest": refused_by_rest,
    "grpc": refused_by_grpc,
    "grpc-stream": refused_by_grpc_stream,
    "tcp": refused_by_tcp,
}


async def test_the_same_invalid_input_gets_the_same_code_through_every_door(
    tmp_path: Path,
) -> None:
    async with one_exchange(tmp_path) as ex, members(ex, "dan@example.com") as (dan,):
        codes = {
            bad.name: {door: await refuse(dan, bad) for door, refuse in DOORS.items()}
            for bad in BAD_INPUTS
        }
        expected = {bad.name: dict.fromkeys(DOORS, int(bad.code)) for bad in BAD_INPUTS}
        assert codes == expected
        # refusals changed nothing, and every door still serves the same user
        assert await dan.rest.open_orders() == []
        ok = await dan.tcp.submit(COARSE, BUY, 1, COARSE_REFERENCE - 5)
        assert await dan.seen(ok["order_id"]) == View("new", 1, 0, 1, COARSE_REFERENCE - 5)
