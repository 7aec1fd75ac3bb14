"""JSON bodies of the auth, account and admin routes, with the spec's camelCase names.

Python attributes are snake_case; the wire names are their camelCase aliases
(``first_name`` <-> ``firstName``). Length caps bound the work a request can cause;
the business rules (password strength, e-mail syntax) live in ``aurex.auth``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic.alias_generators import to_camel

from aurex.auth.ports import Role, TwoFactorType

Email = Annotated[str, Field(max_length=320)]
Password = Annotated[str, Field(max_length=1024)]
Code = Annotated[str, Field(max_length=64)]


class Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# ------------------------------------------------------------------------- requests


class SignupRequest(Body):
    email: Email
    password: Password
    first_name: Annotated[str, Field(max_length=200)]
    last_name: Annotated[str, Field(max_length=200)]
    country: Annotated[str, Field(max_length=100)] = "US"


DeviceToken = Annotated[str | None, Field(max_length=256)]


class LoginRequest(Body):
    email: Email
    password: Password
    code: Annotated[str | None, Field(max_length=64)] = None
    device_token: DeviceToken = None


class VerifyTwoFactorRequest(Body):
    email: Email
    code: Code
    device_token: DeviceToken = None


class PasswordChangeRequest(Body):
    current_password: Password
    new_password: Password
    code: Code


class PasswordResetRequest(Body):
    token: Annotated[str, Field(max_length=256)]
    new_password: Password
    code: Annotated[str | None, Field(max_length=64)] = None


class RefreshRequest(Body):
    trading_token: Annotated[str | None, Field(max_length=256)] = None


class EmailRequest(Body):
    email: Email


class CodeRequest(Body):
    code: Code


class TokenRequest(Body):
    token: Annotated[str, Field(max_length=256)]


class CreditRequest(Body):
    cash_cents: StrictInt


class RoleRequest(Body):
    role: Role


# ------------------------------------------------------------------------ responses


class SuccessResponse(Body):
    success: Literal[True] = True
    message: str


class SignupResponse(Body):
    success: Literal[True] = True
    user_id: str
    message: str = "Account created successfully"


class LoginResponse(Body):
    success: Literal[True] = True
    requires_two_factor: Literal[True] = True
    two_factor_type: TwoFactorType


class TokensResponse(Body):
    success: Literal[True] = True
    session_token: str
    trading_token: str
    expires_in: int
    trading_expires_in: int


class TwoFactorStatus(Body):
    two_factor_type: TwoFactorType
    backup_codes_remaining: int
    email_verified: bool


class TotpSetupResponse(Body):
    secret: str
    otpauth_uri: str
    qr_svg: str
    expires_in: int


class BackupCodesResponse(Body):
    success: Literal[True] = True
    two_factor_type: TwoFactorType
    backup_codes: list[str]


class TwoFactorChanged(Body):
    success: Literal[True] = True
    two_factor_type: TwoFactorType


class SessionInfo(Body):
    session_id: str
    ip_address: str | None
    user_agent: str | None
    created_at: datetime
    last_activity: datetime
    expires_at: datetime
    trading_expires_at: datetime
    current: bool


class SessionsResponse(Body):
    sessions: list[SessionInfo]


class RevokedResponse(Body):
    success: Literal[True] = True
    revoked: int


class PositionInfo(Body):
    symbol: str
    shares: int
    held_shares: int
    available_shares: int


class PositionsResponse(Body):
    positions: list[PositionInfo]


class AccountResponse(Body):
    user_id: str
    email: str
    first_name: str
    last_name: str
    country: str
    role: Role
    email_verified: bool
    two_factor_type: TwoFactorType
    cash_cents: int
    cash_held_cents: int
    buying_power_cents: int
    positions: list[PositionInfo]


class UserInfo(Body):
    user_id: str
    email: str
    first_name: str
    last_name: str
    country: str
    role: Role
    email_verified: bool
    two_factor_type: TwoFactorType
    created_at: datetime


class UsersResponse(Body):
    users: list[UserInfo]


class CreditResponse(Body):
    success: Literal[True] = True
    user_id: str
    cash_cents: int
    buying_power_cents: int


class SymbolStateResponse(Body):
    success: Literal[True] = True
    symbol: str
    halted: bool


class AuditInfo(Body):
    at: datetime
    action: str
    user_id: str | None
    ip_address: str | None
    detail: dict[str, str | int | bool | None]


class AuditResponse(Body):
    entries: list[AuditInfo]
