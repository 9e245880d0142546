"""Ed25519 keys: the service's signing key, and the public keys agents register.

On the wire a public key is the standard base64 of its 32 raw bytes, a signature the
standard base64 of its 64 bytes. A key's *fingerprint* (``key_id``) is the first 16 hex
digits of the SHA-256 of its raw bytes.

The service key signs checkpoints of the chain. It is read from the configuration
(``STOAT_SIGNING_KEY``: a PEM PKCS#8 private key, or the base64 of the 32-byte seed) or
from ``<data-dir>/signing.key`` (PEM), which the first start creates readable only by
its user.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
from typing import TYPE_CHECKING, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

if TYPE_CHECKING:
    from pathlib import Path

    from stoat.settings import Settings

KEY_FILE: Final = "signing.key"
PUBLIC_KEY_BYTES: Final = 32
SIGNATURE_BYTES: Final = 64


class KeyFormatError(ValueError):
    """A key or signature that is not well-formed (bad base64, wrong length, not Ed25519)."""


def fingerprint(public_key: bytes) -> str:
    """The ``key_id`` of a raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, size: int, what: str) -> bytes:
    """Decode standard base64 (padding optional) of exactly ``size`` bytes."""
    stripped = text.strip()
    try:
        raw = base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True)
    except (binascii.Error, ValueError):
        msg = f"{what} is not standard base64"
        raise KeyFormatError(msg) from None
    if len(raw) != size:
        msg = f"{what} must be {size} bytes, not {len(raw)}"
        raise KeyFormatError(msg)
    return raw


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from its base64 form (``KeyFormatError`` if malformed)."""
    return Ed25519PublicKey.from_public_bytes(unb64(text, PUBLIC_KEY_BYTES, "the public key"))


def verify_signature(public_key: str, signature: str, message: bytes) -> bool:
    """Whether ``signature`` (base64) is ``public_key``'s (base64) over ``message``.

    Raises ``KeyFormatError`` if either is malformed.
    """
    key = public_key_from_b64(public_key)
    raw = unb64(signature, SIGNATURE_BYTES, "the signature")
    try:
        key.verify(raw, message)
    except InvalidSignature:
        return False
    return True


class ServiceKey:
    """The service's Ed25519 key pair."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self.public_bytes = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public_key = b64(self.public_bytes)
        """Standard base64 of the raw public key."""
        self.key_id = fingerprint(self.public_bytes)
        self.public_pem = (
            private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    @classmethod
    def generate(cls) -> ServiceKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_text(cls, text: str) -> ServiceKey:
        """From a PEM PKCS#8 private key, or the base64 of a 32-byte seed."""
        if "-----BEGIN" in text:
            try:
                key = serialization.load_pem_private_key(text.encode(), password=None)
            except (ValueError, TypeError) as error:
                msg = f"not a usable PEM private key: {error}"
                raise KeyFormatError(msg) from None
            if not isinstance(key, Ed25519PrivateKey):
                msg = "the signing key must be an Ed25519 key"
                raise KeyFormatError(msg)
            return cls(key)
        seed = unb64(text, 32, "the signing key seed")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    def pem(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def sign(self, message: bytes) -> str:
        """The base64 signature of ``message``."""
        return b64(self._private.sign(message))


def read_service_key(settings: Settings) -> ServiceKey | None:
    """The configured key, or the one in the data dir; None if there is neither."""
    if settings.signing_key:
        return ServiceKey.from_text(settings.signing_key)
    path = settings.data_dir / KEY_FILE
    try:
        return ServiceKey.from_text(path.read_text())
    except FileNotFoundError:
        return None


_cache: dict[tuple[str, str], ServiceKey] = {}
_cache_lock = threading.Lock()


def service_key(settings: Settings) -> ServiceKey:
    """The service's key for these settings, created in the data dir on a first start.

    Kept per (data dir, configured key) for the life of the process.
    """
    cache_key = (str(settings.data_dir.resolve()), settings.signing_key or "")
    with _cache_lock:
        found = _cache.get(cache_key)
        if found is None:
            found = read_service_key(settings) or _create(settings.data_dir / KEY_FILE)
            _cache[cache_key] = found
        return found


def _create(path: Path) -> ServiceKey:
    """Write a new key to ``path`` (mode 0600); if another process won, use its key."""
    key = ServiceKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(key.pem())
            stream.flush()
            os.fsync(stream.fileno())
        # A hard link appears whole, or not at all if the name is taken already.
        os.link(staging, path)
    except FileExistsError:
        return ServiceKey.from_text(path.read_text())
    finally:
        staging.unlink(missing_ok=True)
    return key
