"""API keys: create, revoke, authenticate, and the admin key of a first start."""

from __future__ import annotations

import enum
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from stoat.audit.requests import check_public_key
from stoat.commands.results import write_result
from stoat.domain.api_key import ALL_SCOPES, ApiKey, Scope, key_id_for, secret_hash
from stoat.errors import NotFound, Rejected, error_item

if TYPE_CHECKING:
    from pathlib import Path

    from stoat.commands.application import StoatApplication
    from stoat.commands.results import WriteResult
    from stoat.domain.context import EventContext

TOKEN_PREFIX = "stoat_"  # noqa: S105 - a recognisable prefix, not a secret
MAX_NAME = 200


def new_token() -> str:
    """A fresh key: 256 random bits, recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    key_id: str
    name: str
    scopes: frozenset[str]
    public_key: str | None = None
    """The Ed25519 key (base64) that signs this caller's edits, if registered."""
    signatures_required: bool = False

    def grants(self, scope: str) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes


def create_key(
    app: StoatApplication,
    *,
    name: str,
    scopes: list[str],
    context: EventContext,
    token: str | None = None,
) -> tuple[str, WriteResult]:
    """Creates a key and returns its token (shown once) with the write result."""
    _validate(name, scopes)
    token = token or new_token()
    key = ApiKey.create(token=token, name=name, scopes=scopes, context=dict(context))
    return token, write_result(str(key.id), app.save(key))


def revoke_key(app: StoatApplication, key_id: str, context: EventContext) -> WriteResult | None:
    """Revokes a key; None if it was already revoked."""
    key = _load(app, key_id)
    key.revoke(dict(context))
    recordings = app.save(key)
    return write_result(key_id, recordings) if recordings else None


def register_public_key(
    app: StoatApplication,
    key_id: str,
    *,
    public_key: str,
    proof: str,
    required: bool,
    context: EventContext,
) -> tuple[str, WriteResult]:
    """Registers the Ed25519 key that signs this API key's edits; returns its fingerprint.

    ``proof`` must be the key's signature of ``registration_message(key_id, public_key)``.
    """
    fingerprint = check_public_key(key_id, public_key, proof)
    key = _load(app, key_id)
    key.register_public_key(public_key, fingerprint, required=required, context=dict(context))
    return fingerprint, write_result(key_id, app.save(key))


def _load(app: StoatApplication, key_id: str) -> ApiKey:
    try:
        key: ApiKey = app.repository.get(UUID(key_id))
    except (ValueError, AggregateNotFoundError):
        raise NotFound("key", key_id) from None
    if not isinstance(key, ApiKey):
        raise NotFound("key", key_id)
    return key


def _validate(name: str, scopes: list[str]) -> None:
    errors = []
    if not name.strip() or len(name) > MAX_NAME:
        errors.append(
            error_item(
                "invalid_name",
                ("name",),
                f"a key name must be 1 to {MAX_NAME} characters, not blank",
                "name the agent or person who will use the key",
            )
        )
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown or not scopes:
        errors.append(
            error_item(
                "invalid_scopes",
                ("scopes",),
                f"unknown scopes {unknown}" if unknown else "a key needs at least one scope",
                f"use some of {[str(scope) for scope in ALL_SCOPES]}",
                allowed=[str(scope) for scope in ALL_SCOPES],
            )
        )
    if errors:
        raise Rejected(errors)


class Uncached(enum.Enum):
    """The type of :data:`UNCACHED`."""

    UNCACHED = enum.auto()


UNCACHED: Final = Uncached.UNCACHED
"""``KeyRing.cached`` for a token that must be looked up in the log."""


class KeyRing:
    """Authenticates bearer tokens against the log, with a short cache.

    The cache makes a request cost a dict lookup; its time to live bounds how long a
    revocation made by another process takes to bite. Revocations made in this process
    are seen at once (``forget``).
    """

    def __init__(self, app: StoatApplication, ttl_seconds: float = 2.0) -> None:
        self._app = app
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def authenticate(self, token: str) -> Principal | None:
        digest = secret_hash(token)
        cached = self._cached(digest)
        if cached is not UNCACHED:
            return cached
        now = time.monotonic()
        principal = self._lookup(token, digest)
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now, principal)
        return principal

    def cached(self, token: str) -> Principal | Uncached | None:
        """The cached answer for ``token``, or :data:`UNCACHED`; never reads the log.

        So an async caller can answer from memory and go to a thread only on a miss.
        """
        return self._cached(secret_hash(token))

    def _cached(self, digest: str) -> Principal | Uncached | None:
        with self._lock:
            cached = self._cache.get(digest)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        return UNCACHED

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def _lookup(self, token: str, digest: str) -> Principal | None:
        try:
            key: object = self._app.repository.get(key_id_for(token))
        except AggregateNotFoundError:
            return None
        if not isinstance(key, ApiKey) or key.revoked:
            return None
        if not hmac.compare_digest(key.secret_hash, digest):
            return None
        return Principal(
            key_id=str(key.id),
            name=key.name,
            scopes=frozenset(key.scopes),
            public_key=key.public_key,
            signatures_required=key.signatures_required,
        )


KEY_CREATED_TOPIC = get_topic(ApiKey.ApiKeyCreated)


def ensure_admin_key(
    app: StoatApplication, data_dir: Path, provided: str | None, context: EventContext
) -> str | None:
    """On a first start (no key in the log yet) creates the admin key.

    Its token is ``provided`` (``STOAT_ADMIN_KEY``) or a new one, and is written to
    ``<data-dir>/admin.key`` readable only by this user. Returns the token when a key was
    created, so the caller can print it once; None on later starts.
    """
    if app.recorder.select_notifications(start=1, limit=1, topics=[KEY_CREATED_TOPIC]):
        return None
    try:
        token, _ = create_key(
            app, name="admin", scopes=[Scope.ADMIN.value], context=context, token=provided
        )
    except IntegrityError:
        # Another node of the deployment, started at the same moment with the same
        # STOAT_ADMIN_KEY (so the same key id), created it first: a later start, then.
        return None
    path = data_dir / "admin.key"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        stream.write(token + "\n")
    path.chmod(0o600)
    return token


KEY_REVOKED_TOPIC = get_topic(ApiKey.ApiKeyRevoked)


def list_keys(app: StoatApplication, page: int = 1000) -> list[dict[str, Any]]:
    """Every key, folded straight from the log (for the CLI, which runs no projections)."""
    keys: dict[str, dict[str, Any]] = {}
    start = 1
    topics = [KEY_CREATED_TOPIC, KEY_REVOKED_TOPIC]
    while batch := app.recorder.select_notifications(start=start, limit=page, topics=topics):
        for notification in batch:
            event = app.mapper.to_domain_event(notification)
            key_id = str(event.originator_id)
            if isinstance(event, ApiKey.ApiKeyCreated):
                keys[key_id] = {
                    "id": key_id,
                    "name": event.name,
                    "scopes": event.scopes,
                    "revoked": False,
                }
            elif key_id in keys:
                keys[key_id]["revoked"] = True
        start = batch[-1].id + 1
    return list(keys.values())
