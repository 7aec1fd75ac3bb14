"""TOTP codes (RFC 6238) and backup codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from aurex.auth import backup_codes, totp
from aurex.auth.keys import KeyRing

AT = datetime(2026, 3, 2, 14, 30, 10, tzinfo=UTC)


def test_rfc_6238_reference_vector() -> None:
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", T = 59 s -> 94287082 (8 digits).
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp.code_at_step(secret, 59 // 30) == "287082"


def test_secret_is_160_bits_of_base32() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32 and secret != totp.new_secret()
    pyotp.TOTP(secret).now()  # valid base32


def test_provisioning_uri_names_issuer_account_and_parameters() -> None:
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "ada@example.com")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/Aurex:ada%40example.com"
    query = parse_qs(parts.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"] and query["issuer"] == ["Aurex"]


def test_qr_code_is_inline_svg() -> None:
    svg = totp.qr_svg("otpauth://totp/Aurex:ada?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_matching_step_allows_one_step_of_drift_only() -> None:
    secret = totp.new_secret()
    step = totp.time_step(AT)
    for offset in (-1, 0, 1):
        code = pyotp.TOTP(secret).at(AT + timedelta(seconds=30 * offset))
        assert totp.matching_step(secret, code, AT) == step + offset
    for offset in (-3, -2, 2, 3):
        code = pyotp.TOTP(secret).at(AT + timedelta(seconds=30 * offset))
        if code not in {pyotp.TOTP(secret).at(AT + timedelta(seconds=30 * o)) for o in (-1, 0, 1)}:
            assert totp.matching_step(secret, code, AT) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "١٢٣٤٥٦", " 123456"])
def test_malformed_codes_never_match(code: str) -> None:
    assert totp.matching_step("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", code, AT) is None


def test_backup_codes_are_ten_distinct_formatted_codes() -> None:
    codes = backup_codes.generate()
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert len(code) == 11 and code[5] == "-"
        assert backup_codes.normalize(code) == code.replace("-", "")


def test_backup_code_hash_is_keyed_bound_to_the_user_and_forgiving_of_format() -> None:
    keys = KeyRing.generate()
    code = backup_codes.generate(1)[0]
    digest = backup_codes.code_hash(keys, "u1", code)
    assert code.replace("-", "") not in digest
    assert backup_codes.code_hash(keys, "u1", code.lower().replace("-", " ")) == digest
    assert backup_codes.code_hash(keys, "u2", code) != digest
    assert backup_codes.code_hash(KeyRing.generate(), "u1", code) != digest
    assert not backup_codes.looks_like_backup_code("123456")
    with pytest.raises(ValueError):
        backup_codes.code_hash(keys, "u1", "123456")
