"""``AccountGateway`` over the engine port: accounts live in the engine."""

from __future__ import annotations

from aurex.auth.ports import AccountView
from aurex.core.codes import RejectCode
from aurex.core.commands import Command, Deposit, HaltSymbol, ResumeSymbol
from aurex.engine.port import EnginePort
from aurex.engine.queries import GetAccount


class EngineAccounts:
    """Opens, credits and reads exchange accounts; halts and resumes symbols."""

    def __init__(self, engine: EnginePort) -> None:
        self._engine = engine

    async def open_account(self, user_id: str, cash_cents: int) -> None:
        if cash_cents > 0:
            code = await self._run(Deposit(account=user_id, cash_cents=cash_cents))
            if code is not None:
                raise RuntimeError(f"opening account {user_id} failed: {code.name}")

    async def credit(self, user_id: str, cash_cents: int) -> RejectCode | None:
        return await self._run(Deposit(account=user_id, cash_cents=cash_cents))

    async def account_view(self, user_id: str) -> AccountView | None:
        """The account as of the last durable command."""
        account = await self._engine.query(GetAccount(user_id))
        if account is None:
            return None
        return AccountView(
            cash_cents=account.cash_cents,
            cash_held_cents=account.cash_held_cents,
            positions={p.symbol: (p.shares, p.held_shares) for p in account.positions if p.shares},
        )

    async def halt(self, symbol: str) -> RejectCode | None:
        return await self._run(HaltSymbol(symbol=symbol))

    async def resume(self, symbol: str) -> RejectCode | None:
        return await self._run(ResumeSymbol(symbol=symbol))

    async def _run(self, command: Command) -> RejectCode | None:
        rejection = (await self._engine.submit(command)).rejection
        return None if rejection is None else rejection.code
