"""The short-lived store ports over a ``HashBackend``, with the spec's Redis key layout.

``session:{token_id}`` and ``trading:{token_hash}`` are hashes with the spec's fields,
``ratelimit:{subject}:{endpoint}`` a counter, ``market:{symbol}`` a hash;
challenges (pending logins, e-mail codes, lockouts, TOTP set-ups) use ``auth:`` keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from aurex.auth.ports import MarketQuote, Role, SessionEntry, TradingEntry
from aurex.auth.stores.backend import HashBackend


class SessionStoreAdapter:
    PREFIX = "session:"

    def __init__(self, backend: HashBackend) -> None:
        self._backend = backend

    async def put(self, token_id: str, entry: SessionEntry, ttl_s: int) -> None:
        fields = {
            "user_id": entry.user_id,
            "email": entry.email,
            "session_id": entry.session_id,
            "ip_address": entry.ip_address,
            "created_at": entry.created_at.isoformat(),
            "last_activity": entry.last_activity.isoformat(),
        }
        await self._backend.put(self.PREFIX + token_id, fields, ttl_s)

    async def get(self, token_id: str) -> SessionEntry | None:
        fields = await self._backend.get(self.PREFIX + token_id)
        if fields is None:
            return None
        return SessionEntry(
            user_id=fields["user_id"],
            email=fields["email"],
            session_id=fields["session_id"],
            ip_address=fields["ip_address"],
            created_at=datetime.fromisoformat(fields["created_at"]),
            last_activity=datetime.fromisoformat(fields["last_activity"]),
        )

    async def touch(self, token_id: str, at: datetime) -> None:
        await self._backend.set_field_if_exists(
            self.PREFIX + token_id, "last_activity", at.isoformat()
        )

    async def delete(self, token_id: str) -> None:
        await self._backend.delete(self.PREFIX + token_id)


class TradingTokenStoreAdapter:
    PREFIX = "trading:"

    def __init__(self, backend: HashBackend) -> None:
        self._backend = backend

    async def put(self, token_hash: str, entry: TradingEntry, ttl_s: int) -> None:
        fields = {
            "user_id": entry.user_id,
            "email": entry.email,
            "role": entry.role.value,
            "session_id": entry.session_id,
            "expires_at": entry.expires_at.isoformat(),
            "balance": str(entry.balance_cents),
            "positions": json.dumps(dict(entry.positions), sort_keys=True),
        }
        await self._backend.put(self.PREFIX + token_hash, fields, ttl_s)

    async def get(self, token_hash: str) -> TradingEntry | None:
        fields = await self._backend.get(self.PREFIX + token_hash)
        if fields is None:
            return None
        return TradingEntry(
            user_id=fields["user_id"],
            email=fields["email"],
            role=Role(fields["role"]),
            session_id=fields["session_id"],
            expires_at=datetime.fromisoformat(fields["expires_at"]),
            balance_cents=int(fields["balance"]),
            positions={str(k): int(v) for k, v in json.loads(fields["positions"]).items()},
        )

    async def delete(self, token_hash: str) -> None:
        await self._backend.delete(self.PREFIX + token_hash)


class CounterStoreAdapter:
    PREFIX = "ratelimit:"

    def __init__(self, backend: HashBackend) -> None:
        self._backend = backend

    async def hit(self, subject: str, endpoint: str, window_s: int) -> int:
        return await self._backend.hit(f"{self.PREFIX}{subject}:{endpoint}", window_s)

    async def count(self, subject: str, endpoint: str) -> int:
        return await self._backend.count(f"{self.PREFIX}{subject}:{endpoint}")

    async def reset(self, subject: str, endpoint: str) -> None:
        await self._backend.delete(f"{self.PREFIX}{subject}:{endpoint}")


class ChallengeStoreAdapter:
    PREFIX = "auth:"

    def __init__(self, backend: HashBackend) -> None:
        self._backend = backend

    async def put(self, key: str, fields: Mapping[str, str], ttl_s: int) -> None:
        await self._backend.put(self.PREFIX + key, fields, ttl_s)

    async def get(self, key: str) -> dict[str, str] | None:
        return await self._backend.get(self.PREFIX + key)

    async def increment(self, key: str, field: str) -> int:
        return await self._backend.increment_if_exists(self.PREFIX + key, field)

    async def delete(self, key: str) -> None:
        await self._backend.delete(self.PREFIX + key)


class MarketCacheAdapter:
    PREFIX = "market:"

    def __init__(self, backend: HashBackend) -> None:
        self._backend = backend

    async def put(self, symbol: str, quote: MarketQuote, ttl_s: int = 60) -> None:
        fields = {
            "last_price": str(quote.last_price_ticks),
            "bid_price": str(quote.bid_price_ticks),
            "ask_price": str(quote.ask_price_ticks),
            "volume": str(quote.volume),
            "timestamp": str(quote.timestamp_ns),
        }
        await self._backend.put(self.PREFIX + symbol, fields, ttl_s)

    async def get(self, symbol: str) -> MarketQuote | None:
        fields = await self._backend.get(self.PREFIX + symbol)
        if fields is None:
            return None
        return MarketQuote(
            last_price_ticks=int(fields["last_price"]),
            bid_price_ticks=int(fields["bid_price"]),
            ask_price_ticks=int(fields["ask_price"]),
            volume=int(fields["volume"]),
            timestamp_ns=int(fields["timestamp"]),
        )
