"""Client signatures: an agent signs its edits requests with its own Ed25519 key.

An agent registers a public key for its API key (``PUT /v1/keys/me/public-key``, with a
proof that it holds the private key), then sends with each ``POST
/v1/projects/{id}/edits`` the header::

    Stoat-Signature: ed25519=<standard base64 of the 64-byte signature>

over these bytes (UTF-8, lines joined by ``\\n``, no trailing newline)::

    stoat-edits-v1
    POST
    <the request path without the query, e.g. /v1/projects/3f2a.../edits>
    <the Idempotency-Key header, which a signed request must carry>
    <SHA-256 of the raw request body bytes, 64 lowercase hex digits>

The service verifies it before anything is appended and records it, with the key and the
body digest, in the context of every event the request appends. The Idempotency-Key
makes a replayed request harmless (it gets the first response and appends nothing).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Final, NotRequired, TypedDict, cast

from stoat.audit.signing import (
    KeyFormatError,
    fingerprint,
    public_key_from_b64,
    unb64,
    verify_signature,
)
from stoat.domain.context import EventContext
from stoat.errors import Rejected, error_item

if TYPE_CHECKING:
    from stoat.commands.keys import Principal

SIGNATURE_HEADER: Final = "Stoat-Signature"
IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
EDITS_SCHEME: Final = "stoat-edits-v1"
REGISTRATION_SCHEME: Final = "stoat-public-key-v1"
_ALGORITHM: Final = "ed25519"


class ClientSignature(TypedDict):
    """What an event's context keeps of the signed request that caused it."""

    scheme: str
    alg: str
    key_id: str
    public_key: str
    value: str
    path: str
    body_sha256: str


class SignedContext(EventContext):
    """An event context with the caller's signature over its request."""

    signature: NotRequired[ClientSignature]


class SignatureRejected(Exception):
    """A request whose signature is missing, malformed or wrong (HTTP 401)."""

    def __init__(self, code: str, message: str, hint: str, header: str = SIGNATURE_HEADER) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.header = header


def edits_message(path: str, idempotency_key: str, body: bytes) -> bytes:
    """The bytes an edits request's signature covers."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{EDITS_SCHEME}\nPOST\n{path}\n{idempotency_key}\n{digest}".encode()


def registration_message(api_key_id: str, public_key: str) -> bytes:
    """The bytes the proof of possession signs when a public key is registered."""
    return f"{REGISTRATION_SCHEME}\n{api_key_id}\n{public_key}".encode()


def check_public_key(api_key_id: str, public_key: str, proof: str) -> str:
    """Validate a public key to register and its proof of possession; its fingerprint.

    Raises :class:`~stoat.errors.Rejected` naming the field at fault.
    """
    try:
        raw = unb64(public_key, 32, "public_key")
        public_key_from_b64(public_key)
    except (KeyFormatError, ValueError) as error:
        raise _rejected("public_key", f"{error}") from None
    try:
        valid = verify_signature(public_key, proof, registration_message(api_key_id, public_key))
    except KeyFormatError as error:
        raise _rejected("proof", f"{error}") from None
    if not valid:
        raise _rejected("proof", "proof is not this key's signature of the registration message")
    return fingerprint(raw)


def _rejected(field: str, message: str) -> Rejected:
    return Rejected(
        [
            error_item(
                f"invalid_{field}",
                (field,),
                message,
                "send the standard base64 of a raw 32-byte Ed25519 public key, and as proof "
                "its signature of 'stoat-public-key-v1\\n<API key id>\\n<public key>'",
            )
        ]
    )


def sign_edits_context(
    context: EventContext,
    caller: Principal,
    *,
    path: str,
    header: str | None,
    idempotency_key: str | None,
    body: bytes,
) -> EventContext:
    """The context for an edits request, with its verified signature if it has one.

    Raises :class:`SignatureRejected` when the signature is required but absent, sent
    without a registered key or an Idempotency-Key, malformed, or not valid.
    """
    if header is None:
        if caller.signatures_required:
            raise SignatureRejected(
                "signature_required",
                f"this API key requires every edits request to carry a {SIGNATURE_HEADER} header",
                "sign the request with the key registered at /v1/keys/me/public-key",
            )
        return context
    if caller.public_key is None:
        raise SignatureRejected(
            "signature_key_unregistered",
            f"a {SIGNATURE_HEADER} was sent, but this API key has no public key registered",
            "register one with PUT /v1/keys/me/public-key, or leave the header out",
        )
    if not idempotency_key:
        raise SignatureRejected(
            "signature_needs_idempotency_key",
            f"a signed request must carry an {IDEMPOTENCY_HEADER} (the signature covers it)",
            "send a fresh Idempotency-Key and sign it with the body",
            header=IDEMPOTENCY_HEADER,
        )
    algorithm, _, value = header.strip().partition("=")
    if algorithm.strip().lower() != _ALGORITHM or not value.strip():
        raise SignatureRejected(
            "signature_malformed",
            f"{SIGNATURE_HEADER} must be 'ed25519=<base64 signature>'",
            "send ed25519= followed by the standard base64 of the 64-byte signature",
        )
    value = value.strip()
    message = edits_message(path, idempotency_key, body)
    try:
        valid = verify_signature(caller.public_key, value, message)
    except KeyFormatError as error:
        raise SignatureRejected(
            "signature_malformed",
            f"{SIGNATURE_HEADER}: {error}",
            "send the standard base64 of the 64-byte Ed25519 signature",
        ) from None
    if not valid:
        raise SignatureRejected(
            "signature_invalid",
            f"the {SIGNATURE_HEADER} does not verify with this API key's public key over "
            "the request (stoat-edits-v1: method, path, Idempotency-Key, body SHA-256)",
            "sign exactly the bytes sent, with the private key registered for this API key",
        )
    signature = ClientSignature(
        scheme=EDITS_SCHEME,
        alg=_ALGORITHM,
        key_id=fingerprint(unb64(caller.public_key, 32, "public key")),
        public_key=caller.public_key,
        value=value,
        path=path,
        body_sha256=hashlib.sha256(body).hexdigest(),
    )
    # Every field of the context, whatever EventContext grows, plus the signature.
    return cast("SignedContext", {**context, "signature": signature})
