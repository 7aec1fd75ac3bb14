"""``AccountGateway`` backed by the running sequencer: accounts live in the engine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aurex.auth.ports import AccountView
from aurex.core.codes import RejectCode
from aurex.core.commands import Command, Deposit, HaltSymbol, ResumeSymbol
from aurex.core.events import CommandRejected, Event
from aurex.core.exchange import Exchange

Submit = Callable[[Command], Awaitable[list[Event]]]


class EngineAccounts:
    """Opens, credits and reads exchange accounts; halts and resumes symbols."""

    def __init__(self, exchange: Exchange, submit: Submit) -> None:
        self._exchange = exchange
        self._submit = submit

    async def open_account(self, user_id: str, cash_cents: int) -> None:
        if cash_cents > 0:
            code = await self._run(Deposit(account=user_id, cash_cents=cash_cents))
            if code is not None:
                raise RuntimeError(f"opening account {user_id} failed: {code.name}")

    async def credit(self, user_id: str, cash_cents: int) -> RejectCode | None:
        return await self._run(Deposit(account=user_id, cash_cents=cash_cents))

    def account_view(self, user_id: str) -> AccountView | None:
        account = self._exchange.account(user_id)
        if account is None:
            return None
        return AccountView(
            cash_cents=account.cash_cents,
            cash_held_cents=account.cash_held_cents,
            positions={s: (p.shares, p.held) for s, p in account.positions.items() if p.shares},
        )

    async def halt(self, symbol: str) -> RejectCode | None:
        return await self._run(HaltSymbol(symbol=symbol))

    async def resume(self, symbol: str) -> RejectCode | None:
        return await self._run(ResumeSymbol(symbol=symbol))

    async def _run(self, command: Command) -> RejectCode | None:
        for event in await self._submit(command):
            if isinstance(event, CommandRejected):
                return event.code
        return None
