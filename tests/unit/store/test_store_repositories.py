"""The SQL repositories keep users, sessions, backup codes and the audit log as auth
expects (``aurex.auth.ports``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.auth.ports import (
    AuditEntry,
    EmailTakenError,
    Role,
    SessionRecord,
    TwoFactorType,
    UserRecord,
)
from aurex.store.audit_log import SqlAuditLog
from aurex.store.session_repository import SqlBackupCodeRepository, SqlSessionRepository
from aurex.store.user_repository import SqlUserRepository

T0 = datetime(2026, 3, 2, 14, 30, 15, 123456, tzinfo=UTC)


def a_user(email: str = "ada@example.com", at: datetime = T0) -> UserRecord:
    return UserRecord(
        id=str(uuid.uuid4()),
        email=email,
        password_hash="$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        first_name="Ada",
        last_name="Lovelace",
        created_at=at,
        updated_at=at,
    )


def a_session(user_id: str, at: datetime = T0) -> SessionRecord:
    return SessionRecord(
        id=str(uuid.uuid4()),
        user_id=user_id,
        session_token=uuid.uuid4().hex,
        trading_token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
        ip_address="203.0.113.7",
        user_agent="pytest",
        expires_at=at + timedelta(minutes=15),
        trading_expires_at=at + timedelta(hours=8),
        created_at=at,
        last_activity=at,
    )


async def test_user_round_trips_with_aware_utc_times(engine: AsyncEngine) -> None:
    repo = SqlUserRepository(engine)
    user = a_user()
    await repo.add(user)
    assert await repo.get(user.id) == user
    assert await repo.get_by_email("ada@example.com") == user
    assert await repo.get(str(uuid.uuid4())) is None
    assert await repo.get_by_email("nobody@example.com") is None


async def test_second_signup_with_same_email_is_refused(engine: AsyncEngine) -> None:
    repo = SqlUserRepository(engine)
    await repo.add(a_user())
    with pytest.raises(EmailTakenError):
        await repo.add(a_user())
    assert len(await repo.list(limit=10, offset=0)) == 1


async def test_update_writes_every_mutable_field(engine: AsyncEngine) -> None:
    repo = SqlUserRepository(engine)
    user = a_user()
    await repo.add(user)
    user.email = "ada.l@example.com"
    user.password_hash = "new-hash"
    user.role = Role.ADMIN
    user.email_verified = True
    user.two_factor_type = TwoFactorType.TOTP
    user.two_factor_secret = "encrypted-secret"
    user.updated_at = T0 + timedelta(days=1)
    await repo.update(user)
    assert await repo.get(user.id) == user
    assert await repo.get_by_email("ada@example.com") is None


async def test_changing_email_to_a_taken_one_is_refused(engine: AsyncEngine) -> None:
    repo = SqlUserRepository(engine)
    ada, bob = a_user(), a_user("bob@example.com")
    await repo.add(ada)
    await repo.add(bob)
    bob.email = "ada@example.com"
    with pytest.raises(EmailTakenError):
        await repo.update(bob)
    stored = await repo.get(bob.id)
    assert stored is not None and stored.email == "bob@example.com"


async def test_totp_step_is_accepted_only_once_and_never_backwards(engine: AsyncEngine) -> None:
    repo = SqlUserRepository(engine)
    user = a_user()
    await repo.add(user)
    assert await repo.claim_totp_step(user.id, 1000)
    assert not await repo.claim_totp_step(user.id, 1000)
    assert not await repo.claim_totp_step(user.id, 999)
    assert await repo.claim_totp_step(user.id, 1001)
    stored = await repo.get(user.id)
    assert stored is not None and stored.totp_last_step == 1001


async def test_writing_back_a_stale_user_cannot_reopen_a_used_totp_step(
    engine: AsyncEngine,
) -> None:
    repo = SqlUserRepository(engine)
    user = a_user()
    await repo.add(user)
    stale = await repo.get(user.id)
    assert stale is not None and stale.totp_last_step is None
    assert await repo.claim_totp_step(user.id, 1000)
    await repo.update(stale)
    assert not await repo.claim_totp_step(user.id, 1000)


async def test_users_are_listed_oldest_first_with_paging(engine: AsyncEngine) -> None:
    repo = SqlUserRepository(engine)
    for i in (2, 0, 1):
        await repo.add(a_user(f"u{i}@example.com", T0 + timedelta(seconds=i)))
    page1 = await repo.list(limit=2, offset=0)
    page2 = await repo.list(limit=2, offset=2)
    assert [u.email for u in [*page1, *page2]] == [f"u{i}@example.com" for i in range(3)]
    assert await repo.count() == 3


async def test_session_lifecycle_touch_rotate_revoke(engine: AsyncEngine) -> None:
    users, sessions = SqlUserRepository(engine), SqlSessionRepository(engine)
    user = a_user()
    await users.add(user)
    session = a_session(user.id)
    await sessions.add(session)
    assert await sessions.get(session.id) == session

    later = T0 + timedelta(minutes=5)
    await sessions.touch(session.id, later)
    await sessions.rotate(session.id, "new-jti", later + timedelta(minutes=15), later)
    stored = await sessions.get(session.id)
    assert stored is not None
    assert (stored.session_token, stored.last_activity) == ("new-jti", later)
    assert stored.expires_at == later + timedelta(minutes=15)

    assert await sessions.revoke(session.id, later)
    assert not await sessions.revoke(session.id, later + timedelta(seconds=1))
    revoked = await sessions.get(session.id)
    assert revoked is not None and revoked.revoked_at == later
    assert await sessions.list_active(user.id, later) == []


async def test_active_sessions_exclude_expired_and_revoke_all_logs_out_everywhere(
    engine: AsyncEngine,
) -> None:
    users, sessions = SqlUserRepository(engine), SqlSessionRepository(engine)
    user, other = a_user(), a_user("bob@example.com")
    await users.add(user)
    await users.add(other)
    old, new = a_session(user.id, T0), a_session(user.id, T0 + timedelta(hours=1))
    theirs = a_session(other.id)
    for s in (old, new, theirs):
        await sessions.add(s)

    now = T0 + timedelta(hours=2)
    assert [s.id for s in await sessions.list_active(user.id, now)] == [new.id, old.id]
    after_old_expired = T0 + timedelta(hours=8, minutes=1)
    assert [s.id for s in await sessions.list_active(user.id, after_old_expired)] == [new.id]

    revoked = await sessions.revoke_all(user.id, now)
    assert [s.id for s in revoked] == [new.id, old.id]
    assert all(s.revoked_at == now for s in revoked)
    assert await sessions.revoke_all(user.id, now) == []
    assert await sessions.list_active(user.id, now) == []
    assert [s.id for s in await sessions.list_active(other.id, now)] == [theirs.id]


async def test_backup_codes_are_single_use_and_replaced_as_a_set(engine: AsyncEngine) -> None:
    users, codes = SqlUserRepository(engine), SqlBackupCodeRepository(engine)
    user = a_user()
    await users.add(user)
    await codes.replace(user.id, [f"hash{i}" for i in range(10)], T0)
    assert await codes.count_unused(user.id) == 10
    assert await codes.consume(user.id, "hash3", T0)
    assert not await codes.consume(user.id, "hash3", T0)
    assert not await codes.consume(user.id, "unknown", T0)
    assert await codes.count_unused(user.id) == 9

    await codes.replace(user.id, ["fresh"], T0)
    assert await codes.count_unused(user.id) == 1
    assert not await codes.consume(user.id, "hash4", T0)
    await codes.replace(user.id, [], T0)
    assert await codes.count_unused(user.id) == 0


async def test_audit_log_returns_newest_first_with_filters(engine: AsyncEngine) -> None:
    log = SqlAuditLog(engine)
    await log.record(AuditEntry(at=T0, action="login", user_id="u1", ip_address="198.51.100.1"))
    await log.record(
        AuditEntry(
            at=T0 + timedelta(seconds=1),
            action="lockout",
            user_id="u1",
            detail={"failures": 5, "permanent": False, "note": None},
        )
    )
    await log.record(AuditEntry(at=T0 + timedelta(seconds=2), action="login", user_id="u2"))
    await log.record(AuditEntry(at=T0 + timedelta(seconds=3), action="symbol_halted"))

    assert [e.action for e in await log.recent()] == ["symbol_halted", "login", "lockout", "login"]
    mine = await log.recent(user_id="u1")
    assert [e.action for e in mine] == ["lockout", "login"]
    assert mine[0].detail == {"failures": 5, "permanent": False, "note": None}
    assert mine[1].ip_address == "198.51.100.1" and mine[1].at == T0
    assert [e.user_id for e in await log.recent(action="login", limit=1)] == ["u2"]
