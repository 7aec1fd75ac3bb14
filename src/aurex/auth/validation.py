"""Input rules for sign-up: e-mail syntax, the spec's password rules, names, country."""

from __future__ import annotations

import re

from aurex.auth.errors import AuthCode, AuthError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128  # bounds the hashing work an attacker can request
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 100

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def normalize_email(raw: str) -> str:
    """Lower-cased, stripped address; addresses differing only in case are one account."""
    return raw.strip().lower()


def validate_email(raw: str) -> str:
    """Return the normalised address or raise ``INVALID_EMAIL``.

    Accepts the common ``local@domain.tld`` form (dot-atom local part, a domain of at
    least two valid labels); quoted local parts and IP-literal domains are refused.
    """
    email = normalize_email(raw)
    local, sep, domain = email.rpartition("@")
    labels = domain.split(".")
    ok = (
        sep == "@"
        and len(email) <= MAX_EMAIL_LENGTH
        and 0 < len(local) <= 64
        and _LOCAL_PART.match(local) is not None
        and len(labels) >= 2
        and all(_DOMAIN_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )
    if not ok:
        raise AuthError(AuthCode.INVALID_EMAIL, "e-mail address is not valid")
    return email


def password_problems(password: str) -> list[str]:
    """Every unmet password rule, in words (empty when the password is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"at most {MAX_PASSWORD_LENGTH} characters")
    if not any(c.isupper() for c in password):
        problems.append("an uppercase letter")
    if not any(c.islower() for c in password):
        problems.append("a lowercase letter")
    if not any(c.isdigit() for c in password):
        problems.append("a digit")
    if all(c.isalnum() or c.isspace() for c in password):
        problems.append("a special character")
    return problems


def validate_password(password: str) -> None:
    """Raise ``WEAK_PASSWORD`` naming every unmet rule."""
    problems = password_problems(password)
    if problems:
        raise AuthError(AuthCode.WEAK_PASSWORD, "password needs " + ", ".join(problems))


def validate_name(raw: str, what: str) -> str:
    """A stripped, non-empty name of at most 100 printable characters."""
    name = raw.strip()
    if not name or len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise AuthError(
            AuthCode.VALIDATION_FAILED, f"{what} must be 1-{MAX_NAME_LENGTH} printable characters"
        )
    return name


def validate_country(raw: str) -> str:
    """An ISO 3166-1 alpha-2 code such as ``US`` (case-insensitive)."""
    country = raw.strip().upper()
    if not _COUNTRY.match(country):
        raise AuthError(AuthCode.VALIDATION_FAILED, "country must be a two-letter ISO code")
    return country
