"""Sign-up input rules."""

from __future__ import annotations

import pytest

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.validation import (
    password_problems,
    validate_country,
    validate_email,
    validate_name,
    validate_password,
)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("  ada.lovelace+aurex@mail.example.co.uk ", "ada.lovelace+aurex@mail.example.co.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_valid_emails_are_normalized(raw: str, normalized: str) -> None:
    assert validate_email(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@@example.com",
        "ada@-example.com",
        "ada..x@example.com",
        ".ada@example.com",
        "ada@example.123",
        "a" * 65 + "@example.com",
        "ada@" + "x" * 250 + ".com",
        '"quoted"@example.com',
        "ada@exa_mple.com",
    ],
)
def test_invalid_emails_are_refused(raw: str) -> None:
    with pytest.raises(AuthError) as caught:
        validate_email(raw)
    assert caught.value.code == AuthCode.INVALID_EMAIL


def test_the_spec_example_password_is_accepted() -> None:
    validate_password("SecurePass123!")
    assert password_problems("SecurePass123!") == []


def test_every_unmet_rule_is_named() -> None:
    with pytest.raises(AuthError) as caught:
        validate_password("abc")
    assert caught.value.code == AuthCode.WEAK_PASSWORD
    assert caught.value.message == (
        "password needs at least 8 characters, an uppercase letter, a digit, a special character"
    )


def test_spaces_do_not_count_as_special_characters() -> None:
    assert password_problems("Secure Pass 123") == ["a special character"]


def test_overlong_passwords_are_refused() -> None:
    assert "at most 128 characters" in password_problems("Aa1!" * 40)


def test_names_and_countries() -> None:
    assert validate_name("  Ada ", "firstName") == "Ada"
    assert validate_country("gb") == "GB"
    for bad in ("", "   ", "x" * 101, "Ada\nLovelace"):
        with pytest.raises(AuthError):
            validate_name(bad, "firstName")
    for bad in ("USA", "U", "1A", "United States"):
        with pytest.raises(AuthError):
            validate_country(bad)
