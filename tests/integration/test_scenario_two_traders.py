"""Two new users trade through ``aurex.client`` against a real ``aurex serve`` over
sockets: sign-up, e-mail verification, login with the second factor, a resting order
seen in REST depth and on the WebSocket book, partial then full fills seen on both
private channels and in paginated history, amend priority, cancel, cancel-all and an
idempotent client order id.

Aurex has no API to deposit shares yet (only cash, by an administrator), so the seller
gets hers the way an operator would today: between two runs of the server, through
the composition root on the same data directory.
"""

from __future__ import annotations

import asyncio
import mailbox
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

from aurex.bootstrap import Platform
from aurex.client import (
    AsyncAurexClient,
    AurexClient,
    AurexStream,
    BookEvent,
    FillEvent,
    NotFound,
    Order,
    OrderEvent,
    StreamEvent,
    websocket_url,
)
from aurex.config import Settings
from aurex.core.commands import Deposit

from .serve_process import PASSWORD, free_port, serve


def other_ports() -> dict[str, str]:
    """Free ports for the gateways besides HTTP, so parallel servers do not collide."""
    return {"AUREX_GRPC_PORT": str(free_port()), "AUREX_TCP_PORT": str(free_port())}


SYMBOL = "AAPL"
TICK = Decimal("0.01")


def _mail_to(mail_dir: Path, address: str) -> list[str]:
    box = mailbox.Maildir(mail_dir, create=False)
    found = [
        m
        for m in box
        if isinstance(m, mailbox.MaildirMessage) and str(m["To"]).lower() == address.lower()
    ]
    found.sort(key=lambda m: m.get_date())
    bodies: list[str] = []
    for message in found:
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        bodies.append(payload.decode())
    return bodies


def mailed_code(mail_dir: Path, address: str) -> str:
    codes = [
        c for body in _mail_to(mail_dir, address) for c in re.findall(r"code is (\d{6})", body)
    ]
    assert codes, f"no login code mailed to {address}"
    return str(codes[-1])


def verification_token(mail_dir: Path, address: str) -> str:
    tokens = [t for b in _mail_to(mail_dir, address) for t in re.findall(r"token=([\w\-]+)", b)]
    assert tokens, f"no verification link mailed to {address}"
    return str(tokens[-1])


async def deposit_shares(data_dir: Path, account: str, symbol: str, shares: int) -> None:
    """The operator's step: credit shares with the server stopped (see the docstring)."""
    platform = Platform(Settings(data_dir=data_dir))
    await platform.start(serve_http=False)
    try:
        outcome = await platform.engine.submit(
            Deposit(account=account, symbol=symbol, shares=shares)
        )
        assert outcome.rejection is None, outcome.rejection
    finally:
        await platform.stop()


async def until(
    stream: AurexStream, wanted: Callable[[StreamEvent], bool], timeout: float = 15.0
) -> list[StreamEvent]:
    """Events up to and including the first one ``wanted`` accepts."""
    seen: list[StreamEvent] = []
    async with asyncio.timeout(timeout):
        while True:
            event = await stream.next_event()
            seen.append(event)
            if wanted(event):
                return seen


async def eventually(check: Callable[[], object], timeout: float = 15.0) -> None:
    """Retry a blocking check (history is written by the projector, just after)."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                await asyncio.to_thread(check)
                return
            except AssertionError:
                await asyncio.sleep(0.1)


@asynccontextmanager
async def book_stream(url: str) -> AsyncIterator[AurexStream]:
    async with AurexStream(websocket_url(url)) as stream:
        await stream.subscribe("book", SYMBOL)
        await until(stream, lambda e: isinstance(e, BookEvent) and e.snapshot)
        yield stream


def fills_of(events: list[StreamEvent]) -> list[tuple[int, int, str]]:
    return [
        (e.fill.order_id, e.fill.quantity, e.fill.liquidity)
        for e in events
        if isinstance(e, FillEvent)
    ]


async def test_two_new_users_trade_through_the_python_client(tmp_path: Path) -> None:
    ann, bob = "ann@example.com", "bob@example.com"
    data_dir = tmp_path / "var"
    mail_dir = data_dir / "mail"

    # -- first run: both sign up; Ann confirms her address with the mailed link
    with serve(tmp_path, other_ports()) as server, AurexClient(server.url) as client:
        ann_id = client.signup(ann, PASSWORD, "Ann", "Lee", "GB").user_id
        client.signup(bob, PASSWORD, "Bob", "Roy", "US")
        client.verify_email(verification_token(mail_dir, ann))
    await deposit_shares(data_dir, ann_id, SYMBOL, 1_000)

    # -- second run: both log in with the e-mailed second factor
    with serve(tmp_path, other_ports()) as server:
        seller = AurexClient(server.url, second_factor=lambda _: mailed_code(mail_dir, ann))
        buyer = AsyncAurexClient(server.url)
        asked: list[str] = []

        async def buyer_code(kind: str) -> str:
            asked.append(kind)
            return mailed_code(mail_dir, bob)

        with seller:
            async with buyer:
                await asyncio.to_thread(seller.login, ann, PASSWORD)
                await buyer.login(bob, PASSWORD, second_factor=buyer_code)
                assert asked == ["email"]
                account = await asyncio.to_thread(seller.account)
                assert account.email_verified and account.positions[0].shares == 1_000
                await trade(server.url, seller, buyer)


async def trade(url: str, seller: AurexClient, buyer: AsyncAurexClient) -> None:
    info = next(s for s in await buyer.symbols() if s.symbol == SYMBOL)
    price = info.reference_price
    assert seller.session.credentials is not None
    async with (
        book_stream(url) as market,
        AurexStream(websocket_url(url), token=seller.session.credentials.access_token) as ann_ws,
        buyer.stream() as bob_ws,
    ):
        await ann_ws.subscribe("orders")
        await bob_ws.subscribe("orders")

        # a resting sell, in REST depth and on the WebSocket book
        resting = await asyncio.to_thread(
            seller.place_order, SYMBOL, "sell", 10, price=price, client_order_id="ann-1"
        )
        assert resting.created and resting.order.status == "new"
        order_id = resting.order.order_id
        depth = await buyer.depth(SYMBOL, levels=5)
        assert (depth.asks[0].price, depth.asks[0].quantity) == (price, 10)
        await until(market, lambda e: isinstance(e, BookEvent) and e.book.best_ask() == (price, 10))

        # Bob takes 4, then the remaining 6
        first = await buyer.place_order(SYMBOL, "buy", 4, price=price, time_in_force="ioc")
        assert first.order.status == "filled" and first.fills[0].quantity == 4
        assert (await buyer.get_order(first.order.order_id)).filled_quantity == 4
        partially = await asyncio.to_thread(seller.get_order, order_id)
        assert (partially.status, partially.leaves_quantity) == ("partially_filled", 6)
        await buyer.place_order(SYMBOL, "buy", 6, price=price, time_in_force="ioc")
        await until(market, lambda e: isinstance(e, BookEvent) and e.book.best_ask() is None)

        # both see their fills on the private channel...
        ann_events = await until(
            ann_ws, lambda e: isinstance(e, OrderEvent) and e.order.status == "filled"
        )
        assert (order_id, 4, "maker") in fills_of(ann_events)
        ann_events += await until(
            ann_ws, lambda e: isinstance(e, FillEvent) and e.fill.quantity == 6
        )
        assert [q for _, q, _ in fills_of(ann_events)] == [4, 6]
        bob_events = await until(
            bob_ws,
            lambda e: (
                isinstance(e, FillEvent)
                and e.fill.order_leaves_quantity == 0
                and e.fill.quantity == 6
            ),
        )
        assert sorted(q for _, q, liq in fills_of(bob_events) if liq == "taker") == [4, 6]

        # ... and in paginated history (one fill per page)
        def ann_history() -> None:
            page = seller.list_fills(symbol=SYMBOL, limit=1)
            assert page.next_cursor is not None
            fills = list(seller.iter_fills(symbol=SYMBOL, page_size=1))
            assert [(f.order_id, f.quantity, f.price) for f in fills] == [
                (order_id, 6, price),
                (order_id, 4, price),
            ]

        await eventually(ann_history)
        bob_fills = [f async for f in buyer.iter_fills(page_size=1)]
        assert [f.quantity for f in bob_fills] == [6, 4]
        assert all(f.liquidity == "taker" and f.side == "buy" for f in bob_fills)
        bob_orders = [o async for o in buyer.iter_orders(status="closed", page_size=1)]
        assert [o.status for o in bob_orders] == ["filled", "filled"]

        await amend_priority(seller, buyer, ann_ws, price + TICK)
        await cancels_and_retries(seller, price + 5 * TICK)


async def amend_priority(
    seller: AurexClient, buyer: AsyncAurexClient, ann_ws: AurexStream, price: Decimal
) -> None:
    """Two resting sells at one price: reducing keeps the queue place; an increase or
    a new price loses it. Each probe buys one share and asks whose order it hit."""
    place = seller.place_order
    a = (await asyncio.to_thread(place, SYMBOL, "sell", 5, price=price)).order
    b = (await asyncio.to_thread(place, SYMBOL, "sell", 5, price=price)).order

    async def next_maker() -> int:
        taken = await buyer.place_order(SYMBOL, "buy", 1, price=price, time_in_force="ioc")
        trade_id = taken.fills[0].trade_id
        seen = await until(
            ann_ws, lambda e: isinstance(e, FillEvent) and e.fill.trade_id == trade_id
        )
        last = seen[-1]
        assert isinstance(last, FillEvent)
        return last.fill.order_id

    reduced = await asyncio.to_thread(seller.amend_order, a.order_id, quantity=4)
    assert (reduced.order.quantity, reduced.order.leaves_quantity) == (4, 4)
    assert await next_maker() == a.order_id  # a kept its place

    await asyncio.to_thread(seller.amend_order, a.order_id, quantity=6)
    assert await next_maker() == b.order_id  # a went behind b

    await asyncio.to_thread(seller.amend_order, b.order_id, price=price + TICK)
    await asyncio.to_thread(seller.amend_order, b.order_id, price=price)
    assert await next_maker() == a.order_id  # b went behind a
    await asyncio.to_thread(seller.cancel_all, SYMBOL)


async def cancels_and_retries(seller: AurexClient, price: Decimal) -> None:
    place = seller.place_order
    one = (await asyncio.to_thread(place, SYMBOL, "sell", 3, price=price)).order
    cancelled = await asyncio.to_thread(seller.cancel_order, one.order_id)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "user_requested")
    try:
        await asyncio.to_thread(seller.cancel_order, one.order_id)
        raise AssertionError("cancelling twice should fail")
    except NotFound as refused:
        assert (refused.status, refused.code) == (404, 300)

    first = await asyncio.to_thread(
        place, SYMBOL, "sell", 2, price=price, client_order_id="retry-7"
    )
    again = await asyncio.to_thread(
        place, SYMBOL, "sell", 2, price=price, client_order_id="retry-7"
    )
    assert first.created and not again.created
    assert again.order.order_id == first.order.order_id
    found = await asyncio.to_thread(seller.get_order_by_client_id, "retry-7")
    assert isinstance(found, Order) and found.order_id == first.order.order_id

    others = [
        (await asyncio.to_thread(place, SYMBOL, "sell", 1, price=price + n * TICK)).order.order_id
        for n in range(1, 4)
    ]
    open_ids = {
        o.order_id for o in await asyncio.to_thread(lambda: list(seller.iter_orders(status="open")))
    }
    assert open_ids == {first.order.order_id, *others}
    gone = await asyncio.to_thread(seller.cancel_all)
    assert {o.order_id for o in gone} == open_ids
    assert all(o.status == "cancelled" for o in gone)
    assert (await asyncio.to_thread(seller.list_orders, status="open")).items == []
