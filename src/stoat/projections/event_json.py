"""Events as JSON for pollers, streams and webhooks: one shape everywhere.

``{"id": position, "type": "ClipAdded", "aggregate_id", "aggregate_type", "version",
"timestamp", "data", "actor", "request_id"}``. Secrets never leave: fields named in
``_REDACTED`` are dropped.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic

if TYPE_CHECKING:
    from collections.abc import Iterable

    from eventsourcing.persistence import Mapper, Notification

_BASE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "context"}
)
_REDACTED = frozenset({"secret_hash", "public_key_secret", "secret_sealed"})


def event_document(position: int, event: Any) -> dict[str, Any]:
    data = getattr(event, "data", None)
    if not isinstance(data, dict):
        data = {k: v for k, v in vars(event).items() if k not in _BASE_FIELDS}
    context = getattr(event, "context", None) or {}
    aggregate_type, _, event_type = type(event).__qualname__.rpartition(".")
    return {
        "id": position,
        "type": event_type,
        "aggregate_type": aggregate_type,
        "aggregate_id": str(event.originator_id),
        "version": event.originator_version,
        "timestamp": event.timestamp.isoformat(),
        "data": {k: v for k, v in data.items() if k not in _REDACTED},
        "actor": context.get("actor"),
        "actor_name": context.get("actor_name"),
        "request_id": context.get("request_id"),
    }


def to_documents(
    mapper: Mapper[Any], notifications: Iterable[Notification]
) -> list[dict[str, Any]]:
    return [event_document(n.id, mapper.to_domain_event(n)) for n in notifications]


@cache
def event_topics() -> dict[str, str]:
    """Event type name -> topic, for every aggregate event Stoat defines."""
    found: dict[str, str] = {}
    pending: list[type] = [CanMutateAggregate]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("stoat.") and cls.__name__ != "Event":
            found.setdefault(cls.__name__, get_topic(cls))
    return found


def topics_for(types: Iterable[str]) -> list[str] | None:
    """Topics for the named event types; None if a name is unknown."""
    known = event_topics()
    names = [name for name in types if name]
    if any(name not in known for name in names):
        return None
    return [known[name] for name in names]
