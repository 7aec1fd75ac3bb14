"""Key material under ``data_dir/keys``: the Ed25519 token-signing pair and a master secret.

Generated on first start, private files mode 0600 in a 0700 directory. Creation is
atomic (write a temporary file, hard-link it into place), so two processes starting
together end up with the same keys. Purpose-specific keys (TOTP secret encryption,
backup-code hashing, CSRF tokens) are derived from the master secret with HMAC.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = structlog.get_logger(__name__)

SIGNING_KEY_FILE = "jwt-ed25519.pem"
VERIFY_KEY_FILE = "jwt-ed25519.pub.pem"
MASTER_SECRET_FILE = "master.key"


class KeyRing:
    """The signing key pair plus HMAC-derived secrets for one deployment."""

    def __init__(self, signing_key: Ed25519PrivateKey, master_secret: bytes) -> None:
        self.signing_key = signing_key
        self.verify_key: Ed25519PublicKey = signing_key.public_key()
        raw = self.verify_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.key_id = hashlib.sha256(raw).hexdigest()[:16]
        self._master = master_secret

    @classmethod
    def generate(cls) -> KeyRing:
        """A fresh in-memory key ring (tests, throwaway servers)."""
        return cls(Ed25519PrivateKey.generate(), secrets.token_bytes(32))

    @classmethod
    def load_or_create(cls, key_dir: Path) -> KeyRing:
        """Read the keys from ``key_dir``, creating any that are missing."""
        key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        signing_path = key_dir / SIGNING_KEY_FILE
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        if _create_exclusive(signing_path, pem):
            log.info("generated token signing key", path=str(signing_path))
        signing_key = serialization.load_pem_private_key(_read_private(signing_path), None)
        if not isinstance(signing_key, Ed25519PrivateKey):
            raise ValueError(f"{signing_path} does not hold an Ed25519 private key")
        public_pem = signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _create_exclusive(key_dir / VERIFY_KEY_FILE, public_pem, mode=0o644)
        master_path = key_dir / MASTER_SECRET_FILE
        _create_exclusive(master_path, secrets.token_bytes(32))
        return cls(signing_key, _read_private(master_path))

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key for one purpose; different purposes give unrelated keys."""
        return hmac.new(self._master, purpose.encode(), hashlib.sha256).digest()

    def mac(self, purpose: str, message: str) -> str:
        """Hex HMAC-SHA256 of ``message`` under the purpose's key."""
        return hmac.new(self.derive(purpose), message.encode(), hashlib.sha256).hexdigest()


class SecretBox:
    """AES-256-GCM for small secrets at rest (TOTP seeds), bound to a context string."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, context: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, token: str, context: str) -> str:
        """Decrypt; raises ``cryptography.exceptions.InvalidTag`` if tampered or misplaced."""
        raw = base64.urlsafe_b64decode(token.encode())
        return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()


def _create_exclusive(path: Path, content: bytes, mode: int = 0o600) -> bool:
    """Write ``path`` atomically unless it exists; True if this call created it."""
    if path.exists():
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), mode)
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp)


def _read_private(path: Path) -> bytes:
    """Read a private key file, first tightening permissions that are too open."""
    if path.stat().st_mode & 0o077:
        log.warning("private key file was readable by others; setting mode 0600", path=str(path))
        path.chmod(0o600)
    return path.read_bytes()
