"""The two-step login: password, then a second factor, then a session.

Step one checks the password (throttled, no hint whether the e-mail exists), parks
a pending login for 15 minutes and, for e-mail users, sends a code. Step two needs
that pending login and a TOTP code, a backup code or the e-mailed code. Every
failure at either step counts towards the slowdowns of ``aurex.auth.throttle``.

A complete login hands out a known-device token; showing it at step one lets the
owner past an account-wide slowdown. So does bringing the second factor to step
one (``code``; e-mail users ask for one with ``send_login_code``): the code is
checked *before* the password, so it gives an attacker no way to test passwords,
and with both factors right the session opens at once.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from aurex.auth import backup_codes
from aurex.auth.account_opening import AccountOpening
from aurex.auth.devices import KnownDevices
from aurex.auth.email_code import LOGIN_CODE, PENDING_CODE, EmailCodes
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.passwords import PasswordHasher
from aurex.auth.ports import ChallengeStore, Clock, TwoFactorType, UserRecord, UserRepository
from aurex.auth.sessions import IssuedTokens, SessionService
from aurex.auth.signup import Signup
from aurex.auth.throttle import Attempt, Throttle, ip_subject
from aurex.auth.two_factor import TwoFactor
from aurex.auth.validation import normalize_email

PENDING_LOGIN_TTL_S = 15 * 60  # outlives the 5-minute code, so "expired" is reported


@dataclass(frozen=True, slots=True)
class LoginStarted:
    """The answer to step one: which second factor comes next, or - when the second
    factor came along - the open session and a fresh device token."""

    two_factor_type: TwoFactorType
    tokens: IssuedTokens | None = None
    device_token: str | None = None


class Login:
    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        throttle: Throttle,
        challenges: ChallengeStore,
        email_codes: EmailCodes,
        two_factor: TwoFactor,
        sessions: SessionService,
        signup: Signup,
        devices: KnownDevices,
        opening: AccountOpening,
        clock: Clock,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._throttle = throttle
        self._challenges = challenges
        self._email_codes = email_codes
        self._two_factor = two_factor
        self._sessions = sessions
        self._signup = signup
        self._devices = devices
        self._opening = opening
        self._clock = clock

    async def start(
        self,
        email: str,
        password: str,
        ip: str,
        *,
        device_token: str | None = None,
        code: str | None = None,
        user_agent: str = "",
    ) -> LoginStarted:
        """Check the password (and ``code``, if given); say what must come next."""
        email = normalize_email(email)
        policy = self._throttle.policy
        await self._throttle.limit(ip_subject(ip), "login", policy.login_per_ip_per_minute)
        user = await self._users.get_by_email(email)
        attempt = Attempt(email, ip, self._devices.recognise(user, device_token))
        with_code = bool(code and code.strip())
        await self._throttle.check(attempt, account_wide=not with_code)
        if user is not None and code is not None and with_code:
            step = self._step_for(user, code)
            await self._throttle.counting(
                attempt,
                step,
                user.id,
                lambda: self._check_second_factor(user, code, step, LOGIN_CODE),
            )
        if user is None:
            await self._hasher.burn(password)
            await self._refuse(attempt, "password", None)
        elif not await self._hasher.verify(user.password_hash, password):
            await self._refuse(attempt, "password", user.id)
        if self._hasher.needs_rehash(user.password_hash):
            user.password_hash = await self._hasher.hash(password)
            user.updated_at = self._clock()
            await self._users.update(user)
        if with_code:
            tokens, device = await self._complete(user, attempt, user_agent)
            return LoginStarted(user.two_factor_type, tokens, device)
        expires_at = self._clock() + timedelta(seconds=PENDING_LOGIN_TTL_S)
        await self._challenges.put(
            self._pending_key(user.id), {"expires_at": expires_at.isoformat()}, PENDING_LOGIN_TTL_S
        )
        if user.two_factor_type == TwoFactorType.EMAIL:
            await self._email_codes.send(user)
        return LoginStarted(user.two_factor_type)

    async def send_login_code(self, email: str, ip: str) -> None:
        """E-mail a code that can go with the password at step one (silent for unknown
        or TOTP users; at most one a minute and ten an hour per user)."""
        email = normalize_email(email)
        await self._throttle.limit(ip_subject(ip), "login-code", 10)
        user = await self._users.get_by_email(email)
        if user is None or user.two_factor_type != TwoFactorType.EMAIL:
            return
        with contextlib.suppress(AuthError):
            await self._email_codes.send(user, resend=True, kind=LOGIN_CODE)

    async def resend_code(self, email: str, ip: str) -> None:
        """A new e-mail code for a pending e-mail-code login (rate-limited)."""
        email = normalize_email(email)
        await self._throttle.limit(ip_subject(ip), "resend-code", 10)
        user = await self._pending_user(email)
        if user.two_factor_type != TwoFactorType.EMAIL:
            raise AuthError(AuthCode.TOTP_ALREADY_ENABLED, "use your authenticator app")
        await self._email_codes.send(user, resend=True)

    async def finish(
        self, email: str, code: str, ip: str, user_agent: str, device_token: str | None = None
    ) -> tuple[UserRecord, IssuedTokens, str]:
        """Check the second factor of a pending login and open the session; returns the
        user, the tokens and a fresh device token."""
        email = normalize_email(email)
        policy = self._throttle.policy
        await self._throttle.limit(ip_subject(ip), "verify-2fa", policy.verify_per_ip_per_minute)
        user = await self._pending_user(email)
        attempt = Attempt(email, ip, self._devices.recognise(user, device_token))
        # The pending login proves the password: no account-wide wait here.
        await self._throttle.check(attempt, account_wide=False)
        step = self._step_for(user, code)
        await self._throttle.counting(
            attempt, step, user.id, lambda: self._check_second_factor(user, code, step)
        )
        await self._challenges.delete(self._pending_key(user.id))
        tokens, device = await self._complete(user, attempt, user_agent)
        return user, tokens, device

    async def _complete(
        self, user: UserRecord, attempt: Attempt, user_agent: str
    ) -> tuple[IssuedTokens, str]:
        await self._throttle.succeeded(attempt)
        if user.two_factor_type == TwoFactorType.EMAIL:
            await self._signup.mark_verified(user)  # the code proved the address works
        await self._opening.try_ensure(user)  # finishes a sign-up the engine could not take
        tokens = await self._sessions.open(user, attempt.ip, user_agent)
        return tokens, self._devices.issue(user)

    @staticmethod
    def _step_for(user: UserRecord, code: str) -> str:
        if user.two_factor_type == TwoFactorType.EMAIL:
            return "email-code"
        return "backup-code" if backup_codes.looks_like_backup_code(code) else "totp"

    async def _check_second_factor(
        self, user: UserRecord, code: str, step: str, email_kind: str = PENDING_CODE
    ) -> None:
        if step == "email-code":
            await self._email_codes.verify(user.id, code, email_kind)
        elif step == "backup-code":
            await self._two_factor.use_backup_code(user, code)
        else:
            await self._two_factor.verify_totp(user, code)

    async def _pending_user(self, email: str) -> UserRecord:
        user = await self._users.get_by_email(email)
        pending = await self._challenges.get(self._pending_key(user.id)) if user else None
        if (
            user is None
            or pending is None
            or datetime.fromisoformat(pending["expires_at"]) <= self._clock()
        ):
            raise AuthError(AuthCode.NO_PENDING_LOGIN, "log in with your password first")
        return user

    async def _refuse(self, attempt: Attempt, step: str, user_id: str | None) -> NoReturn:
        await self._throttle.failed(attempt, step, user_id)
        raise AuthError(AuthCode.INVALID_CREDENTIALS, "wrong e-mail or password")

    @staticmethod
    def _pending_key(user_id: str) -> str:
        return f"login:{user_id}"
