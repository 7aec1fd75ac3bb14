"""The short-lived stores behave the same in-process and in Redis, and Redis holds them
under the spec's keys (session:, trading:, ratelimit:, market:) with the spec's TTLs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import redis.asyncio as aioredis

from aurex.auth import ShortLivedStores, memory_stores, redis_stores
from aurex.auth.ports import MarketQuote, Role, SessionEntry, TradingEntry

NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


async def empty_redis_db(redis_url: str) -> str:
    """A Redis database of these tests' own, emptied."""
    url = redis_url.rsplit("/", 1)[0] + "/6"
    client = aioredis.from_url(url)
    await client.flushdb()
    await client.aclose()
    return url


@pytest.fixture(params=["in-process", "redis"])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[ShortLivedStores]:
    if request.param == "in-process":
        yield memory_stores()
        return
    bundle = redis_stores(await empty_redis_db(request.getfixturevalue("redis_url")))
    yield bundle
    await bundle.close()


def session_entry() -> SessionEntry:
    return SessionEntry(
        user_id="u1",
        email="ada@example.com",
        session_id="s1",
        ip_address="127.0.0.1",
        created_at=NOW,
        last_activity=NOW,
    )


async def test_session_entries_round_trip_touch_and_delete(stores: ShortLivedStores) -> None:
    await stores.sessions.put("jti1", session_entry(), 900)
    assert await stores.sessions.get("jti1") == session_entry()
    later = datetime(2026, 3, 2, 14, 35, tzinfo=UTC)
    await stores.sessions.touch("jti1", later)
    entry = await stores.sessions.get("jti1")
    assert entry is not None and entry.last_activity == later
    await stores.sessions.delete("jti1")
    assert await stores.sessions.get("jti1") is None
    await stores.sessions.touch("jti1", later)  # touching a gone entry does not revive it
    assert await stores.sessions.get("jti1") is None


async def test_trading_entries_round_trip(stores: ShortLivedStores) -> None:
    entry = TradingEntry(
        user_id="u1",
        email="ada@example.com",
        role=Role.ADMIN,
        session_id="s1",
        expires_at=NOW,
        balance_cents=123,
        positions={"AAPL": 5},
    )
    await stores.trading.put("hash1", entry, 28800)
    assert await stores.trading.get("hash1") == entry
    await stores.trading.delete("hash1")
    assert await stores.trading.get("hash1") is None


async def test_counters_count_and_reset(stores: ShortLivedStores) -> None:
    assert [await stores.counters.hit("user:u1", "login", 60) for _ in range(3)] == [1, 2, 3]
    assert await stores.counters.count("user:u1", "login") == 3
    assert await stores.counters.count("user:u2", "login") == 0
    await stores.counters.reset("user:u1", "login")
    assert await stores.counters.count("user:u1", "login") == 0


async def test_concurrent_attempts_are_counted_exactly(stores: ShortLivedStores) -> None:
    await stores.challenges.put("email-code:u1", {"attempts": "0"}, 300)
    results = await asyncio.gather(
        *(stores.challenges.increment("email-code:u1", "attempts") for _ in range(50))
    )
    assert sorted(results) == list(range(1, 51))
    assert await stores.challenges.increment("missing", "attempts") == 0
    assert await stores.challenges.get("missing") is None


async def test_market_quotes_round_trip(stores: ShortLivedStores) -> None:
    quote = MarketQuote(
        last_price_ticks=15_000,
        bid_price_ticks=14_999,
        ask_price_ticks=15_001,
        volume=42,
        timestamp_ns=1,
    )
    await stores.market.put("AAPL", quote)
    assert await stores.market.get("AAPL") == quote
    assert await stores.market.get("MSFT") is None


async def test_redis_uses_the_spec_key_layout_and_ttls(redis_url: str) -> None:
    url = await empty_redis_db(redis_url)
    stores = redis_stores(url)
    try:
        await stores.sessions.put("jti1", session_entry(), 900)
        await stores.counters.hit("u1", "orders", 60)
        await stores.market.put(
            "AAPL", MarketQuote(last_price_ticks=1, bid_price_ticks=1, ask_price_ticks=2,
                                volume=3, timestamp_ns=4)
        )  # fmt: skip
        await stores.trading.put(
            "hash1",
            TradingEntry(
                user_id="u1", email="a@example.com", role=Role.TRADER, session_id="s1",
                expires_at=NOW,
            ),
            28800,
        )  # fmt: skip
    finally:
        await stores.close()
    redis_client = aioredis.from_url(url, decode_responses=True)
    session = await redis_client.hgetall("session:jti1")
    assert {"user_id", "email", "ip_address", "created_at", "last_activity"} <= set(session)
    assert 0 < await redis_client.ttl("session:jti1") <= 900
    trading = await redis_client.hgetall("trading:hash1")
    assert {"user_id", "balance", "positions"} <= set(trading)
    assert 900 < await redis_client.ttl("trading:hash1") <= 28800
    assert await redis_client.get("ratelimit:u1:orders") == "1"
    assert 0 < await redis_client.ttl("ratelimit:u1:orders") <= 60
    market = await redis_client.hgetall("market:AAPL")
    assert set(market) == {"last_price", "bid_price", "ask_price", "volume", "timestamp"}
    assert 0 < await redis_client.ttl("market:AAPL") <= 60
    await redis_client.aclose()


async def test_in_process_entries_expire_by_the_injected_clock() -> None:
    now = [NOW]
    stores = memory_stores(lambda: now[0])
    await stores.sessions.put("jti1", session_entry(), 900)
    await stores.counters.hit("u1", "login", 60)
    now[0] = NOW.replace(minute=44, second=59)
    assert await stores.sessions.get("jti1") is not None
    assert await stores.counters.count("u1", "login") == 0
    now[0] = NOW.replace(minute=45)
    assert await stores.sessions.get("jti1") is None
