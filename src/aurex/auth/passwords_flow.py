"""Changing a password (logged in) and resetting a forgotten one (by e-mail).

Both need the second factor: a TOTP or backup code for TOTP users; for e-mail-code
users an e-mailed code (change) or the e-mailed reset token itself (reset). A change
also needs the current password and ends every *other* session; a reset ends all of
them. Either way the old password's known-device tokens stop working (they are bound
to the password hash), the user is told by e-mail, and the audit log records it.
Reset tokens are stored only as an HMAC, for 30 minutes, and work once.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime, timedelta

from aurex.auth import backup_codes
from aurex.auth.email_code import EmailCodes
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing
from aurex.auth.mail import send_or_fail
from aurex.auth.passwords import PasswordHasher
from aurex.auth.ports import (
    AuditEntry,
    AuditLog,
    ChallengeStore,
    Clock,
    Mailer,
    TwoFactorType,
    UserRecord,
    UserRepository,
)
from aurex.auth.sessions import SessionService
from aurex.auth.throttle import Attempt, Throttle, ip_subject
from aurex.auth.two_factor import TwoFactor
from aurex.auth.validation import normalize_email, validate_password

RESET_TTL_S = 30 * 60
PASSWORD_CODE = "password-code"  # EmailCodes kind for a change by an e-mail-code user
_PURPOSE = "password-reset"


class PasswordFlows:
    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        two_factor: TwoFactor,
        email_codes: EmailCodes,
        sessions: SessionService,
        throttle: Throttle,
        challenges: ChallengeStore,
        mailer: Mailer,
        audit: AuditLog,
        keys: KeyRing,
        clock: Clock,
        *,
        public_url: str,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._two_factor = two_factor
        self._email_codes = email_codes
        self._sessions = sessions
        self._throttle = throttle
        self._challenges = challenges
        self._mailer = mailer
        self._audit = audit
        self._keys = keys
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    # ------------------------------------------------------------------ change

    async def send_change_code(self, user: UserRecord) -> None:
        """E-mail an e-mail-code user the code a password change needs."""
        if user.two_factor_type != TwoFactorType.EMAIL:
            raise AuthError(AuthCode.TOTP_ALREADY_ENABLED, "use your authenticator app")
        await self._email_codes.send(user, resend=True, kind=PASSWORD_CODE)

    async def change(
        self,
        user: UserRecord,
        session_id: str,
        current_password: str,
        new_password: str,
        code: str,
        ip: str,
    ) -> int:
        """Set a new password; returns how many other sessions were ended."""
        validate_password(new_password)
        attempt = Attempt(user.email, ip)
        await self._throttle.check(attempt, account_wide=False)
        step = self._step(user, code)
        await self._throttle.counting(
            attempt, step, user.id, lambda: self._check_second_factor(user, code, step)
        )
        if not await self._hasher.verify(user.password_hash, current_password):
            await self._throttle.failed(attempt, "password", user.id)
            raise AuthError(AuthCode.INVALID_CREDENTIALS, "the current password is wrong")
        await self._set_password(user, new_password)
        ended = 0
        for session in await self._sessions.list_active(user.id):
            if session.id != session_id:
                await self._sessions.revoke(user.id, session.id, by="password-change")
                ended += 1
        await self._finish(user, "auth.password_changed", ip, {"other_sessions_ended": ended})
        return ended

    # ------------------------------------------------------------------- reset

    async def request_reset(self, email: str, ip: str) -> None:
        """Mail a reset link if the address belongs to a user; silent otherwise."""
        await self._throttle.limit(ip_subject(ip), "password-forgot", 5)
        user = await self._users.get_by_email(normalize_email(email))
        if user is None:
            return
        # At most one mail a minute per user; refusing silently keeps the answer the
        # same as for unknown addresses.
        with contextlib.suppress(AuthError):
            await self._throttle.limit(f"user:{user.id}", "password-forgot", 1)
            token = secrets.token_urlsafe(32)
            expires_at = self._clock() + timedelta(seconds=RESET_TTL_S)
            await self._challenges.put(
                self._key(token),
                {"user_id": user.id, "expires_at": expires_at.isoformat()},
                RESET_TTL_S,
            )
            needs = (
                " and a code from your authenticator app"
                if user.two_factor_type == TwoFactorType.TOTP
                else ""
            )
            await send_or_fail(
                self._mailer,
                user.email,
                "Reset your Aurex password",
                "Someone asked to reset the password of your Aurex account.\n\n"
                f"Reset token (valid 30 minutes, works once): {token}\n"
                f"Send it to {self._public_url}/api/auth/password/reset with your new "
                f"password{needs}.\n\n"
                "If this was not you, ignore this mail: your password stays as it is.\n",
            )

    async def reset(self, token: str, new_password: str, code: str | None, ip: str) -> UserRecord:
        """Set a new password with a mailed reset token (and, for TOTP users, a code);
        every session of the user ends."""
        validate_password(new_password)
        key = self._key(token)
        record = await self._challenges.get(key)
        if record is None or datetime.fromisoformat(record["expires_at"]) <= self._clock():
            raise AuthError(
                AuthCode.VERIFICATION_TOKEN_INVALID, "the reset token is invalid or expired"
            )
        user = await self._users.get(record["user_id"])
        if user is None:
            raise AuthError(AuthCode.VERIFICATION_TOKEN_INVALID, "the reset token is invalid")
        if user.two_factor_type == TwoFactorType.TOTP:
            attempt = Attempt(user.email, ip)
            await self._throttle.check(attempt, account_wide=False)
            given = code or ""
            step = self._step(user, given)
            await self._throttle.counting(
                attempt, step, user.id, lambda: self._two_factor.check_code(user, given)
            )
        await self._challenges.delete(key)
        await self._set_password(user, new_password)
        ended = await self._sessions.revoke_all(user.id, by="password-reset")
        await self._finish(user, "auth.password_reset", ip, {"sessions_ended": ended})
        return user

    # ----------------------------------------------------------------- helpers

    @staticmethod
    def _step(user: UserRecord, code: str) -> str:
        if user.two_factor_type == TwoFactorType.EMAIL:
            return "email-code"
        return "backup-code" if backup_codes.looks_like_backup_code(code) else "totp"

    async def _check_second_factor(self, user: UserRecord, code: str, step: str) -> None:
        if step == "email-code":
            await self._email_codes.verify(user.id, code, PASSWORD_CODE)
        else:
            await self._two_factor.check_code(user, code)

    async def _set_password(self, user: UserRecord, new_password: str) -> None:
        user.password_hash = await self._hasher.hash(new_password)
        user.updated_at = self._clock()
        await self._users.update(user)

    async def _finish(
        self, user: UserRecord, action: str, ip: str, detail: dict[str, str | int]
    ) -> None:
        await self._audit.record(
            AuditEntry(
                at=self._clock(), action=action, user_id=user.id, ip_address=ip, detail=detail
            )
        )
        with contextlib.suppress(AuthError):
            await send_or_fail(
                self._mailer,
                user.email,
                "Your Aurex password was changed",
                "The password of your Aurex account was just changed"
                + (" with a reset link" if action == "auth.password_reset" else "")
                + ". If this was not you, reset it at once and contact support.\n",
            )

    def _key(self, token: str) -> str:
        return f"password-reset:{self._keys.mac(_PURPOSE, token)}"
