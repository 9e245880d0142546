"""The ApiKey aggregate: who may call Stoat, with which scopes.

Only a hash of the secret is ever stored. The aggregate id is derived from that hash,
so a request is authenticated by hashing its bearer token and loading one aggregate,
with no index to keep in step.
"""

from __future__ import annotations

import hashlib
import uuid
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate

_KEY_NAMESPACE = uuid.UUID("8f6d1a52-3b1e-4c87-9e55-4a1d2f0c7b3e")


class Scope(StrEnum):
    READ = "read"
    EDIT = "edit"
    RENDER = "render"
    ADMIN = "admin"


ALL_SCOPES = tuple(Scope)


def secret_hash(token: str) -> str:
    """The stored form of a key: SHA-256 of the token (keys are 256-bit random)."""
    return hashlib.sha256(token.encode()).hexdigest()


def key_id_for(token: str) -> uuid.UUID:
    """The aggregate id of the key whose token this is."""
    return uuid.uuid5(_KEY_NAMESPACE, secret_hash(token))


class ApiKey(Aggregate):
    """An API key: a name, scopes, the hash of its secret; revocable."""

    class Event(Aggregate.Event):
        class_version = 1
        context: dict[str, Any]

    class ApiKeyCreated(Event, Aggregate.Created):
        name: str
        scopes: list[str]
        secret_hash: str

    class ApiKeyRevoked(Event):
        def apply(self, aggregate: Any) -> None:
            aggregate.revoked = True

    class PublicKeyRegistered(Event):
        """The key's holder registered an Ed25519 public key to sign its edits with."""

        public_key: str
        key_id: str
        required: bool

        def apply(self, aggregate: Any) -> None:
            aggregate.public_key = self.public_key
            aggregate.signatures_required = self.required

    def __init__(self, name: str, scopes: list[str], secret_hash: str) -> None:
        self.name = name
        self.scopes = list(scopes)
        self.secret_hash = secret_hash
        self.revoked = False
        # Set by PublicKeyRegistered: the base64 Ed25519 key that signs this key's edits.
        self.public_key: str | None = None
        self.signatures_required = False

    @classmethod
    def create(cls, *, token: str, name: str, scopes: list[str], context: dict[str, Any]) -> ApiKey:
        return cls._create(
            cls.ApiKeyCreated,
            id=key_id_for(token),
            name=name,
            scopes=sorted(set(scopes)),
            secret_hash=secret_hash(token),
            context=context,
        )

    def revoke(self, context: dict[str, Any]) -> None:
        if not self.revoked:
            self.trigger_event(self.ApiKeyRevoked, context=context)

    def register_public_key(
        self, public_key: str, key_id: str, *, required: bool, context: dict[str, Any]
    ) -> None:
        """Replaces any earlier public key; the old one still verifies older edits."""
        self.trigger_event(
            self.PublicKeyRegistered,
            public_key=public_key,
            key_id=key_id,
            required=required,
            context=context,
        )

    def grants(self, scope: str) -> bool:
        """Admin implies every scope."""
        return not self.revoked and (scope in self.scopes or Scope.ADMIN in self.scopes)
