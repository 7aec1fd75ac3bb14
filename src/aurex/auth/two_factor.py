"""Second factors: TOTP set-up/confirm/disable, TOTP and backup-code checks.

New users log in with e-mail codes. Set-up parks a fresh secret (encrypted) in the
challenge store for 10 minutes; confirming it with a first valid code switches the
user to TOTP and returns 10 single-use backup codes, shown once and stored hashed.
The TOTP seed is stored encrypted (AES-GCM bound to the user id). A code is accepted
only if its time step is later than the last accepted one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aurex.auth import backup_codes, totp
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing, SecretBox
from aurex.auth.ports import (
    AuditEntry,
    AuditLog,
    BackupCodeRepository,
    ChallengeStore,
    Clock,
    TwoFactorType,
    UserRecord,
    UserRepository,
)

SETUP_TTL_S = 10 * 60


@dataclass(frozen=True, slots=True)
class TotpSetup:
    secret: str
    otpauth_uri: str
    qr_svg: str
    expires_in: int


class TwoFactor:
    def __init__(
        self,
        users: UserRepository,
        codes: BackupCodeRepository,
        challenges: ChallengeStore,
        audit: AuditLog,
        keys: KeyRing,
        clock: Clock,
    ) -> None:
        self._users = users
        self._codes = codes
        self._challenges = challenges
        self._audit = audit
        self._keys = keys
        self._box = SecretBox(keys.derive("totp-secret"))
        self._clock = clock

    async def begin_totp_setup(self, user: UserRecord) -> TotpSetup:
        """A new secret with its otpauth URI and QR code; replaces an unfinished set-up."""
        if user.two_factor_type == TwoFactorType.TOTP:
            raise AuthError(AuthCode.TOTP_ALREADY_ENABLED, "TOTP is already enabled")
        secret = totp.new_secret()
        expires_at = self._clock() + timedelta(seconds=SETUP_TTL_S)
        await self._challenges.put(
            self._setup_key(user.id),
            {"secret": self._seal(user.id, secret), "expires_at": expires_at.isoformat()},
            SETUP_TTL_S,
        )
        uri = totp.provisioning_uri(secret, user.email)
        return TotpSetup(secret, uri, totp.qr_svg(uri), SETUP_TTL_S)

    async def confirm_totp(self, user: UserRecord, code: str) -> list[str]:
        """Enable TOTP if ``code`` is valid for the pending secret; return backup codes."""
        if user.two_factor_type == TwoFactorType.TOTP:
            raise AuthError(AuthCode.TOTP_ALREADY_ENABLED, "TOTP is already enabled")
        pending = await self._challenges.get(self._setup_key(user.id))
        now = self._clock()
        if pending is None or datetime.fromisoformat(pending["expires_at"]) <= now:
            raise AuthError(AuthCode.TOTP_SETUP_NOT_STARTED, "start TOTP set-up first")
        secret = self._box.open(pending["secret"], self._context(user.id))
        step = totp.matching_step(secret, code.strip(), now)
        if step is None:
            raise AuthError(AuthCode.INVALID_CODE, "wrong authenticator code")
        user.two_factor_type = TwoFactorType.TOTP
        user.two_factor_secret = pending["secret"]
        user.updated_at = now
        await self._users.update(user)
        # The confirming code is used up. A failed claim means a later step is already
        # recorded, which rules this one out just as well.
        await self._users.claim_totp_step(user.id, step)
        await self._challenges.delete(self._setup_key(user.id))
        fresh = await self._replace_backup_codes(user.id)
        await self._record("2fa.totp_enabled", user.id)
        return fresh

    async def disable_totp(self, user: UserRecord, code: str) -> None:
        """Return to e-mail codes after proving possession with a TOTP or backup code."""
        await self.check_code(user, code)
        now = self._clock()
        user.two_factor_type = TwoFactorType.EMAIL
        user.two_factor_secret = None
        user.updated_at = now
        await self._users.update(user)
        await self._codes.replace(user.id, [], now)
        await self._record("2fa.totp_disabled", user.id)

    async def regenerate_backup_codes(self, user: UserRecord, code: str) -> list[str]:
        """Void all backup codes and issue 10 new ones (needs a current TOTP code)."""
        self._require_totp(user)
        await self.verify_totp(user, code)
        fresh = await self._replace_backup_codes(user.id)
        await self._record("2fa.backup_codes_regenerated", user.id)
        return fresh

    async def check_code(self, user: UserRecord, code: str) -> None:
        """Accept a TOTP code, or a backup code (which is then used up)."""
        self._require_totp(user)
        if backup_codes.looks_like_backup_code(code):
            await self.use_backup_code(user, code)
        else:
            await self.verify_totp(user, code)

    async def verify_totp(self, user: UserRecord, code: str) -> None:
        """INVALID_CODE unless ``code`` matches; CODE_ALREADY_USED for a replayed code."""
        self._require_totp(user)
        assert user.two_factor_secret is not None
        secret = self._box.open(user.two_factor_secret, self._context(user.id))
        step = totp.matching_step(secret, code.strip(), self._clock())
        if step is None:
            raise AuthError(AuthCode.INVALID_CODE, "wrong authenticator code")
        if not await self._users.claim_totp_step(user.id, step):
            raise AuthError(
                AuthCode.CODE_ALREADY_USED, "this code was already used; wait for the next one"
            )
        user.totp_last_step = step

    async def use_backup_code(self, user: UserRecord, code: str) -> None:
        if not backup_codes.looks_like_backup_code(code):
            raise AuthError(AuthCode.INVALID_CODE, "not a backup code")
        digest = backup_codes.code_hash(self._keys, user.id, code)
        if not await self._codes.consume(user.id, digest, self._clock()):
            raise AuthError(AuthCode.INVALID_CODE, "backup code is wrong or already used")
        await self._record("2fa.backup_code_used", user.id)

    async def backup_codes_left(self, user_id: str) -> int:
        return await self._codes.count_unused(user_id)

    async def _replace_backup_codes(self, user_id: str) -> list[str]:
        fresh = backup_codes.generate()
        hashes = [backup_codes.code_hash(self._keys, user_id, c) for c in fresh]
        await self._codes.replace(user_id, hashes, self._clock())
        return fresh

    @staticmethod
    def _require_totp(user: UserRecord) -> None:
        if user.two_factor_type != TwoFactorType.TOTP or user.two_factor_secret is None:
            raise AuthError(AuthCode.TOTP_NOT_ENABLED, "TOTP is not enabled")

    def _seal(self, user_id: str, secret: str) -> str:
        return self._box.seal(secret, self._context(user_id))

    @staticmethod
    def _context(user_id: str) -> str:
        return f"totp:{user_id}"

    @staticmethod
    def _setup_key(user_id: str) -> str:
        return f"totp-setup:{user_id}"

    async def _record(self, action: str, user_id: str) -> None:
        await self._audit.record(AuditEntry(at=self._clock(), action=action, user_id=user_id))
