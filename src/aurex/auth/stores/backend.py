"""The primitive both short-lived store adapters share: string hashes and counters with TTLs.

``MemoryBackend`` keeps them in a dict and expires them by the injected clock (the
embedded default, one process). ``RedisBackend`` keeps them in Redis under the same
keys (``session:...``, ``trading:...``, ``ratelimit:...``, ``market:...``), so several
gateway processes share them. Every operation that must be atomic is one Redis
command or one Lua script.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

import redis.asyncio as aioredis

from aurex.auth.ports import Clock


class HashBackend(Protocol):
    async def put(self, key: str, fields: Mapping[str, str], ttl_s: int) -> None:
        """Replace the whole hash and set its TTL."""

    async def get(self, key: str) -> dict[str, str] | None: ...

    async def set_field_if_exists(self, key: str, field: str, value: str) -> None: ...

    async def increment_if_exists(self, key: str, field: str) -> int:
        """Add 1 to an integer field; 0 (and no change) when the key is gone."""

    async def delete(self, key: str) -> None: ...

    async def hit(self, key: str, window_s: int) -> int:
        """Increment a counter; the first increment starts its ``window_s`` TTL."""

    async def count(self, key: str) -> int: ...


class MemoryBackend:
    """In-process hashes and counters, expired by the injected clock."""

    _SWEEP_EVERY = 1024

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._hashes: dict[str, tuple[datetime, dict[str, str]]] = {}
        self._counters: dict[str, tuple[datetime, int]] = {}
        self._writes = 0

    async def put(self, key: str, fields: Mapping[str, str], ttl_s: int) -> None:
        self._wrote()
        self._hashes[key] = (self._clock() + timedelta(seconds=ttl_s), dict(fields))

    async def get(self, key: str) -> dict[str, str] | None:
        live = self._live_hash(key)
        return dict(live) if live is not None else None

    async def set_field_if_exists(self, key: str, field: str, value: str) -> None:
        live = self._live_hash(key)
        if live is not None:
            live[field] = value

    async def increment_if_exists(self, key: str, field: str) -> int:
        live = self._live_hash(key)
        if live is None:
            return 0
        value = int(live.get(field, "0")) + 1
        live[field] = str(value)
        return value

    async def delete(self, key: str) -> None:
        self._hashes.pop(key, None)
        self._counters.pop(key, None)

    async def hit(self, key: str, window_s: int) -> int:
        self._wrote()
        now = self._clock()
        expires, value = self._counters.get(key, (now, 0))
        if expires <= now:
            expires, value = now + timedelta(seconds=window_s), 0
        self._counters[key] = (expires, value + 1)
        return value + 1

    async def count(self, key: str) -> int:
        entry = self._counters.get(key)
        if entry is None or entry[0] <= self._clock():
            return 0
        return entry[1]

    def _live_hash(self, key: str) -> dict[str, str] | None:
        entry = self._hashes.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._hashes[key]
            return None
        return entry[1]

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes % self._SWEEP_EVERY == 0:
            now = self._clock()
            self._hashes = {k: v for k, v in self._hashes.items() if v[0] > now}
            self._counters = {k: v for k, v in self._counters.items() if v[0] > now}


_INCREMENT_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
end
return 0
"""

_SET_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 0
"""

_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return n
"""


class RedisBackend:
    """Hashes and counters in Redis (redis-py asyncio); TTLs are Redis expiries."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._increment_if_exists = client.register_script(_INCREMENT_IF_EXISTS)
        self._set_if_exists = client.register_script(_SET_IF_EXISTS)
        self._hit = client.register_script(_HIT)

    @classmethod
    def from_url(cls, url: str) -> RedisBackend:
        return cls(aioredis.from_url(url, decode_responses=True))

    async def close(self) -> None:
        await self._client.aclose()

    async def ping(self) -> bool:
        return bool(await self._client.ping())

    async def put(self, key: str, fields: Mapping[str, str], ttl_s: int) -> None:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            mapping: dict[Any, Any] = dict(fields)
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, ttl_s)
            await pipe.execute()

    async def get(self, key: str) -> dict[str, str] | None:
        found: Any = await self._client.hgetall(key)  # decode_responses: str -> str
        return dict(found) if found else None

    async def set_field_if_exists(self, key: str, field: str, value: str) -> None:
        await self._set_if_exists(keys=[key], args=[field, value])

    async def increment_if_exists(self, key: str, field: str) -> int:
        result: Any = await self._increment_if_exists(keys=[key], args=[field])
        return int(result)

    async def delete(self, key: str) -> None:
        await self._client.delete(key)

    async def hit(self, key: str, window_s: int) -> int:
        result: Any = await self._hit(keys=[key], args=[window_s])
        return int(result)

    async def count(self, key: str) -> int:
        value = await self._client.get(key)
        return int(value) if value is not None else 0
