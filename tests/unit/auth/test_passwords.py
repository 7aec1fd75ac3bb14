"""Argon2id hashing with the OWASP parameters."""

from __future__ import annotations

import argon2

from aurex.auth.passwords import PasswordHasher


async def test_hash_is_argon2id_with_owasp_parameters_and_a_fresh_salt() -> None:
    hasher = PasswordHasher()
    first = await hasher.hash("SecurePass123!")
    second = await hasher.hash("SecurePass123!")
    assert first != second
    params = argon2.extract_parameters(first)
    assert params.type is argon2.Type.ID
    assert params.memory_cost == 19456 and params.time_cost == 2 and params.parallelism == 1


async def test_verify_accepts_only_the_right_password() -> None:
    hasher = PasswordHasher()
    stored = await hasher.hash("SecurePass123!")
    assert await hasher.verify(stored, "SecurePass123!")
    assert not await hasher.verify(stored, "SecurePass123?")
    assert not await hasher.verify("not a hash", "SecurePass123!")


async def test_weaker_old_hashes_are_flagged_for_rehash() -> None:
    weak = PasswordHasher(memory_cost_kib=8192, time_cost=1)
    stored = await weak.hash("SecurePass123!")
    assert PasswordHasher().needs_rehash(stored)
    assert not PasswordHasher().needs_rehash(await PasswordHasher().hash("SecurePass123!"))
