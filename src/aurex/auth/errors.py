"""Stable numeric codes for authentication and account failures (the 1xxx range).

Each gateway turns an ``AuthError`` into its own protocol (HTTP status + JSON body,
gRPC status, TCP reject). Numbers never change once published; docs/api.md lists
them with their HTTP status.
"""

from __future__ import annotations

from enum import IntEnum


class AuthCode(IntEnum):
    VALIDATION_FAILED = 1000
    INVALID_CREDENTIALS = 1001
    EMAIL_TAKEN = 1002
    WEAK_PASSWORD = 1003
    INVALID_EMAIL = 1004

    NO_PENDING_LOGIN = 1010
    INVALID_CODE = 1011
    CODE_EXPIRED = 1012
    CODE_ALREADY_USED = 1013
    CODE_ATTEMPTS_EXHAUSTED = 1014
    TOO_MANY_CODE_REQUESTS = 1015
    TOTP_SETUP_NOT_STARTED = 1016
    TOTP_ALREADY_ENABLED = 1017
    TOTP_NOT_ENABLED = 1018

    LOCKED_OUT = 1020
    RATE_LIMITED = 1021

    NOT_AUTHENTICATED = 1030
    TOKEN_INVALID = 1031
    TOKEN_EXPIRED = 1032
    TOKEN_REVOKED = 1033
    CSRF_FAILED = 1034
    FORBIDDEN = 1035

    VERIFICATION_TOKEN_INVALID = 1040
    NOT_FOUND = 1041
    INVALID_AMOUNT = 1042
    METHOD_NOT_ALLOWED = 1043
    ACCOUNT_UNAVAILABLE = 1044
    MAIL_UNAVAILABLE = 1045
    HTTP_ERROR = 1098
    INTERNAL_ERROR = 1099


class AuthError(Exception):
    """A refused authentication or account operation, with a stable code.

    ``retry_after_s`` is set for throttling (lockouts, rate limits).
    """

    def __init__(self, code: AuthCode, message: str, *, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after_s = retry_after_s
