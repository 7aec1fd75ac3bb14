"""Short-lived stores: sessions, trading tokens, counters, challenges, market cache.

``memory_stores(clock)`` is the embedded default; ``redis_stores(url)`` shares them
through Redis. Both give the same ``ShortLivedStores`` bundle of ports.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aurex.auth.ports import (
    ChallengeStore,
    Clock,
    CounterStore,
    MarketCache,
    SessionStore,
    TradingTokenStore,
    utc_now,
)
from aurex.auth.stores.adapters import (
    ChallengeStoreAdapter,
    CounterStoreAdapter,
    MarketCacheAdapter,
    SessionStoreAdapter,
    TradingTokenStoreAdapter,
)
from aurex.auth.stores.backend import HashBackend, MemoryBackend, RedisBackend


async def _nothing() -> None:
    return None


@dataclass(slots=True)
class ShortLivedStores:
    sessions: SessionStore
    trading: TradingTokenStore
    counters: CounterStore
    challenges: ChallengeStore
    market: MarketCache
    close: Callable[[], Awaitable[None]] = _nothing


def _bundle(backend: HashBackend) -> ShortLivedStores:
    return ShortLivedStores(
        sessions=SessionStoreAdapter(backend),
        trading=TradingTokenStoreAdapter(backend),
        counters=CounterStoreAdapter(backend),
        challenges=ChallengeStoreAdapter(backend),
        market=MarketCacheAdapter(backend),
    )


def memory_stores(clock: Clock = utc_now) -> ShortLivedStores:
    """In-process stores for one server process (the embedded default)."""
    return _bundle(MemoryBackend(clock))


def redis_stores(url: str) -> ShortLivedStores:
    """Stores in Redis at ``url`` (``AUREX_REDIS_URL``); call ``close()`` on shutdown."""
    backend = RedisBackend.from_url(url)
    stores = _bundle(backend)
    stores.close = backend.close
    return stores


__all__ = ["ShortLivedStores", "memory_stores", "redis_stores"]
