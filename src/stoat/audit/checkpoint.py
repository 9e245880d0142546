"""Signed checkpoints: the service vouches, with its Ed25519 key, for the chain head.

A checkpoint is an event, ``AuditCheckpoint.CheckpointSigned``, appended to the log it
vouches for. So it is chained like every event, and flows to pollers, SSE streams and
webhook subscribers, who can keep signed heads where whoever can write our disk cannot
reach them. One aggregate per signed position (its id derives from the position), so
two processes signing the same head collide on the append and one of them gives way.

The signed message (UTF-8, lines joined by ``\\n``, no trailing newline)::

    stoat-audit-checkpoint-v1
    position=<notification id of the head>
    head=<chain hash at that position, 64 lowercase hex digits>
    signed_at=<ISO 8601 UTC time of signing>
    key_id=<fingerprint of the signing key>
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, cast

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from stoat.domain.context import system_context

if TYPE_CHECKING:
    from stoat.audit.signing import ServiceKey
    from stoat.commands.application import StoatApplication
    from stoat.domain.context import EventContext
    from stoat.eventstore import ChainedLog

_NAMESPACE: Final = uuid.UUID("5b0c7f3e-2a61-4d1f-9c0e-7e4b8a2d6f13")
SCHEME: Final = "stoat-audit-checkpoint-v1"


def checkpoint_message(position: int, head: str, signed_at: str, key_id: str) -> bytes:
    """The bytes a checkpoint's signature covers."""
    return (
        f"{SCHEME}\nposition={position}\nhead={head}\nsigned_at={signed_at}\nkey_id={key_id}"
    ).encode()


def checkpoint_id(position: int) -> uuid.UUID:
    """The aggregate id of the checkpoint of ``position``."""
    return uuid.uuid5(_NAMESPACE, str(position))


class AuditCheckpoint(Aggregate):
    """The service's signature over the chain head at one position."""

    class Event(Aggregate.Event):
        class_version = 1
        context: dict[str, Any]

    class CheckpointSigned(Event, Aggregate.Created):
        """The chain head at ``position`` is ``head``, signed by the service's key."""

        position: int
        head: str
        signed_at: str
        key_id: str
        public_key: str
        signature: str

    def __init__(
        self,
        *,
        position: int,
        head: str,
        signed_at: str,
        key_id: str,
        public_key: str,
        signature: str,
    ) -> None:
        self.position = position
        self.head = head
        self.signed_at = signed_at
        self.key_id = key_id
        self.public_key = public_key
        self.signature = signature

    @classmethod
    def sign(
        cls, key: ServiceKey, position: int, head: bytes, context: dict[str, Any]
    ) -> AuditCheckpoint:
        """Sign the chain ``head`` at ``position`` now."""
        signed_at = datetime.now(UTC).isoformat()
        head_hex = head.hex()
        message = checkpoint_message(position, head_hex, signed_at, key.key_id)
        return cls._create(
            cls.CheckpointSigned,
            id=checkpoint_id(position),
            position=position,
            head=head_hex,
            signed_at=signed_at,
            key_id=key.key_id,
            public_key=key.public_key,
            signature=key.sign(message),
            context=context,
        )


CHECKPOINT_TOPIC: Final = get_topic(AuditCheckpoint.CheckpointSigned)


def checkpoint_document(event: AuditCheckpoint.CheckpointSigned, at: int) -> dict[str, Any]:
    """A checkpoint as the API shows it; ``at`` is the log position of the event itself."""
    return {
        "position": event.position,
        "head": event.head,
        "signed_at": event.signed_at,
        "key_id": event.key_id,
        "public_key": event.public_key,
        "signature": event.signature,
        "recorded_at": at,
    }


def chain_recorder(app: StoatApplication) -> ChainedLog:
    """The application's recorder, which keeps the chain (always one of ours in Stoat)."""
    recorder = app.recorder
    if not hasattr(recorder, "select_chain"):  # pragma: no cover - configuration
        msg = "the audit chain needs a stoat.eventstore persistence module"
        raise TypeError(msg)
    return cast("ChainedLog", recorder)


def last_checkpoint(app: StoatApplication) -> dict[str, Any] | None:
    """The most recent checkpoint in the log, or None."""
    position = chain_recorder(app).last_position_of(CHECKPOINT_TOPIC)
    if position is None:
        return None
    recorder = app.recorder
    (notification,) = recorder.select_notifications(start=position, limit=1)
    event = app.mapper.to_domain_event(notification)
    assert isinstance(event, AuditCheckpoint.CheckpointSigned)
    return checkpoint_document(event, notification.id)


def sign_checkpoint(
    app: StoatApplication, key: ServiceKey, context: EventContext | None = None
) -> tuple[dict[str, Any], bool]:
    """Sign the current chain head, unless the last event is a checkpoint already.

    Returns the checkpoint and whether this call made it. Signing the same head as
    another process at the same moment is harmless: one append wins, the other returns
    the winner's checkpoint.
    """
    position, head = chain_recorder(app).chain_head()
    latest = last_checkpoint(app)
    if latest is not None and latest["recorded_at"] == position:
        return latest, False
    checkpoint = AuditCheckpoint.sign(key, position, head, dict(context or system_context()))
    try:
        recordings = app.save(checkpoint)
    except IntegrityError:
        found = last_checkpoint(app)
        assert found is not None
        return found, False
    event = cast("AuditCheckpoint.CheckpointSigned", recordings[0].domain_event)
    return checkpoint_document(event, recordings[0].notification.id), True
