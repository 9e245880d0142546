"""Who and why: the context every event carries."""

from __future__ import annotations

from typing import TypedDict


class EventContext(TypedDict):
    """Recorded on every event: the actor, the request that caused it, its idempotency key."""

    actor: str
    actor_name: str
    request_id: str
    idempotency_key: str | None
    request_hash: str | None


def system_context(request_id: str = "") -> EventContext:
    """The context of work Stoat does on its own (workers, recovery)."""
    return EventContext(
        actor="system",
        actor_name="stoat",
        request_id=request_id,
        idempotency_key=None,
        request_hash=None,
    )
