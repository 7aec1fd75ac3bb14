"""The throwaway servers are real, private and usable by the code under test."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import redis.asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from .services import PostgresServer, SmtpServer


async def test_private_postgres_accepts_queries_on_its_own_port(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    assert postgres_server.port != 5432
    engine = create_async_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("select current_database()"))).scalar() == "aurex"
    finally:
        await engine.dispose()


async def test_fresh_postgres_database_is_empty(postgres_server: PostgresServer) -> None:
    engine = create_async_engine(postgres_server.create_database())
    try:
        async with engine.connect() as conn:
            tables = await conn.execute(
                text("select count(*) from information_schema.tables where table_schema='public'")
            )
            assert tables.scalar() == 0
    finally:
        await engine.dispose()


async def test_private_redis_stores_and_returns_values(redis_url: str) -> None:
    assert not redis_url.endswith(":6379/0")
    client = aioredis.from_url(redis_url)
    try:
        await client.set("aurex:harness", "ok")
        assert await client.get("aurex:harness") == b"ok"
    finally:
        await client.aclose()


def test_smtp_server_captures_delivered_mail(smtp_server: SmtpServer) -> None:
    message = EmailMessage()
    message["From"] = "noreply@aurex.test"
    message["To"] = "trader@example.com"
    message["Subject"] = "Your Aurex code"
    message.set_content("Code: 123456")
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as client:
        client.send_message(message)
    received = smtp_server.wait_for_message(to="trader@example.com")
    assert received["Subject"] == "Your Aurex code"
    assert "123456" in received.get_content()
