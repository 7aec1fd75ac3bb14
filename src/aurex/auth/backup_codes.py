"""Single-use backup codes: generation, normalisation and keyed hashing.

A code is 10 characters of Crockford's base32 alphabet (50 random bits), shown as
``XXXXX-XXXXX``. Codes are stored as HMAC-SHA256 under a server key derived from
the master secret and bound to the user, so a leaked table is useless without the
key, and lookup needs no slow per-row hash.
"""

from __future__ import annotations

import secrets

from aurex.auth.keys import KeyRing

COUNT = 10
LENGTH = 10
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PURPOSE = "backup-code"


def generate(count: int = COUNT) -> list[str]:
    """``count`` fresh codes, formatted for display."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalize(code: str) -> str | None:
    """Upper-case without separators, or None if it cannot be a backup code."""
    cleaned = code.replace("-", "").replace(" ", "").upper()
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def looks_like_backup_code(code: str) -> bool:
    return normalize(code) is not None


def code_hash(keys: KeyRing, user_id: str, code: str) -> str:
    """The stored form of a (normalisable) code for one user."""
    normalized = normalize(code)
    if normalized is None:
        raise ValueError("not a backup code")
    return keys.mac(_PURPOSE, f"{user_id}:{normalized}")
