"""Rate limits of ``/api/trading/*``: per client address and per user, fixed windows.

Each request counts once for its address (before authentication, so anonymous
floods are limited too) and once for its user. Counters live in the auth
``CounterStore`` (``ratelimit:{subject}:trading:{window}``: Redis when
``AUREX_REDIS_URL`` is set), so several server processes share them. Windows are
aligned to the clock (every ``window_s`` seconds), which makes the reset time the
same for both subjects. Every trading response carries ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (seconds until the window
ends) of the tighter subject; past a limit the answer is 429, code 2020, with
``Retry-After``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.ports import Clock, CounterStore
from aurex.auth.sessions import Principal
from aurex.gateways.codes import GatewayCode
from aurex.gateways.http.deps import auth_services, client_ip, current_principal
from aurex.gateways.http.errors import GatewayError
from aurex.gateways.http.security import TRADING_COOKIE

TRADING_PREFIX = "/api/trading"
TRADING_TOKEN_HEADER = "x-trading-token"
RATE_LIMIT_STATE = "rate_limit"
"""Where the dependencies leave the tighter quota for ``edge.EdgeMiddleware``."""


@dataclass(frozen=True, slots=True)
class TradingLimits:
    """Requests allowed per window; generous enough for a busy trading program."""

    per_user: int = 3_000
    per_address: int = 6_000
    window_s: int = 60


@dataclass(frozen=True, slots=True)
class Quota:
    limit: int
    used: int
    reset_s: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_s),
        }

    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """``headers()`` as ASGI response headers."""
        return (
            (b"x-ratelimit-limit", str(self.limit).encode()),
            (b"x-ratelimit-remaining", str(self.remaining).encode()),
            (b"x-ratelimit-reset", str(self.reset_s).encode()),
        )


class TradingRateLimiter:
    def __init__(self, counters: CounterStore, clock: Clock, limits: TradingLimits) -> None:
        self.counters = counters
        self.clock = clock
        self.limits = limits

    async def hit(self, subject: str, limit: int) -> Quota:
        """Count one request of ``subject`` in the current window."""
        window_s = self.limits.window_s
        now = self.clock().timestamp()
        window = math.floor(now / window_s)
        reset_s = max(1, math.ceil((window + 1) * window_s - now))
        used = await self.counters.hit(subject, f"trading:{window}", window_s)
        return Quota(limit, used, reset_s)


def _record(request: Request, quota: Quota) -> None:
    """Keep the tighter quota for the response headers; refuse when it is used up."""
    previous: Quota | None = getattr(request.state, RATE_LIMIT_STATE, None)
    if previous is None or quota.remaining < previous.remaining:
        setattr(request.state, RATE_LIMIT_STATE, quota)
    if quota.exceeded:
        raise GatewayError(
            429,
            GatewayCode.RATE_LIMITED,
            f"too many trading requests: at most {quota.limit} per "
            f"{limiter_of(request).limits.window_s} s",
            {"Retry-After": str(quota.reset_s), **quota.headers()},
        )


def limiter_of(request: Request) -> TradingRateLimiter:
    limiter: TradingRateLimiter = request.app.state.trading_limiter
    return limiter


async def trading_principal(request: Request) -> Principal:
    """The authenticated caller of a trading route, within the rate limits."""
    limiter = limiter_of(request)
    address = await limiter.hit(f"ip:{client_ip(request)}", limiter.limits.per_address)
    _record(request, address)
    principal = await current_principal(request)
    user = await limiter.hit(f"user:{principal.user_id}", limiter.limits.per_user)
    _record(request, user)
    return principal


async def order_entry_principal(
    request: Request, principal: Annotated[Principal, Depends(trading_principal)]
) -> Principal:
    """Order entry also needs the session's trading token (``X-Trading-Token`` or cookie)."""
    token = request.headers.get(TRADING_TOKEN_HEADER) or request.cookies.get(TRADING_COOKIE)
    if not token:
        raise GatewayError(
            401,
            GatewayCode.TRADING_TOKEN_REQUIRED,
            "order entry needs the trading token: send it in X-Trading-Token",
            {"WWW-Authenticate": "Bearer"},
        )
    owner = await auth_services(request).sessions.authenticate_trading(token)
    if owner.session_id != principal.session_id or owner.user_id != principal.user_id:
        raise AuthError(AuthCode.FORBIDDEN, "the trading token belongs to another session")
    return principal


TradingUser = Annotated[Principal, Depends(trading_principal)]
OrderEntryUser = Annotated[Principal, Depends(order_entry_principal)]
