"""Known devices: a token a browser or app receives after a complete login.

The token is ``{device id}.{mac}`` where the MAC binds the device id to the user
and to the user's current password hash, so it needs no storage, cannot be forged
or moved to another account, and dies with a password change or reset. Showing it
at login lets the owner past the account-wide slowdown an attacker may have caused
(see ``aurex.auth.throttle``).
"""

from __future__ import annotations

import hmac
import secrets

from aurex.auth.keys import KeyRing
from aurex.auth.ports import UserRecord

DEVICE_TTL_S = 180 * 24 * 60 * 60  # how long clients are asked to keep it
_PURPOSE = "known-device"


class KnownDevices:
    def __init__(self, keys: KeyRing) -> None:
        self._keys = keys

    def issue(self, user: UserRecord) -> str:
        """A new device token for ``user``."""
        device_id = secrets.token_urlsafe(12)
        return f"{device_id}.{self._mac(user, device_id)}"

    def recognise(self, user: UserRecord | None, token: str | None) -> str | None:
        """The device id if ``token`` is a genuine device token of ``user``, else None."""
        if user is None or not token or token.count(".") != 1 or len(token) > 256:
            return None
        device_id, mac = token.split(".")
        if not device_id or not hmac.compare_digest(mac, self._mac(user, device_id)):
            return None
        return device_id

    def _mac(self, user: UserRecord, device_id: str) -> str:
        return self._keys.mac(_PURPOSE, f"{user.id}:{device_id}:{user.password_hash}")
