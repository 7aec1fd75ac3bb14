"""E-mail one-time codes: 6 digits from the CSPRNG, 5-minute expiry, 3 attempts.

One active code per user, stored as an HMAC (never in clear) in the challenge
store with its expiry and attempt count. Each attempt increments the count
atomically *before* the comparison, so parallel guesses cannot exceed the limit;
after the third wrong attempt the code is void. Sending is rate-limited per user:
one resend a minute, at most ten codes an hour. A code asked for without the
password (``kind=LOGIN_CODE``, to bring along to step one of a login) is kept apart
from the code of a pending login, so guesses at one cannot void the other.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing
from aurex.auth.mail import send_or_fail
from aurex.auth.ports import ChallengeStore, Clock, CounterStore, Mailer, UserRecord

CODE_TTL_S = 5 * 60
MAX_ATTEMPTS = 3
SENDS_PER_HOUR = 10
_KEEP_S = 60 * 60  # keep a dead code around so late attempts get a precise answer
_PURPOSE = "email-code"
PENDING_CODE = "email-code"
LOGIN_CODE = "login-code"


class EmailCodes:
    """Issue and check e-mailed login codes."""

    def __init__(
        self,
        challenges: ChallengeStore,
        counters: CounterStore,
        mailer: Mailer,
        keys: KeyRing,
        clock: Clock,
    ) -> None:
        self._challenges = challenges
        self._counters = counters
        self._mailer = mailer
        self._keys = keys
        self._clock = clock

    async def send(
        self, user: UserRecord, *, resend: bool = False, kind: str = PENDING_CODE
    ) -> None:
        """E-mail a fresh code, voiding the previous one.

        A pending-login code needs the password first (a login, or a resend for a
        pending login); a ``LOGIN_CODE`` is sent on request (to the address on
        file only). A resend within a minute of the previous code, or more than
        ``SENDS_PER_HOUR`` codes an hour, raise ``TOO_MANY_CODE_REQUESTS``.
        """
        subject = f"user:{user.id}"
        if resend and await self._counters.count(subject, "email-code") > 0:
            raise AuthError(
                AuthCode.TOO_MANY_CODE_REQUESTS,
                "a code was sent less than a minute ago; wait before asking again",
                retry_after_s=60,
            )
        if await self._counters.hit(subject, "email-code-hour", 3600) > SENDS_PER_HOUR:
            raise AuthError(
                AuthCode.TOO_MANY_CODE_REQUESTS,
                "too many codes requested this hour",
                retry_after_s=3600,
            )
        await self._counters.hit(subject, "email-code", 60)
        code = f"{secrets.randbelow(10**6):06d}"
        expires_at = self._clock() + timedelta(seconds=CODE_TTL_S)
        await self._challenges.put(
            self._key(user.id, kind),
            {
                "hash": self._hash(user.id, code),
                "expires_at": expires_at.isoformat(),
                "attempts": "0",
            },
            CODE_TTL_S + _KEEP_S,
        )
        await send_or_fail(
            self._mailer,
            user.email,
            "Your Aurex login code",
            f"Your Aurex login code is {code}\n\n"
            f"It expires in {CODE_TTL_S // 60} minutes and works once. "
            "If you did not try to log in, change your password.\n",
        )

    async def verify(self, user_id: str, code: str, kind: str = PENDING_CODE) -> None:
        """Accept ``code`` once, or raise INVALID_CODE / CODE_EXPIRED / CODE_ATTEMPTS_EXHAUSTED."""
        key = self._key(user_id, kind)
        record = await self._challenges.get(key)
        if record is None:
            raise AuthError(AuthCode.INVALID_CODE, "no active code; request a new one")
        if datetime.fromisoformat(record["expires_at"]) <= self._clock():
            raise AuthError(AuthCode.CODE_EXPIRED, "the code has expired; request a new one")
        attempt = await self._challenges.increment(key, "attempts")
        if attempt == 0 or attempt > MAX_ATTEMPTS:
            raise AuthError(
                AuthCode.CODE_ATTEMPTS_EXHAUSTED, "the code is void after 3 wrong attempts"
            )
        if not hmac.compare_digest(record["hash"], self._hash(user_id, code.strip())):
            left = MAX_ATTEMPTS - attempt
            raise AuthError(
                AuthCode.INVALID_CODE,
                f"wrong code; {left} attempt{'s' if left != 1 else ''} left"
                if left
                else "wrong code; the code is now void",
            )
        await self._challenges.delete(key)

    def _hash(self, user_id: str, code: str) -> str:
        return self._keys.mac(_PURPOSE, f"{user_id}:{code}")

    @staticmethod
    def _key(user_id: str, kind: str) -> str:
        return f"{kind}:{user_id}"
