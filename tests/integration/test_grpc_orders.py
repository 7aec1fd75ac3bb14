"""gRPC order entry against a real server: submit, status, amend, cancel, the OrderEntry
stream and the per-account update stream, with the same codes as REST."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from aurex.engine.queries import OpenOrders
from aurex.gateways.grpc import stock_service_pb2 as pb

from .grpc_harness import aurex_code, metadata, running_grpc


def limit(
    cid: str, side: int, quantity: int, price: float, symbol: str = "AAPL"
) -> pb.OrderRequest:
    return pb.OrderRequest(
        order_id=cid, symbol=symbol, side=side, type=pb.LIMIT, quantity=quantity, price=price
    )


async def test_submit_fill_status_amend_cancel(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        seller = await g.trader("seller@example.com", {"AAPL": 100})
        buyer = await g.trader("buyer@example.com")
        rest = await g.stub.SubmitOrder(limit("s1", pb.SELL, 10, 234.51), metadata=metadata(seller))
        assert rest.status == pb.NEW and rest.order_id.isdigit()
        assert rest.order.price_ticks == 23451 and rest.client_order_id == "s1"
        taken = await g.stub.SubmitOrder(
            pb.OrderRequest(
                order_id="b1",
                user_id=buyer.user_id,
                symbol="AAPL",
                side=pb.BUY,
                type=pb.IOC,
                quantity=4,
                price_ticks=23451,
            ),
            metadata=metadata(buyer),
        )
        assert taken.status == pb.FILLED and taken.filled_quantity == 4
        assert taken.avg_fill_price == 234.51 and taken.avg_fill_price_exact == "234.5100"
        assert [(f.quantity, f.price_ticks, f.maker) for f in taken.fills] == [(4, 23451, False)]
        assert taken.order.time_in_force == pb.TIME_IN_FORCE_IOC

        status = await g.stub.OrderStatus(
            pb.OrderStatusRequest(order_id=rest.order_id), metadata=metadata(seller, trading=False)
        )
        assert (status.status, status.quantity, status.filled_quantity) == (
            pb.PARTIALLY_FILLED,
            10,
            4,
        )
        assert status.price == 234.51 and status.price_ticks == 23451
        by_client_id = await g.stub.OrderStatus(
            pb.OrderStatusRequest(client_order_id="s1"), metadata=metadata(seller, trading=False)
        )
        assert by_client_id.order_id == rest.order_id

        amended = await g.stub.AmendOrder(
            pb.AmendOrderRequest(order_id=rest.order_id, quantity=8, price=234.60),
            metadata=metadata(seller),
        )
        assert amended.order.price_ticks == 23460 and amended.order.leaves_quantity == 4
        cancelled = await g.stub.CancelOrder(
            pb.CancelOrderRequest(order_id=rest.order_id), metadata=metadata(seller)
        )
        assert (
            cancelled.status == pb.CANCELLED and cancelled.order.cancel_reason == "user_requested"
        )
        with pytest.raises(grpc.aio.AioRpcError) as again:
            await g.stub.CancelOrder(
                pb.CancelOrderRequest(order_id=rest.order_id), metadata=metadata(seller)
            )
        assert again.value.code() == grpc.StatusCode.NOT_FOUND and aurex_code(again.value) == 300


async def test_a_repeated_client_order_id_is_a_safe_retry(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        buyer = await g.trader("buyer@example.com")
        first = await g.stub.SubmitOrder(limit("same", pb.BUY, 1, 200.0), metadata=metadata(buyer))
        retry = await g.stub.SubmitOrder(limit("same", pb.BUY, 1, 200.0), metadata=metadata(buyer))
        assert retry.duplicate and not first.duplicate and retry.order_id == first.order_id


async def test_order_entry_stream_keeps_many_orders_in_flight(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        buyer = await g.trader("buyer@example.com")
        count = 200

        async def requests() -> object:
            for first in range(0, count, 50):  # batches of 50 requests
                yield pb.OrderEntryBatch(
                    requests=[
                        pb.OrderEntryRequest(
                            request_id=i + 1, submit=limit(f"o{i}", pb.BUY, 1, 190.0 + i % 10 / 100)
                        )
                        for i in range(first, first + 50)
                    ]
                )
            # an invalid one in the middle of the flow is answered, not fatal
            bad = pb.OrderEntryRequest(request_id=9999, submit=limit("bad", pb.BUY, 1, 190.001))
            yield pb.OrderEntryBatch(requests=[bad])
            cancel = pb.CancelOrderRequest(client_order_id="o0")
            yield pb.OrderEntryBatch(
                requests=[pb.OrderEntryRequest(request_id=10_000, cancel=cancel)]
            )

        messages = [m async for m in g.stub.OrderEntry(requests(), metadata=metadata(buyer))]
        answers = [a for m in messages for a in m.responses]
        assert len(messages) < len(answers)  # answers made durable together travel together
        by_id = {a.request_id: a for a in answers}
        assert len(answers) == count + 2 and len(by_id) == count + 2
        assert all(by_id[i + 1].status == pb.NEW for i in range(count))
        assert all(by_id[i + 1].client_order_id == f"o{i}" for i in range(count))
        bad = by_id[9999]
        assert (bad.status, bad.code, bad.client_order_id) == (pb.REJECTED, 2001, "bad")
        assert "190.001" in bad.message
        assert by_id[10_000].status == pb.CANCELLED
        assert len(await g.h.engine.query(OpenOrders(buyer.user_id))) == count - 1


async def test_order_update_stream_sees_own_orders_and_fills_only(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        seller = await g.trader("seller@example.com", {"AAPL": 100})
        buyer = await g.trader("buyer@example.com")
        call = g.stub.StreamOrderUpdates(
            pb.OrderUpdatesRequest(user_id=buyer.user_id), metadata=metadata(buyer, trading=False)
        )
        await call.initial_metadata()
        await g.stub.SubmitOrder(limit("s1", pb.SELL, 5, 234.50), metadata=metadata(seller))
        await g.stub.SubmitOrder(limit("b1", pb.BUY, 5, 234.50), metadata=metadata(buyer))
        seen: list[pb.OrderUpdate] = []
        async for update in call:
            seen.append(update)
            if update.HasField("fill"):
                break
        call.cancel()
        assert all(u.order.user_id == buyer.user_id for u in seen if u.HasField("order"))
        fill = seen[-1].fill
        assert (fill.client_order_id, fill.quantity, fill.price_ticks) == ("b1", 5, 23450)


@pytest.mark.parametrize(
    ("fields", "status", "code", "says"),
    [
        ({"price": 234.505}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "tick"),
        ({"price": -1.0}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "greater than 0"),
        ({"price": float("nan")}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "finite"),
        ({"price": float("inf")}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "finite"),
        ({"price_ticks": -5}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "price_ticks"),
        ({"price": 1.0, "price_ticks": 101}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "disagree"),
        ({"quantity": 0}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "quantity"),
        ({"quantity": -3}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "quantity"),
        ({"symbol": "NOPE"}, grpc.StatusCode.NOT_FOUND, 100, "not listed"),
        ({"side": pb.SIDE_UNSPECIFIED}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "side"),
        ({"type": pb.TYPE_UNSPECIFIED}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "type"),
        ({"order_id": ""}, grpc.StatusCode.INVALID_ARGUMENT, 2001, "order_id"),
        ({"price": 9999.0}, grpc.StatusCode.INVALID_ARGUMENT, 106, "band"),
        ({"quantity": 10**9}, grpc.StatusCode.FAILED_PRECONDITION, 203, "limit"),
    ],
)
async def test_bad_orders_get_precise_errors_and_the_server_keeps_serving(
    tmp_path: Path, fields: dict[str, object], status: grpc.StatusCode, code: int, says: str
) -> None:
    async with running_grpc(tmp_path) as g:
        buyer = await g.trader("buyer@example.com")
        base: dict[str, object] = {
            "order_id": "x1",
            "symbol": "AAPL",
            "side": pb.BUY,
            "type": pb.LIMIT,
            "quantity": 1,
            "price": 234.50,
        }
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await g.stub.SubmitOrder(pb.OrderRequest(**(base | fields)), metadata=metadata(buyer))
        assert refused.value.code() == status
        assert aurex_code(refused.value) == code
        assert says in (refused.value.details() or "")
        fine = await g.stub.SubmitOrder(pb.OrderRequest(**base), metadata=metadata(buyer))
        assert fine.status == pb.NEW and fine.order.price_ticks == 23450


async def test_credentials_are_checked(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        buyer = await g.trader("buyer@example.com")
        other = await g.trader("other@example.com")
        order = limit("c1", pb.BUY, 1, 200.0)
        cases = [
            ((), grpc.StatusCode.UNAUTHENTICATED, 1030),
            ((("authorization", "Bearer not.a.jwt"),), grpc.StatusCode.UNAUTHENTICATED, 1031),
            (metadata(buyer, trading=False), grpc.StatusCode.UNAUTHENTICATED, 2006),
            (
                (("authorization", f"Bearer {buyer.access}"), ("x-trading-token", "forged")),
                grpc.StatusCode.UNAUTHENTICATED,
                1033,
            ),
            (
                (("authorization", f"Bearer {buyer.access}"), ("x-trading-token", other.trading)),
                grpc.StatusCode.PERMISSION_DENIED,
                1035,
            ),
        ]
        for sent, status, code in cases:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await g.stub.SubmitOrder(order, metadata=sent)
            assert (refused.value.code(), aurex_code(refused.value)) == (status, code), sent
        mismatch = pb.OrderRequest(**{**_fields(order), "user_id": other.user_id})
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await g.stub.SubmitOrder(mismatch, metadata=metadata(buyer))
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert aurex_code(refused.value) == 1035 and "user_id" in (refused.value.details() or "")
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await g.stub.OrderStatus(
                pb.OrderStatusRequest(order_id="1", user_id=other.user_id),
                metadata=metadata(buyer, trading=False),
            )
        assert aurex_code(refused.value) == 1035
        assert await buyer.open_orders() == []
        placed = await g.stub.SubmitOrder(order, metadata=metadata(buyer))
        assert placed.status == pb.NEW
        with pytest.raises(grpc.aio.AioRpcError) as foreign:
            await g.stub.OrderStatus(
                pb.OrderStatusRequest(order_id=placed.order_id),
                metadata=metadata(other, trading=False),
            )
        assert foreign.value.code() == grpc.StatusCode.NOT_FOUND
        assert aurex_code(foreign.value) == 2004


async def test_order_entry_stream_needs_credentials(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        buyer = await g.trader("buyer@example.com")

        async def one() -> object:
            order = pb.OrderEntryRequest(request_id=1, submit=limit("z", pb.BUY, 1, 200.0))
            yield pb.OrderEntryBatch(requests=[order])

        with pytest.raises(grpc.aio.AioRpcError) as refused:
            _ = [a async for a in g.stub.OrderEntry(one(), metadata=metadata(buyer, trading=False))]
        assert aurex_code(refused.value) == 2006
        await asyncio.sleep(0)
        answers = [m async for m in g.stub.OrderEntry(one(), metadata=metadata(buyer))]
        assert [[a.status for a in m.responses] for m in answers] == [[pb.NEW]]


def _fields(message: pb.OrderRequest) -> dict[str, object]:
    return {f.name: v for f, v in message.ListFields()}
