"""E-mailed login codes on the in-process stores."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from aurex.auth import memory_stores
from aurex.auth.email_code import EmailCodes
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing
from aurex.auth.ports import UserRecord

from .conftest import Clock, Outbox


def user(now: datetime) -> UserRecord:
    return UserRecord(
        id="u1",
        email="ada@example.com",
        password_hash="x",
        first_name="Ada",
        last_name="Lovelace",
        created_at=now,
        updated_at=now,
    )


@pytest.fixture
def codes(clock: Clock, outbox: Outbox) -> EmailCodes:
    stores = memory_stores(clock)
    return EmailCodes(stores.challenges, stores.counters, outbox, KeyRing.generate(), clock)


def last_code(outbox: Outbox) -> str:
    match = re.search(r"code is (\d{6})", outbox.sent[-1][2])
    assert match
    return match.group(1)


async def refusal(codes: EmailCodes, code: str) -> AuthCode:
    with pytest.raises(AuthError) as caught:
        await codes.verify("u1", code)
    return caught.value.code


async def test_code_is_mailed_and_accepted_once(
    codes: EmailCodes, clock: Clock, outbox: Outbox
) -> None:
    await codes.send(user(clock()))
    to, subject, _body = outbox.sent[-1]
    assert to == "ada@example.com" and subject == "Your Aurex login code"
    code = last_code(outbox)
    await codes.verify("u1", code)
    assert await refusal(codes, code) == AuthCode.INVALID_CODE


async def test_code_expires_after_five_minutes(
    codes: EmailCodes, clock: Clock, outbox: Outbox
) -> None:
    await codes.send(user(clock()))
    clock.advance(300)
    assert await refusal(codes, last_code(outbox)) == AuthCode.CODE_EXPIRED


async def test_three_wrong_attempts_void_the_code(
    codes: EmailCodes, clock: Clock, outbox: Outbox
) -> None:
    await codes.send(user(clock()))
    code = last_code(outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert [await refusal(codes, wrong) for _ in range(3)] == [AuthCode.INVALID_CODE] * 3
    assert await refusal(codes, code) == AuthCode.CODE_ATTEMPTS_EXHAUSTED


async def test_a_new_code_replaces_the_old_one(
    codes: EmailCodes, clock: Clock, outbox: Outbox
) -> None:
    await codes.send(user(clock()))
    first = last_code(outbox)
    clock.advance(61)
    await codes.send(user(clock()), resend=True)
    second = last_code(outbox)
    if first != second:
        assert await refusal(codes, first) == AuthCode.INVALID_CODE
    await codes.verify("u1", second)


async def test_resends_are_limited_to_one_a_minute_and_ten_an_hour(
    codes: EmailCodes, clock: Clock
) -> None:
    await codes.send(user(clock()))
    with pytest.raises(AuthError) as caught:
        await codes.send(user(clock()), resend=True)
    assert caught.value.code == AuthCode.TOO_MANY_CODE_REQUESTS
    for _ in range(9):
        clock.advance(61)
        await codes.send(user(clock()), resend=True)
    clock.advance(61)
    with pytest.raises(AuthError) as hourly:
        await codes.send(user(clock()), resend=True)
    assert hourly.value.retry_after_s == 3600
