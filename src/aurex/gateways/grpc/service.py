"""The ``aurex.v1.StockService`` servicer (grpc.aio) on the engine port.

Order entry (SubmitOrder, CancelOrder, AmendOrder, the OrderEntry stream) needs the
access token (``authorization: Bearer <JWT>``) and the same session's trading token
(``x-trading-token``); OrderStatus and StreamOrderUpdates the access token; market
data is public. A ``user_id`` in a request must be empty or the token's user.
Commands are built and refused exactly as REST does (``aurex.gateways.order_entry``);
an answer is sent once the command is durable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.sessions import Principal, SessionService
from aurex.core.commands import AmendOrder, CancelOrder, PlaceOrder
from aurex.engine.port import EnginePort, Outcome
from aurex.gateways import order_entry
from aurex.gateways.grpc import convert, streams
from aurex.gateways.grpc import stock_service_pb2 as pb
from aurex.gateways.grpc import stock_service_pb2_grpc as pb_grpc
from aurex.gateways.grpc.errors import abort, credentials
from aurex.gateways.order_entry import EntryError, ErrorKind
from aurex.gateways.throttle import OrderThrottle
from aurex.readside.history import History

log = logging.getLogger(__name__)

OrderCommand = PlaceOrder | CancelOrder | AmendOrder

MAX_IN_FLIGHT = 4096
"""Requests of one OrderEntry stream being processed at once; the stream reads no
further until one finishes (HTTP/2 flow control then holds the client back)."""
REAUTH_INTERVAL_S = 5.0
"""How often a private stream (OrderEntry, StreamOrderUpdates) re-checks its tokens:
a logout or revocation ends it within this interval."""
DEFAULT_DEPTH = 10
MAX_DEPTH = 1000
MAX_SYMBOLS = 100


class StockService(pb_grpc.StockServiceServicer):
    def __init__(
        self,
        engine: EnginePort,
        sessions: SessionService,
        history: History | None,
        reauth_interval_s: float | None = None,
        throttle: OrderThrottle | None = None,
    ) -> None:
        self.engine = engine
        self.sessions = sessions
        self.history = history
        self.reauth_interval_s = reauth_interval_s or REAUTH_INTERVAL_S
        self.throttle = throttle

    async def _caller(self, context: Any, *, trading: bool, user_id: str = "") -> Principal:
        access, trading_token = credentials(context)
        principal = await order_entry.authenticate(
            self.sessions, access, trading_token, needs_trading=trading
        )
        order_entry.check_user(principal, user_id)
        return principal

    async def _still_valid(self, context: Any, caller: Principal) -> None:
        """Raise once the caller's session has ended (logout, revocation, expiry).

        With a trading token in the metadata that token is checked (it lives 8 h and
        survives access-token refreshes); otherwise the access token (15 min)."""
        access, trading_token = credentials(context)
        try:
            if trading_token:
                owner = await self.sessions.authenticate_trading(trading_token)
                if owner.session_id == caller.session_id:
                    return
            await self.sessions.authenticate(access or "")
        except AuthError as exc:
            raise EntryError.from_auth(exc) from None

    # -- order management ---------------------------------------------------------------

    async def _placed(self, outcome: Outcome, request_id: int = 0) -> pb.OrderResponse:
        state = outcome.order
        if state is None:
            raise EntryError.invalid("the order is no longer known")
        duplicate = not order_entry.created(outcome)
        fills = [] if duplicate else order_entry.fills_of(state, outcome.events)
        return convert.order_response(state, fills, duplicate=duplicate, request_id=request_id)

    async def _run(self, command: OrderCommand, request_id: int = 0) -> pb.OrderResponse:
        if self.throttle is not None and not isinstance(command, CancelOrder):
            self.throttle.take(command.account)
        outcome = await order_entry.submit(self.engine, command)
        if isinstance(command, PlaceOrder):
            return await self._placed(outcome, request_id)
        order_id = getattr(command, "order_id", 0)
        state = order_entry.touched(outcome, order_id) if order_id else outcome.order
        if state is None:
            raise EntryError.invalid("the order is no longer known")
        return convert.order_response(
            state, order_entry.fills_of(state, outcome.events), request_id=request_id
        )

    async def SubmitOrder(self, request: pb.OrderRequest, context: Any) -> pb.OrderResponse:
        try:
            caller = await self._caller(context, trading=True, user_id=request.user_id)
            return await self._run(convert.place_order(caller.user_id, request))
        except EntryError as error:
            await abort(context, error)

    async def CancelOrder(self, request: pb.CancelOrderRequest, context: Any) -> pb.OrderResponse:
        try:
            caller = await self._caller(context, trading=True, user_id=request.user_id)
            return await self._run(convert.cancel_order(caller.user_id, request))
        except EntryError as error:
            await abort(context, error)

    async def AmendOrder(self, request: pb.AmendOrderRequest, context: Any) -> pb.OrderResponse:
        try:
            caller = await self._caller(context, trading=True, user_id=request.user_id)
            return await self._run(convert.amend_order(caller.user_id, request))
        except EntryError as error:
            await abort(context, error)

    async def OrderStatus(
        self, request: pb.OrderStatusRequest, context: Any
    ) -> pb.OrderStatusResponse:
        try:
            caller = await self._caller(context, trading=False, user_id=request.user_id)
            order_id, client_order_id = convert.order_key(request.order_id, request.client_order_id)
            state = await order_entry.find_order(
                self.engine, self.history, caller.user_id, order_id, client_order_id
            )
            return convert.status_response(state)
        except EntryError as error:
            await abort(context, error)

    async def OrderEntry(
        self, request_iterator: AsyncIterator[pb.OrderEntryBatch], context: Any
    ) -> AsyncIterator[pb.OrderResponseBatch]:
        try:
            caller = await self._caller(context, trading=True)
        except EntryError as error:
            await abort(context, error)
        session = _EntrySession(self, caller, context)
        reader = asyncio.create_task(session.read(request_iterator))
        try:
            answers = streams.while_valid(
                session.answers(),
                lambda: self._still_valid(context, caller),
                self.reauth_interval_s,
            )
            async for ready in answers:
                yield pb.OrderResponseBatch(responses=ready)
            await reader  # re-raises a failed re-authentication
        except EntryError as error:
            await abort(context, error)
        finally:
            reader.cancel()

    async def StreamOrderUpdates(
        self, request: pb.OrderUpdatesRequest, context: Any
    ) -> AsyncIterator[pb.OrderUpdate]:
        try:
            caller = await self._caller(context, trading=False, user_id=request.user_id)

            async def ready() -> None:
                await context.send_initial_metadata(())

            updates = streams.while_valid(
                streams.order_updates(self.engine, caller.user_id, ready),
                lambda: self._still_valid(context, caller),
                self.reauth_interval_s,
            )
            async for update in updates:
                yield update
        except EntryError as error:
            await abort(context, error)

    # -- market data ----------------------------------------------------------------------

    async def StreamMarketData(
        self, request: pb.MarketDataRequest, context: Any
    ) -> AsyncIterator[pb.MarketDataUpdate]:
        try:
            symbols = list(dict.fromkeys(order_entry.check_symbol(s) for s in request.symbols))
            if not 1 <= len(symbols) <= MAX_SYMBOLS:
                raise EntryError.invalid(f"symbols: name 1 to {MAX_SYMBOLS} symbols")
            depth = request.depth or DEFAULT_DEPTH
            if not 1 <= depth <= MAX_DEPTH:
                raise EntryError.invalid(f"depth: 1 to {MAX_DEPTH} levels")
            async for update in streams.market_data(self.engine, symbols, depth):
                yield update
        except EntryError as error:
            await abort(context, error)

    async def StreamAllStocks(
        self, request: pb.AllStocksRequest, context: Any
    ) -> AsyncIterator[pb.AllStocksUpdate]:
        try:
            async for update in streams.all_stocks(self.engine):
                yield update
        except EntryError as error:
            await abort(context, error)

    async def StreamMarketIndex(
        self, request: pb.MarketIndexRequest, context: Any
    ) -> AsyncIterator[pb.MarketIndexUpdate]:
        try:
            async for view in streams.index_views(self.engine, request.index_name):
                yield convert.market_index_update(view)
        except EntryError as error:
            await abort(context, error)

    async def StreamTopIndex(
        self, request: pb.IndexRequest, context: Any
    ) -> AsyncIterator[pb.IndexUpdate]:
        try:
            top = request.top or 10
            if not 1 <= top <= MAX_SYMBOLS:
                raise EntryError.invalid(f"top: 1 to {MAX_SYMBOLS} members")
            async for view in streams.index_views(self.engine, request.index_name):
                yield convert.top_index(view, top)
        except EntryError as error:
            await abort(context, error)

    async def GetMarketIndex(
        self, request: pb.MarketIndexRequest, context: Any
    ) -> pb.MarketIndexResponse:
        try:
            view = await streams.current_index(self.engine, request.index_name)
            return convert.market_index_response(view)
        except EntryError as error:
            await abort(context, error)


class _EntrySession:
    """One OrderEntry stream: requests run concurrently; answers that are ready together
    (typically those made durable by one journal write) leave in one message."""

    def __init__(self, service: StockService, caller: Principal, context: Any) -> None:
        self.service = service
        self.caller = caller
        self.context = context
        self.done: list[pb.OrderResponse] = []
        self.wake = asyncio.Event()
        self.finished = False
        self.slots = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def answers(self) -> AsyncIterator[list[pb.OrderResponse]]:
        """The answers finished since the last ones, until everything is answered."""
        while True:
            while not self.done:
                if self.finished:
                    return
                self.wake.clear()
                await self.wake.wait()
            done, self.done = self.done, []
            yield done

    def _answer(self, response: pb.OrderResponse) -> None:
        self.done.append(response)
        self.wake.set()

    async def read(self, batches: AsyncIterator[pb.OrderEntryBatch]) -> None:
        tasks: set[asyncio.Task[None]] = set()
        try:
            async for batch in batches:
                for request in batch.requests:
                    await self.slots.acquire()
                    task = asyncio.create_task(self.handle(request))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks)
        finally:
            self.finished = True
            self.wake.set()

    async def handle(self, request: pb.OrderEntryRequest) -> None:
        rid = request.request_id
        client_order_id = ""
        try:
            account = self.caller.user_id
            action = request.WhichOneof("action")
            command: OrderCommand
            if action == "submit":
                client_order_id = request.submit.order_id
                order_entry.check_user(self.caller, request.submit.user_id)
                command = convert.place_order(account, request.submit)
            elif action == "cancel":
                order_entry.check_user(self.caller, request.cancel.user_id)
                command = convert.cancel_order(account, request.cancel)
            elif action == "amend":
                order_entry.check_user(self.caller, request.amend.user_id)
                command = convert.amend_order(account, request.amend)
            else:
                raise EntryError.invalid("send one of submit, cancel or amend")
            response = await self.service._run(command, rid)
        except EntryError as error:
            response = convert.rejected_response(error, client_order_id, rid)
        except Exception:
            log.exception("order entry request %d failed", rid)
            failure = EntryError(ErrorKind.UNAVAILABLE, AuthCode.INTERNAL_ERROR, "internal error")
            response = convert.rejected_response(failure, client_order_id, rid)
        finally:
            self.slots.release()
        self._answer(response)
