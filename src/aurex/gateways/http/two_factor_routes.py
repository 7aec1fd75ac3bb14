"""``/api/auth/2fa``: TOTP set-up, confirmation and removal, backup-code regeneration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import APIRouter

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.ports import TwoFactorType, UserRecord
from aurex.auth.sessions import Principal
from aurex.auth.throttle import Attempt
from aurex.gateways.http.deps import ClientIp, CurrentUser, Services
from aurex.gateways.http.schemas import (
    BackupCodesResponse,
    CodeRequest,
    TotpSetupResponse,
    TwoFactorChanged,
    TwoFactorStatus,
)

router = APIRouter(prefix="/api/auth/2fa", tags=["two-factor"])
T = TypeVar("T")


async def _user(services: Services, principal: Principal) -> UserRecord:
    user = await services.users.get(principal.user_id)
    if user is None:
        raise AuthError(AuthCode.TOKEN_REVOKED, "the account no longer exists")
    return user


async def _checked(
    services: Services, user: UserRecord, ip: str, step: str, action: Callable[[], Awaitable[T]]
) -> T:
    """Code checks on these routes are slowed down and counted like login attempts."""
    attempt = Attempt(user.email, ip)
    await services.throttle.check(attempt, account_wide=False)
    return await services.throttle.counting(attempt, step, user.id, action)


@router.get("", response_model=TwoFactorStatus)
async def status(services: Services, principal: CurrentUser) -> TwoFactorStatus:
    user = await _user(services, principal)
    return TwoFactorStatus(
        two_factor_type=user.two_factor_type,
        backup_codes_remaining=await services.two_factor.backup_codes_left(user.id),
        email_verified=user.email_verified,
    )


@router.post("/totp/setup", response_model=TotpSetupResponse)
async def totp_setup(services: Services, principal: CurrentUser) -> TotpSetupResponse:
    """A new TOTP secret with its otpauth URI and an SVG QR code (valid 10 minutes)."""
    setup = await services.two_factor.begin_totp_setup(await _user(services, principal))
    return TotpSetupResponse(
        secret=setup.secret,
        otpauth_uri=setup.otpauth_uri,
        qr_svg=setup.qr_svg,
        expires_in=setup.expires_in,
    )


@router.post("/totp/confirm", response_model=BackupCodesResponse)
async def totp_confirm(
    body: CodeRequest, services: Services, principal: CurrentUser, ip: ClientIp
) -> BackupCodesResponse:
    """Turn TOTP on with a first code; returns 10 single-use backup codes (shown once)."""
    user = await _user(services, principal)
    confirm = services.two_factor.confirm_totp
    codes = await _checked(services, user, ip, "totp-confirm", lambda: confirm(user, body.code))
    return BackupCodesResponse(two_factor_type=TwoFactorType.TOTP, backup_codes=codes)


@router.post("/totp/disable", response_model=TwoFactorChanged)
async def totp_disable(
    body: CodeRequest, services: Services, principal: CurrentUser, ip: ClientIp
) -> TwoFactorChanged:
    """Back to e-mail codes; needs a current TOTP code or a backup code."""
    user = await _user(services, principal)
    disable = services.two_factor.disable_totp
    await _checked(services, user, ip, "totp-disable", lambda: disable(user, body.code))
    return TwoFactorChanged(two_factor_type=TwoFactorType.EMAIL)


@router.post("/backup-codes", response_model=BackupCodesResponse)
async def regenerate_backup_codes(
    body: CodeRequest, services: Services, principal: CurrentUser, ip: ClientIp
) -> BackupCodesResponse:
    """Replace all backup codes with 10 new ones; needs a current TOTP code."""
    user = await _user(services, principal)
    codes = await _checked(
        services,
        user,
        ip,
        "backup-regenerate",
        lambda: services.two_factor.regenerate_backup_codes(user, body.code),
    )
    return BackupCodesResponse(two_factor_type=TwoFactorType.TOTP, backup_codes=codes)
