"""Sign-up and e-mail verification.

A new user gets an Argon2id password hash, the trader role, e-mail codes as the
second factor, an exchange account with the opening cash, and an e-mail with a
verification link (the token in it is stored only as an HMAC, for 24 hours).
The exchange account is opened recoverably (``aurex.auth.account_opening``): if
the engine cannot take it now, the user exists and the opening is retried.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from aurex.auth.account_opening import AccountOpening
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing
from aurex.auth.mail import send_or_fail
from aurex.auth.passwords import PasswordHasher
from aurex.auth.ports import (
    AuditEntry,
    AuditLog,
    ChallengeStore,
    Clock,
    EmailTakenError,
    Mailer,
    Role,
    UserRecord,
    UserRepository,
)
from aurex.auth.throttle import Throttle, ip_subject
from aurex.auth.validation import (
    normalize_email,
    validate_country,
    validate_email,
    validate_name,
    validate_password,
)

VERIFY_TTL_S = 24 * 60 * 60
_PURPOSE = "verify-email"


class Signup:
    def __init__(
        self,
        users: UserRepository,
        opening: AccountOpening,
        hasher: PasswordHasher,
        mailer: Mailer,
        challenges: ChallengeStore,
        throttle: Throttle,
        audit: AuditLog,
        keys: KeyRing,
        clock: Clock,
        *,
        public_url: str,
    ) -> None:
        self._users = users
        self._opening = opening
        self._hasher = hasher
        self._mailer = mailer
        self._challenges = challenges
        self._throttle = throttle
        self._audit = audit
        self._keys = keys
        self._clock = clock
        self.opening_cash_cents = opening.opening_cash_cents
        self._public_url = public_url.rstrip("/")

    async def signup(
        self, email: str, password: str, first_name: str, last_name: str, country: str, ip: str
    ) -> UserRecord:
        """Register a trader (rate-limited per IP) and send the verification e-mail."""
        await self._throttle.limit(
            ip_subject(ip), "signup", self._throttle.policy.signup_per_ip_per_minute
        )
        user = await self.create_user(email, password, first_name, last_name, country, ip=ip)
        # The account exists either way; after a mail failure (logged) the user can
        # ask for another link.
        with contextlib.suppress(AuthError):
            await self.send_verification(user)
        return user

    async def create_user(
        self,
        email: str,
        password: str,
        first_name: str,
        last_name: str,
        country: str = "US",
        *,
        role: Role = Role.TRADER,
        email_verified: bool = False,
        ip: str | None = None,
    ) -> UserRecord:
        """Validate, store the user and open the exchange account.

        The user is stored unopened first; if opening the account fails it is
        retried later (``AccountOpening``), so the user is never left half-created.
        """
        user = await store_new_user(
            self._users,
            self._hasher,
            self._audit,
            self._clock,
            NewUser(email, password, first_name, last_name, country, role, email_verified),
            opening_cash_cents=self.opening_cash_cents,
            ip=ip,
        )
        await self._opening.try_ensure(user)
        return user

    async def send_verification(self, user: UserRecord) -> None:
        token = secrets.token_urlsafe(32)
        expires_at = self._clock() + timedelta(seconds=VERIFY_TTL_S)
        await self._challenges.put(
            self._key(token),
            {"user_id": user.id, "expires_at": expires_at.isoformat()},
            VERIFY_TTL_S,
        )
        link = f"{self._public_url}/api/auth/verify-email?token={token}"
        await send_or_fail(
            self._mailer,
            user.email,
            "Confirm your Aurex e-mail address",
            f"Welcome to Aurex, {user.first_name}.\n\n"
            f"Confirm your e-mail address by opening this link within 24 hours:\n{link}\n\n"
            f"Or enter this token on the verification page: {token}\n",
        )

    async def resend_verification(self, email: str, ip: str) -> None:
        """Send a new link if the address belongs to an unverified user; silent otherwise."""
        await self._throttle.limit(ip_subject(ip), "verify-email-resend", 5)
        user = await self._users.get_by_email(normalize_email(email))
        if user is None or user.email_verified:
            return
        # Per user at most one link a minute; refusing silently keeps the answer the
        # same as for unknown addresses.
        with contextlib.suppress(AuthError):
            await self._throttle.limit(f"user:{user.id}", "verify-email-resend", 1)
            await self.send_verification(user)

    async def verify_email(self, token: str) -> UserRecord:
        """Mark the token's user verified; the token works once."""
        key = self._key(token)
        record = await self._challenges.get(key)
        if record is None or datetime.fromisoformat(record["expires_at"]) <= self._clock():
            raise AuthError(
                AuthCode.VERIFICATION_TOKEN_INVALID, "verification link is invalid or expired"
            )
        await self._challenges.delete(key)
        user = await self._users.get(record["user_id"])
        if user is None:
            raise AuthError(AuthCode.VERIFICATION_TOKEN_INVALID, "verification link is invalid")
        await self.mark_verified(user)
        return user

    async def mark_verified(self, user: UserRecord) -> None:
        if user.email_verified:
            return
        user.email_verified = True
        user.updated_at = self._clock()
        await self._users.update(user)
        await self._audit.record(
            AuditEntry(at=user.updated_at, action="user.email_verified", user_id=user.id)
        )

    def _key(self, token: str) -> str:
        return f"verify-email:{self._keys.mac(_PURPOSE, token)}"


@dataclass(frozen=True, slots=True)
class NewUser:
    """What a new user is created from (before validation)."""

    email: str
    password: str
    first_name: str
    last_name: str
    country: str = "US"
    role: Role = Role.TRADER
    email_verified: bool = False


async def store_new_user(
    users: UserRepository,
    hasher: PasswordHasher,
    audit: AuditLog,
    clock: Clock,
    new: NewUser,
    *,
    opening_cash_cents: int,
    ip: str | None = None,
) -> UserRecord:
    """Validate and store a user whose exchange account is still to be opened.

    Sign-up opens it right after; ``aurex admin create-user`` (which runs without
    the engine) leaves it to the server's start-up reconciliation or first login.
    """
    normalized = validate_email(new.email)
    validate_password(new.password)
    now = clock()
    user = UserRecord(
        id=str(uuid.uuid4()),
        email=normalized,
        password_hash=await hasher.hash(new.password),
        first_name=validate_name(new.first_name, "firstName"),
        last_name=validate_name(new.last_name, "lastName"),
        country=validate_country(new.country),
        role=new.role,
        email_verified=new.email_verified,
        created_at=now,
        updated_at=now,
    )
    try:
        await users.add(user)
    except EmailTakenError as exc:
        raise AuthError(AuthCode.EMAIL_TAKEN, "an account with this e-mail exists") from exc
    await audit.record(
        AuditEntry(
            at=now,
            action="user.created",
            user_id=user.id,
            ip_address=ip,
            detail={"role": new.role.value, "opening_cash_cents": opening_cash_cents},
        )
    )
    return user
