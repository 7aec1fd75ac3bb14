"""Simulated traders are real users: created, secured with TOTP and funded at demo start.

Each account is made the way an operator makes one (``aurex admin create-user``'s
``store_new_user``, e-mail vouched for), its exchange account opened like a
sign-up's, and TOTP enabled through the normal set-up/confirm service. The
credentials (e-mail, password, TOTP secret) are kept in
``$AUREX_DATA_DIR/sim/accounts.json`` (mode 0600) so a restarted demo logs the
same traders in again.

Funding beyond the opening cash is a deposit straight into the engine (cash and
shares of every listed symbol). That is an operator's act, done here only by the
demo's bootstrap, in process, before any agent trades; agents themselves only
use the public client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from aurex.auth import totp
from aurex.auth.errors import AuthError
from aurex.auth.passwords import PasswordHasher
from aurex.auth.ports import Role
from aurex.auth.services import AuthServices
from aurex.auth.signup import NewUser, store_new_user
from aurex.core.commands import Deposit
from aurex.engine.port import EnginePort
from aurex.engine.queries import ListSymbols

ACCOUNTS_FILE = "sim/accounts.json"


@dataclass(slots=True)
class Credentials:
    """How one simulated (or the demo) user logs in."""

    name: str
    email: str
    password: str
    totp_secret: str
    user_id: str
    last_step: int = 0
    """The last TOTP time step used: each code is accepted once, so never reuse one."""
    funded_symbols: tuple[str, ...] = ()

    def second_factor(self) -> TotpCode:
        """The login callback answering with this user's authenticator code."""
        return TotpCode(self)


class TotpCode:
    """The client's second-factor callback: the authenticator code of a fresh step."""

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    async def __call__(self, kind: str) -> str:
        if kind != "totp":
            raise RuntimeError(f"simulated user expects TOTP, server asked for {kind!r}")
        creds = self._credentials
        now = totp.time_step(datetime.now(UTC))
        step = max(now, creds.last_step + 1)
        while step > totp.time_step(datetime.now(UTC)) + totp.DRIFT_STEPS:
            await asyncio.sleep(1.0)  # every code of the drift window is used up
        creds.last_step = step
        return totp.code_at_step(creds.totp_secret, step)


@dataclass(frozen=True, slots=True)
class Funding:
    """What an account gets on top of the opening cash (once; new symbols later too)."""

    cash_cents: int
    shares_per_symbol: int


class AccountStore:
    """``accounts.json`` under the data directory: credentials by name."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / ACCOUNTS_FILE
        self.tag = ""
        self.accounts: dict[str, Credentials] = {}
        if self.path.exists():
            raw = json.loads(self.path.read_text())
            self.tag = raw["tag"]
            for item in raw["accounts"]:
                item["funded_symbols"] = tuple(item.get("funded_symbols", ()))
                self.accounts[item["name"]] = Credentials(**item)
        if not self.tag:
            self.tag = secrets.token_hex(3)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"tag": self.tag, "accounts": [asdict(c) for c in self.accounts.values()]}
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(body, out, indent=1)
        os.replace(tmp, self.path)


async def provision(
    auth: AuthServices,
    engine: EnginePort,
    store: AccountStore,
    wanted: dict[str, Funding],
    *,
    first_name: str = "Sim",
    emails: dict[str, str] | None = None,
) -> dict[str, Credentials]:
    """Make sure each named user exists with TOTP and funds; returns their credentials."""
    out: dict[str, Credentials] = {}
    symbols = [info.symbol for info in await engine.query(ListSymbols()) if not info.halted]
    for name, funding in wanted.items():
        creds = store.accounts.get(name)
        if creds is None or await auth.users.get(creds.user_id) is None:
            email = (emails or {}).get(name) or f"{name}.{store.tag}@sim.aurex.example.com"
            creds = await create_totp_user(auth, name, email, first_name)
            store.accounts[name] = creds
            store.save()
        missing = [s for s in symbols if s not in creds.funded_symbols]
        if missing:
            await _fund(engine, creds, funding, missing)
            store.save()
        out[name] = creds
    return out


async def create_totp_user(
    auth: AuthServices, name: str, email: str, first_name: str, role: Role = Role.TRADER
) -> Credentials:
    """A new user with a random password, TOTP enabled and the exchange account open."""
    password = "Sim-" + secrets.token_urlsafe(18) + "9a!"
    new = NewUser(
        role=role,
        email=email,
        password=password,
        first_name=first_name,
        last_name=name.replace("-", " ").title().replace(" ", "")[:40] or "Trader",
        country="US",
        email_verified=True,  # the operator (the demo) vouches for the address
    )
    try:
        user = await store_new_user(
            auth.users,
            PasswordHasher(),
            auth.audit,
            auth.clock,
            new,
            opening_cash_cents=auth.account_opening.opening_cash_cents,
        )
    except AuthError:
        # The e-mail is taken by a user whose credentials were lost: use a fresh one.
        local, _, domain = email.partition("@")
        new = dataclasses.replace(new, email=f"{local}.{secrets.token_hex(2)}@{domain}")
        user = await store_new_user(
            auth.users,
            PasswordHasher(),
            auth.audit,
            auth.clock,
            new,
            opening_cash_cents=auth.account_opening.opening_cash_cents,
        )
    await auth.account_opening.ensure(user)
    setup = await auth.two_factor.begin_totp_setup(user)
    # Confirm with the previous step's code (inside the drift window), so the current
    # step stays free for the first login right after.
    step = totp.time_step(auth.clock()) - 1
    await auth.two_factor.confirm_totp(user, totp.code_at_step(setup.secret, step))
    return Credentials(
        name=name,
        email=user.email,
        password=password,
        totp_secret=setup.secret,
        user_id=user.id,
        last_step=step,
    )


async def _fund(
    engine: EnginePort, creds: Credentials, funding: Funding, symbols: list[str]
) -> None:
    if not creds.funded_symbols and funding.cash_cents > 0:
        await _deposit(engine, Deposit(account=creds.user_id, cash_cents=funding.cash_cents))
    if funding.shares_per_symbol > 0:
        for symbol in symbols:
            deposit = Deposit(
                account=creds.user_id, symbol=symbol, shares=funding.shares_per_symbol
            )
            await _deposit(engine, deposit)
    creds.funded_symbols = (*creds.funded_symbols, *symbols)


async def _deposit(engine: EnginePort, deposit: Deposit) -> None:
    rejection = (await engine.submit(deposit)).rejection
    if rejection is not None:
        raise RuntimeError(f"funding {deposit.account} failed: {rejection.reason}")
