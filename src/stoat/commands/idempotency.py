"""Idempotency keys: a retried POST gets the first response and appends nothing.

For an existing aggregate the check is atomic with the append because the recent keys
are aggregate state, derived from event context (or, for an aggregate that keeps no such
state, read from the context of its latest events: :func:`replay_recorded`, checked
again when the append loses a race). A creating POST derives the new aggregate's id
from the caller and the key, so a retry collides with the first append
(:func:`replay_creation`).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, Any, cast

import msgspec
from eventsourcing.application import AggregateNotFoundError

from stoat.commands.results import RecordedEvent, WriteResult, event_data
from stoat.domain.request_key import RequestKey
from stoat.errors import Rejected, error_item

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stoat.commands.application import StoatApplication
    from stoat.domain.context import EventContext
    from stoat.eventstore import ChainedLog

_NAMESPACE = uuid.UUID("0b7b6f0e-4d1c-4e0e-9a55-2f1f3c9f4d11")

RECENT_EVENTS = 1000
"""How far back :func:`replay_recorded` looks in an aggregate's events for a key."""


def request_hash(body: Any) -> str:
    """The fingerprint of a request body, to tell a retry from a different request."""
    return hashlib.sha256(msgspec.json.encode(body)).hexdigest()


def creation_id(context: EventContext, kind: str) -> uuid.UUID | None:
    """A deterministic id for what a keyed POST creates; None without a key."""
    key = context.get("idempotency_key")
    if not key:
        return None
    return uuid.uuid5(_NAMESPACE, f"{kind}\0{context['actor']}\0{key}")


def key_reused(key: str) -> Rejected:
    return Rejected(
        [
            error_item(
                "idempotency_key_reused",
                ("headers", "Idempotency-Key"),
                f"the Idempotency-Key {key!r} was used before with a different request body",
                "use a new key for a new request; resend the same body to retry",
            )
        ]
    )


def replay_creation(
    app: StoatApplication, aggregate_id: uuid.UUID, context: EventContext
) -> WriteResult:
    """The first response of a keyed creating POST whose id (from :func:`creation_id`)
    is taken already: the same body is a retry; another body reuses the key (422)."""
    (created,) = app.events.get(aggregate_id, lte=1)
    recorded: Mapping[str, Any] = getattr(created, "context", None) or {}
    if recorded.get("request_hash") != context.get("request_hash"):
        raise key_reused(str(context.get("idempotency_key")))
    return replay(app, aggregate_id, 1, 1)


def replay_keyed(
    app: StoatApplication, key_id: uuid.UUID, context: EventContext
) -> WriteResult | None:
    """The first response of the write recorded as :class:`RequestKey` ``key_id`` (see
    :func:`creation_id`); None if the key was not used yet; :func:`key_reused` when the
    body differs."""
    try:
        record: object = app.repository.get(key_id)
    except AggregateNotFoundError:
        return None
    if not isinstance(record, RequestKey):
        return None
    if record.request_hash != context.get("request_hash"):
        raise key_reused(str(context.get("idempotency_key")))
    return replay(app, uuid.UUID(record.target_id), record.first_version, record.last_version)


def replay_recorded(
    app: StoatApplication, aggregate_id: uuid.UUID, context: EventContext
) -> WriteResult | None:
    """For an aggregate that keeps no recent-request state: the first response of the
    write whose events carry this request's idempotency key, looked for in the context
    of the aggregate's latest :data:`RECENT_EVENTS` events. None without a key or when
    no event carries it; :func:`key_reused` when the body differs."""
    key = context.get("idempotency_key")
    if not key:
        return None
    versions: list[int] = []
    fingerprint = None
    for event in app.events.get(aggregate_id, desc=True, limit=RECENT_EVENTS):
        recorded: Mapping[str, Any] = getattr(event, "context", None) or {}
        if recorded.get("idempotency_key") == key:
            versions.append(event.originator_version)
            fingerprint = recorded.get("request_hash")
    if not versions:
        return None
    if fingerprint != context.get("request_hash"):
        raise key_reused(key)
    return replay(app, aggregate_id, min(versions), max(versions))


def replay(app: StoatApplication, aggregate_id: uuid.UUID, first: int, last: int) -> WriteResult:
    """The response of the write that appended versions ``first`` to ``last``."""
    events = list(app.events.get(aggregate_id, gt=first - 1, lte=last))
    return WriteResult(
        id=str(aggregate_id),
        version=last,
        position=event_position(app, aggregate_id, last),
        events=[
            RecordedEvent(type=type(e).__name__, version=e.originator_version, data=event_data(e))
            for e in events
        ],
    )


def event_position(app: StoatApplication, aggregate_id: uuid.UUID, version: int) -> int:
    """The log position of one stored event."""
    recorder = cast("ChainedLog", app.recorder)
    position = recorder.position_of(aggregate_id, version)
    return position if position is not None else int(app.recorder.max_notification_id() or 0)
