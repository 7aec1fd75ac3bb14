"""TOTP (RFC 6238: SHA-1, 30-second steps, 6 digits) via pyotp, plus the set-up QR code."""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime

import pyotp
import segno

PERIOD_S = 30
DIGITS = 6
ISSUER = "Aurex"
DRIFT_STEPS = 1  # accept the previous and next step too: clocks and typing take time


def new_secret() -> str:
    """A 160-bit base32 secret (the RFC 4226 recommended length) from the CSPRNG."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def provisioning_uri(secret: str, account_name: str) -> str:
    """The ``otpauth://totp/...`` URI authenticator apps import."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_S).provisioning_uri(
        name=account_name, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """An inline SVG QR code of ``uri``."""
    return str(segno.make(uri, error="m").svg_inline(scale=4))


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // PERIOD_S


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_S).generate_otp(step)


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step (within the drift window) whose code equals ``code``, else None.

    The caller accepts the code only if this step is later than the last accepted
    one, which makes every code single-use.
    """
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    now = time_step(at)
    matched = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        # Compare every candidate so timing does not reveal which step matched.
        if hmac.compare_digest(code_at_step(secret, step), code):
            matched = step
    return matched
