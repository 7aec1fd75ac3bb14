"""Access JWTs: issued with Ed25519, verified with the algorithm pinned; key files."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing, SecretBox
from aurex.auth.ports import Role
from aurex.auth.tokens import AccessTokens, new_trading_token, trading_token_hash

from .conftest import Clock


def code_of(tokens: AccessTokens, token: str) -> AuthCode:
    with pytest.raises(AuthError) as caught:
        tokens.verify(token)
    return caught.value.code


def test_issued_token_verifies_to_its_claims(clock: Clock) -> None:
    tokens = AccessTokens(KeyRing.generate(), clock)
    token, claims = tokens.issue("u1", "s1", Role.ADMIN, 1)
    assert tokens.verify(token) == claims
    assert claims.role is Role.ADMIN and (claims.expires_at - claims.issued_at).seconds == 900


def test_expiry_follows_the_injected_clock(clock: Clock) -> None:
    tokens = AccessTokens(KeyRing.generate(), clock)
    token, _ = tokens.issue("u1", "s1", Role.TRADER, 1)
    clock.advance(899)
    tokens.verify(token)
    clock.advance(1)
    assert code_of(tokens, token) == AuthCode.TOKEN_EXPIRED


def test_other_algorithms_and_keys_are_refused(clock: Clock) -> None:
    keys = KeyRing.generate()
    tokens = AccessTokens(keys, clock)
    token, _ = tokens.issue("u1", "s1", Role.TRADER, 1)
    payload = jwt.decode(token, options={"verify_signature": False})
    forged = [
        jwt.encode(payload, KeyRing.generate().signing_key, algorithm="EdDSA"),
        jwt.encode(payload, "secret-secret-secret-secret-1234", algorithm="HS256"),
        jwt.encode(payload, None, algorithm="none"),  # type: ignore[arg-type]
        token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        "",
        "a.b",
    ]
    for candidate in forged:
        assert code_of(tokens, candidate) == AuthCode.TOKEN_INVALID, candidate


def test_missing_or_wrong_claims_are_refused(clock: Clock) -> None:
    keys = KeyRing.generate()
    tokens = AccessTokens(keys, clock)
    token, _ = tokens.issue("u1", "s1", Role.TRADER, 1)
    payload = jwt.decode(token, options={"verify_signature": False})
    variants = [
        {k: v for k, v in payload.items() if k != "sid"},
        {**payload, "aud": "someone-else"},
        {**payload, "iss": "evil"},
        {**payload, "typ": "refresh"},
        {**payload, "role": "superuser"},
        {k: v for k, v in payload.items() if k != "gen"},
        {**payload, "gen": 0},
        {**payload, "gen": "1"},
        {**payload, "exp": 2**63},
        {**payload, "exp": 10**30},
        {**payload, "exp": -(2**63)},
        {**payload, "exp": 1e308},
        {**payload, "iat": 2**64},
        {**payload, "exp": payload["exp"] + 86400},  # longer than any genuine token
    ]
    for variant in variants:
        forged = jwt.encode(variant, keys.signing_key, algorithm="EdDSA")
        assert code_of(tokens, forged) == AuthCode.TOKEN_INVALID, variant


def test_remembered_tokens_still_expire_and_forgeries_stay_refused(clock: Clock) -> None:
    keys = KeyRing.generate()
    tokens = AccessTokens(keys, clock, cache_size=2)
    issued = [tokens.issue(f"u{n}", f"s{n}", Role.TRADER, 1) for n in range(3)]
    for _ in range(2):  # the second round is answered from the cache (and past its bound)
        for token, claims in issued:
            assert tokens.verify(token) == claims
    token, _ = issued[0]
    payload = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(payload, KeyRing.generate().signing_key, algorithm="EdDSA")
    assert code_of(tokens, forged) == AuthCode.TOKEN_INVALID
    clock.advance(900)
    for token, _ in issued:
        assert code_of(tokens, token) == AuthCode.TOKEN_EXPIRED


def test_trading_tokens_are_long_random_and_stored_hashed() -> None:
    token = new_trading_token()
    assert len(token) >= 43 and token != new_trading_token()
    assert trading_token_hash(token) == trading_token_hash(token)
    assert token not in trading_token_hash(token) and len(trading_token_hash(token)) == 64


def test_keys_are_created_once_with_private_modes(tmp_path: Path) -> None:
    first = KeyRing.load_or_create(tmp_path / "keys")
    second = KeyRing.load_or_create(tmp_path / "keys")
    assert first.key_id == second.key_id
    assert first.derive("csrf") == second.derive("csrf") != first.derive("other")
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    for name in ("jwt-ed25519.pem", "master.key"):
        assert stat.S_IMODE((tmp_path / "keys" / name).stat().st_mode) == 0o600
    assert not [p for p in (tmp_path / "keys").iterdir() if p.name.startswith(".tmp-")]


def test_too_open_private_key_files_are_tightened(tmp_path: Path) -> None:
    KeyRing.load_or_create(tmp_path)
    (tmp_path / "master.key").chmod(0o644)
    KeyRing.load_or_create(tmp_path)
    assert stat.S_IMODE((tmp_path / "master.key").stat().st_mode) == 0o600


def test_secret_box_binds_ciphertexts_to_their_context() -> None:
    box = SecretBox(KeyRing.generate().derive("totp-secret"))
    sealed = box.seal("JBSWY3DPEHPK3PXP", "totp:u1")
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert box.open(sealed, "totp:u1") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        box.open(sealed, "totp:u2")
