"""Access tokens (Ed25519-signed JWTs, 15 minutes) and opaque trading tokens (8 hours).

Verification pins the algorithm: the header must say ``EdDSA`` and only that
algorithm is passed to PyJWT, so ``none``, HMAC-with-the-public-key and other
substitutions fail. Issuer, audience and the claims Aurex relies on are required.
Expiry is compared with the injected clock (not PyJWT's), so tests can move time.
Whether a valid token is still *live* (not logged out, not superseded by a refresh)
is the session store's business, see ``aurex.auth.sessions``: each token carries its
session's generation (``gen``), and only the session's current generation is live.

A signature check costs far more than the rest of a request, so the claims of a
verified token are remembered (a bounded LRU, keyed by the exact token text) until
it expires. Only the signature and claim checks are skipped on a hit: expiry is
still compared with the clock, and liveness is still asked of the session store on
every request, so logout, refresh and demotion take effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing
from aurex.auth.ports import Clock, Role

ALGORITHM = "EdDSA"
ISSUER = "aurex"
AUDIENCE = "aurex-api"
ACCESS_TTL_S = 15 * 60
TRADING_TTL_S = 8 * 60 * 60
_MAX_EPOCH_S = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second datetime can hold
_REQUIRED = ["exp", "iat", "iss", "aud", "sub", "sid", "jti", "role", "typ", "gen"]
VERIFIED_CACHE_SIZE = 16_384
"""Verified tokens remembered (~1 KiB each): more than the live sessions of a busy day."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    session_id: str
    token_id: str
    role: Role
    generation: int
    issued_at: datetime
    expires_at: datetime


class AccessTokens:
    """Issue and verify access JWTs with the key ring's Ed25519 key."""

    def __init__(
        self,
        keys: KeyRing,
        clock: Clock,
        ttl_s: int = ACCESS_TTL_S,
        cache_size: int = VERIFIED_CACHE_SIZE,
    ) -> None:
        self._keys = keys
        self._clock = clock
        self.ttl_s = ttl_s
        self._cache_size = cache_size
        self._verified: OrderedDict[str, AccessClaims] = OrderedDict()

    def issue(
        self, user_id: str, session_id: str, role: Role, generation: int
    ) -> tuple[str, AccessClaims]:
        """A token for the session's ``generation`` (1 at login, +1 per refresh)."""
        now = self._clock().replace(microsecond=0)
        claims = AccessClaims(
            user_id=user_id,
            session_id=session_id,
            token_id=uuid.uuid4().hex,
            role=role,
            generation=generation,
            issued_at=now,
            expires_at=now + timedelta(seconds=self.ttl_s),
        )
        payload = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user_id,
            "sid": session_id,
            "jti": claims.token_id,
            "role": role.value,
            "typ": "access",
            "gen": generation,
            "iat": int(now.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
        }
        token = jwt.encode(
            payload,
            self._keys.signing_key,
            algorithm=ALGORITHM,
            headers={"kid": self._keys.key_id, "typ": "JWT"},
        )
        return token, claims

    def verify(self, token: str) -> AccessClaims:
        """Claims of a genuine, unexpired token, else ``TOKEN_INVALID``/``TOKEN_EXPIRED``."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._check(token)
            if self._cache_size > 0:
                self._verified[token] = claims
                if len(self._verified) > self._cache_size:
                    self._verified.popitem(last=False)
        else:
            self._verified.move_to_end(token)
        if claims.expires_at <= self._clock():
            self._verified.pop(token, None)
            raise AuthError(AuthCode.TOKEN_EXPIRED, "access token has expired; refresh it")
        return claims

    def _check(self, token: str) -> AccessClaims:
        """The claims of a token whose signature and claims are genuine (expired or not)."""
        invalid = AuthError(AuthCode.TOKEN_INVALID, "access token is invalid")
        try:
            if jwt.get_unverified_header(token).get("alg") != ALGORITHM:
                raise invalid
            payload = jwt.decode(
                token,
                self._keys.verify_key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False},
            )
            if payload["typ"] != "access":
                raise invalid
            issued_at, expires_at = _instant(payload["iat"]), _instant(payload["exp"])
            if not 0 < (expires_at - issued_at).total_seconds() <= self.ttl_s:
                raise invalid  # no genuine token lives longer than the configured TTL
            generation = payload["gen"]
            if not isinstance(generation, int) or isinstance(generation, bool) or generation < 1:
                raise invalid
            claims = AccessClaims(
                user_id=str(payload["sub"]),
                session_id=str(payload["sid"]),
                token_id=str(payload["jti"]),
                role=Role(payload["role"]),
                generation=generation,
                issued_at=issued_at,
                expires_at=expires_at,
            )
        except (jwt.InvalidTokenError, ValueError, TypeError, KeyError, OverflowError) as exc:
            raise invalid from exc
        return claims


def _instant(value: object) -> datetime:
    """A NumericDate claim as a UTC datetime; ValueError for anything out of range."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_EPOCH_S:
        raise ValueError("timestamp out of range")
    return datetime.fromtimestamp(value, UTC)


def new_trading_token() -> str:
    """An opaque 256-bit trading token."""
    return secrets.token_urlsafe(32)


def trading_token_hash(token: str) -> str:
    """What is stored instead of the token: its SHA-256 (the token has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()
