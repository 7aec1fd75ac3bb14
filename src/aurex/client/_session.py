"""Logging in and staying logged in: the two-step login, token refresh and the rule that
puts credentials on each request. Sans-I/O: every method returns a flow (see
``_protocol``) that a sync or async driver runs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from aurex.client._errors import AuthenticationError
from aurex.client._models import LoginChallenge, SignupResult, Tokens
from aurex.client._protocol import (
    AskSecondFactor,
    Flow,
    RefreshTokens,
    Reply,
    Request,
    decode,
    error_code,
)

TOKEN_EXPIRED = 1032
TOKEN_REVOKED = 1033
REFRESH_MARGIN_S = 30.0
"""Refresh this long before the access token's end, so it never expires in flight."""


@dataclass(slots=True)
class Credentials:
    """The tokens of one login and when (on the client's clock) they run out."""

    access_token: str
    trading_token: str
    access_expires_at: float
    trading_expires_at: float


class Session:
    """Token state shared by every call of one client."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.credentials: Credentials | None = None
        self.generation = 0
        """Bumped on each new access token; tells a stale 401 from a real expiry."""

    # ------------------------------------------------------------------ state

    @property
    def logged_in(self) -> bool:
        return self.credentials is not None

    def adopt(self, tokens: Tokens) -> None:
        """Use tokens from a login or refresh (or handed over from elsewhere)."""
        now = self._clock()
        self.credentials = Credentials(
            tokens.session_token,
            tokens.trading_token,
            now + tokens.expires_in,
            now + tokens.trading_expires_in,
        )
        self.generation += 1

    def access_due(self) -> bool:
        """True when the access token is within the refresh margin of its end."""
        c = self.credentials
        return c is not None and self._clock() >= c.access_expires_at - REFRESH_MARGIN_S

    def _require(self) -> Credentials:
        if self.credentials is None:
            raise AuthenticationError(1030, "not logged in: call login() first", 0)
        return self.credentials

    # ------------------------------------------------------------------ flows

    def signup(
        self,
        email: str,
        password: str,
        first_name: str,
        last_name: str,
        country: str = "US",
    ) -> Flow[SignupResult]:
        body = {
            "email": email,
            "password": password,
            "firstName": first_name,
            "lastName": last_name,
            "country": country,
        }
        reply = yield Request("POST", "/api/auth/signup", json=body)
        return decode(reply, SignupResult)

    def verify_email(self, token: str) -> Flow[None]:
        reply = yield Request("POST", "/api/auth/verify-email", json={"token": token})
        decode(reply, dict)

    def login(self, email: str, password: str) -> Flow[Tokens]:
        """Password, then the second factor from the callback; keeps the tokens."""
        reply = yield Request(
            "POST", "/api/auth/login", json={"email": email, "password": password}
        )
        challenge = decode(reply, LoginChallenge)
        code = yield AskSecondFactor(challenge.two_factor_type)
        reply = yield Request(
            "POST", "/api/auth/verify-2fa", json={"email": email, "code": str(code)}
        )
        tokens = decode(reply, Tokens)
        self.adopt(tokens)
        return tokens

    def refresh(self) -> Flow[Tokens]:
        """A new access token for the trading token (the old one stops working)."""
        trading_token = self._require().trading_token
        reply = yield Request("POST", "/api/auth/refresh", json={"tradingToken": trading_token})
        tokens = decode(reply, Tokens)
        self.adopt(tokens)
        return tokens

    def logout(self) -> Flow[None]:
        reply = yield from self.authorized(Request("POST", "/api/auth/logout"))
        decode(reply, dict)
        self.credentials = None

    def fresh_access_token(self) -> Flow[str]:
        """The access token, refreshed first when it is about to end."""
        if self.access_due():
            yield RefreshTokens(self.generation)
        return self._require().access_token

    def authorized(self, request: Request, *, trading: bool = False) -> Flow[Reply]:
        """Send ``request`` with the access token (and the trading token for order
        entry), refreshing first when the token is about to end and once more if the
        server says it has expired. A 401 caused by a token another call just replaced
        is retried with the new token."""
        if self.access_due():
            yield RefreshTokens(self.generation)
        for attempt in range(2):
            generation = self.generation
            reply: Reply = yield request.with_headers(self._headers(trading))
            if reply.status != 401 or attempt == 1:
                return reply
            code = error_code(reply)
            if self.generation != generation and code in (TOKEN_EXPIRED, TOKEN_REVOKED):
                continue  # another call refreshed meanwhile: retry with its token
            if code != TOKEN_EXPIRED:
                return reply
            yield RefreshTokens(generation)
        raise AssertionError("unreachable")  # pragma: no cover

    def _headers(self, trading: bool) -> dict[str, str]:
        c = self._require()
        headers = {"Authorization": f"Bearer {c.access_token}"}
        if trading:
            headers["X-Trading-Token"] = c.trading_token
        return headers
