"""``AuthServices``: every auth service wired from the ports, for the composition root."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aurex.auth.account_opening import AccountOpening
from aurex.auth.admin import Admin
from aurex.auth.devices import KnownDevices
from aurex.auth.email_code import EmailCodes
from aurex.auth.keys import KeyRing
from aurex.auth.login import Login
from aurex.auth.passwords import PasswordHasher
from aurex.auth.passwords_flow import PasswordFlows
from aurex.auth.ports import (
    AccountGateway,
    AuditLog,
    BackupCodeRepository,
    Clock,
    Mailer,
    SessionRepository,
    UserRepository,
    utc_now,
)
from aurex.auth.sessions import SessionService
from aurex.auth.signup import Signup
from aurex.auth.stores import ShortLivedStores
from aurex.auth.throttle import Throttle, ThrottlePolicy
from aurex.auth.tokens import ACCESS_TTL_S, TRADING_TTL_S, AccessTokens
from aurex.auth.two_factor import TwoFactor


@dataclass(slots=True)
class AuthServices:
    signup: Signup
    login: Login
    two_factor: TwoFactor
    sessions: SessionService
    admin: Admin
    throttle: Throttle
    email_codes: EmailCodes
    passwords: PasswordFlows
    users: UserRepository
    audit: AuditLog
    accounts: AccountGateway
    account_opening: AccountOpening
    stores: ShortLivedStores
    keys: KeyRing
    clock: Clock


def build_auth_services(
    *,
    users: UserRepository,
    session_repo: SessionRepository,
    backup_codes: BackupCodeRepository,
    audit: AuditLog,
    stores: ShortLivedStores,
    mailer: Mailer,
    accounts: AccountGateway,
    keys: KeyRing,
    opening_cash_cents: int,
    public_url: str,
    clock: Clock = utc_now,
    policy: ThrottlePolicy | None = None,
    hasher: PasswordHasher | None = None,
    access_ttl_s: int = ACCESS_TTL_S,
    trading_ttl_s: int = TRADING_TTL_S,
) -> AuthServices:
    """Wire the services. ``public_url`` is where users reach the server (mail links)."""
    hasher = hasher or PasswordHasher()
    throttle = Throttle(stores.counters, stores.challenges, audit, clock, policy)
    sessions = SessionService(
        session_repo,
        stores.sessions,
        stores.trading,
        stores.challenges,
        AccessTokens(keys, clock, access_ttl_s),
        accounts,
        audit,
        clock,
        trading_ttl_s,
    )
    email_codes = EmailCodes(stores.challenges, stores.counters, mailer, keys, clock)
    two_factor = TwoFactor(users, backup_codes, stores.challenges, audit, keys, clock)
    opening = AccountOpening(users, accounts, opening_cash_cents)
    signup = Signup(
        users,
        opening,
        hasher,
        mailer,
        stores.challenges,
        throttle,
        audit,
        keys,
        clock,
        public_url=public_url,
    )
    login = Login(
        users,
        hasher,
        throttle,
        stores.challenges,
        email_codes,
        two_factor,
        sessions,
        signup,
        KnownDevices(keys),
        opening,
        clock,
    )
    return AuthServices(
        signup=signup,
        login=login,
        two_factor=two_factor,
        sessions=sessions,
        admin=Admin(users, accounts, opening, sessions, audit, clock),
        throttle=throttle,
        email_codes=email_codes,
        passwords=PasswordFlows(
            users,
            hasher,
            two_factor,
            email_codes,
            sessions,
            throttle,
            stores.challenges,
            mailer,
            audit,
            keys,
            clock,
            public_url=public_url,
        ),
        users=users,
        audit=audit,
        accounts=accounts,
        account_opening=opening,
        stores=stores,
        keys=keys,
        clock=clock,
    )


async def reconcile_accounts(services: AuthServices) -> Sequence[str]:
    """Open the exchange account of every user a failed sign-up left without one.

    Call once at start, after the engine has recovered and accepts commands;
    returns the ids still unopened (logged; retried at their next login).
    """
    return await services.account_opening.reconcile()
