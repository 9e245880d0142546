"""Webhook signing secrets: the ``whsec_`` format, signatures, and sealing at rest.

Signatures follow Standard Webhooks: ``v1,`` and the base64 HMAC-SHA256 of
``{webhook-id}.{webhook-timestamp}.{body}``, keyed with the secret's base64-decoded bytes.

A subscription's secret has to be stored: Stoat signs every delivery with it, and a
hash cannot sign. It is stored sealed with a key kept in the data directory
(``webhooks.key``, readable only by its owner), so the event log, its backups and its
copies reveal nothing without that file; see docs/adr/0006-webhooks.md. The standard
library has no AEAD, so the seal is encrypt-then-MAC from HMAC-SHA256 alone: a keystream
of HMAC(k_enc, nonce || counter) blocks XORed with the secret, then HMAC(k_mac) over
the version, nonce, subscription id and ciphertext. Binding the subscription id means a
sealed secret copied onto another subscription does not open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import threading
from typing import TYPE_CHECKING

from stoat.errors import ErrorItem, error_item

if TYPE_CHECKING:
    from pathlib import Path

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
MIN_SECRET_BYTES = 24
MAX_SECRET_BYTES = 64
KEY_FILE = "webhooks.key"

_SEAL_VERSION = "v1"
_NONCE_BYTES = 16
_TAG_BYTES = 32
_BLOCK = hashlib.sha256().digest_size


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, base64, with the ``whsec_`` prefix."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret: its base64 part, decoded."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def check_secret(secret: str) -> ErrorItem | None:
    """Why ``secret`` cannot sign deliveries, or None if it can."""
    hint = (
        f"send `{SECRET_PREFIX}` followed by {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} random "
        "bytes in base64, or leave `secret` out and Stoat makes one"
    )
    if not secret.startswith(SECRET_PREFIX):
        return error_item(
            "invalid_secret", ("secret",), f"a secret starts with `{SECRET_PREFIX}`", hint
        )
    try:
        key = secret_key(secret)
    except (binascii.Error, ValueError):
        return error_item(
            "invalid_secret", ("secret",), "the part after `whsec_` is not base64", hint
        )
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        return error_item(
            "invalid_secret",
            ("secret",),
            f"the secret's key is {len(key)} bytes, not {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES}",
            hint,
        )
    return None


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one attempt."""
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class SecretBox:
    """Seals and opens webhook secrets with the data directory's key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            msg = f"the webhook key must be 32 bytes, not {len(key)}"
            raise ValueError(msg)
        self._enc = hmac.new(key, b"stoat webhook secret encryption", hashlib.sha256).digest()
        self._mac = hmac.new(key, b"stoat webhook secret authentication", hashlib.sha256).digest()

    def seal(self, secret: str, subscription_id: str) -> str:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        plain = secret.encode()
        cipher = bytes(a ^ b for a, b in zip(plain, self._stream(nonce, len(plain)), strict=True))
        tag = self._tag(nonce, subscription_id, cipher)
        sealed = base64.urlsafe_b64encode(nonce + cipher + tag).decode()
        return f"{_SEAL_VERSION}.{sealed}"

    def open(self, sealed: str, subscription_id: str) -> str:
        """The secret in clear; raises :class:`SealError` if it was not sealed here."""
        version, _, body = sealed.partition(".")
        if version != _SEAL_VERSION:
            raise SealError(f"unknown seal version {version!r}")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
        except (binascii.Error, ValueError):
            raise SealError("the sealed secret is not base64") from None
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise SealError("the sealed secret is truncated")
        nonce, cipher, tag = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
        if not hmac.compare_digest(tag, self._tag(nonce, subscription_id, cipher)):
            raise SealError("the sealed secret does not match this key and subscription")
        stream = self._stream(nonce, len(cipher))
        return bytes(a ^ b for a, b in zip(cipher, stream, strict=True)).decode()

    def _stream(self, nonce: bytes, length: int) -> bytes:
        blocks = (length + _BLOCK - 1) // _BLOCK
        stream = b"".join(
            hmac.new(self._enc, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
            for i in range(blocks)
        )
        return stream[:length]

    def _tag(self, nonce: bytes, subscription_id: str, cipher: bytes) -> bytes:
        aad = subscription_id.encode()
        content = b"".join(
            [_SEAL_VERSION.encode(), nonce, len(aad).to_bytes(4, "big"), aad, cipher]
        )
        return hmac.new(self._mac, content, hashlib.sha256).digest()


class SealError(Exception):
    """A sealed secret cannot be opened: another data directory's key, or tampering."""


_boxes: dict[str, SecretBox] = {}
_boxes_lock = threading.Lock()


def secret_box(data_dir: Path, key: str | None = None) -> SecretBox:
    """The box for ``key`` (the base64 of 32 bytes: every node of a scaled-out deployment
    shares it), or else the box of ``data_dir``, whose key file is made (mode 0600) on
    first use."""
    path = data_dir / KEY_FILE
    name = f"key:{key}" if key is not None else str(path)
    with _boxes_lock:
        box = _boxes.get(name)
        if box is None:
            raw = decode_secrets_key(key) if key is not None else _load_or_create_key(path)
            box = _boxes[name] = SecretBox(raw)
        return box


def decode_secrets_key(key: str) -> bytes:
    """The 32 bytes of a base64 webhook secrets key; ValueError if it is not one."""
    try:
        raw = base64.b64decode(key, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        msg = "STOAT_WEBHOOK_SECRETS_KEY must be the base64 of 32 bytes"
        raise ValueError(msg)
    return raw


def _load_or_create_key(path: Path) -> bytes:
    """Reads the key, or makes it: written whole to a temporary file, then linked into
    place, so a process racing to make it too reads one complete key."""
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temporary.unlink()
    return base64.b64decode(path.read_text().strip(), validate=True)
