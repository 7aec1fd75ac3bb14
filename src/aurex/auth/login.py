"""The two-step login: password, then a second factor, then a session.

Step one checks the password (throttled, no hint whether the e-mail exists), parks
a pending login for 15 minutes and, for e-mail users, sends a code. Step two needs
that pending login and a TOTP code, a backup code or the e-mailed code. Every
failure at either step counts towards the account and IP lockouts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NoReturn

from aurex.auth import backup_codes
from aurex.auth.email_code import EmailCodes
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.passwords import PasswordHasher
from aurex.auth.ports import ChallengeStore, Clock, TwoFactorType, UserRecord, UserRepository
from aurex.auth.sessions import IssuedTokens, SessionService
from aurex.auth.signup import Signup
from aurex.auth.throttle import Throttle, ip_subject
from aurex.auth.two_factor import TwoFactor
from aurex.auth.validation import normalize_email

PENDING_LOGIN_TTL_S = 15 * 60  # outlives the 5-minute code, so "expired" is reported


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
        self._clock = clock

    async def start(self, email: str, password: str, ip: str) -> TwoFactorType:
        """Check the password; return which second factor the user must give next."""
        email = normalize_email(email)
        policy = self._throttle.policy
        await self._throttle.limit(ip_subject(ip), "login", policy.login_per_ip_per_minute)
        await self._throttle.check(email, ip)
        user = await self._users.get_by_email(email)
        if user is None:
            await self._hasher.burn(password)
            await self._refuse(email, ip, "password", None)
        elif not await self._hasher.verify(user.password_hash, password):
            await self._refuse(email, ip, "password", user.id)
        if self._hasher.needs_rehash(user.password_hash):
            user.password_hash = await self._hasher.hash(password)
            user.updated_at = self._clock()
            await self._users.update(user)
        expires_at = self._clock() + timedelta(seconds=PENDING_LOGIN_TTL_S)
        await self._challenges.put(
            self._pending_key(user.id), {"expires_at": expires_at.isoformat()}, PENDING_LOGIN_TTL_S
        )
        if user.two_factor_type == TwoFactorType.EMAIL:
            await self._email_codes.send(user)
        return user.two_factor_type

    async def resend_code(self, email: str, ip: str) -> None:
        """A new e-mail code for a pending e-mail-code login (rate-limited)."""
        email = normalize_email(email)
        await self._throttle.limit(ip_subject(ip), "resend-code", 10)
        user = await self._pending_user(email)
        if user.two_factor_type != TwoFactorType.EMAIL:
            raise AuthError(AuthCode.TOTP_ALREADY_ENABLED, "use your authenticator app")
        await self._email_codes.send(user, resend=True)

    async def finish(
        self, email: str, code: str, ip: str, user_agent: str
    ) -> tuple[UserRecord, IssuedTokens]:
        """Check the second factor of a pending login and open the session."""
        email = normalize_email(email)
        policy = self._throttle.policy
        await self._throttle.limit(ip_subject(ip), "verify-2fa", policy.verify_per_ip_per_minute)
        await self._throttle.check(email, ip)
        user = await self._pending_user(email)
        step = self._step_for(user, code)
        await self._throttle.counting(
            email, ip, step, user.id, lambda: self._check_second_factor(user, code, step)
        )
        await self._challenges.delete(self._pending_key(user.id))
        await self._throttle.succeeded(email)
        if user.two_factor_type == TwoFactorType.EMAIL:
            await self._signup.mark_verified(user)  # the code proved the address works
        return user, await self._sessions.open(user, ip, user_agent)

    @staticmethod
    def _step_for(user: UserRecord, code: str) -> str:
        if user.two_factor_type == TwoFactorType.EMAIL:
            return "email-code"
        return "backup-code" if backup_codes.looks_like_backup_code(code) else "totp"

    async def _check_second_factor(self, user: UserRecord, code: str, step: str) -> None:
        if step == "email-code":
            await self._email_codes.verify(user.id, code)
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

    async def _refuse(self, email: str, ip: str, step: str, user_id: str | None) -> NoReturn:
        await self._throttle.failed(email, ip, step, user_id)
        raise AuthError(AuthCode.INVALID_CREDENTIALS, "wrong e-mail or password")

    @staticmethod
    def _pending_key(user_id: str) -> str:
        return f"login:{user_id}"
