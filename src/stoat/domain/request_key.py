"""The RequestKey aggregate: an Idempotency-Key's first use, where the write it keyed
lands on an aggregate whose id the key does not decide.

Importing a file writes to the video whose id comes from the file's path, so two uses
of one key with different paths would meet on different videos, and the second would
look new. A keyed import saves a ``RequestKey`` (id: the actor and the key) in the same
transaction as its video's events: a second use finds it, and is a retry (the same
body: the first response again) or a reuse (another body: 422). Two concurrent first
uses clash on the key's id, so only one write is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from uuid import UUID


class RequestKey(Aggregate):
    """Which write an actor's key was first used for, and the body it came with."""

    class Event(Aggregate.Event):
        class_version = 1
        context: dict[str, Any]

    class KeyUsed(Event, Aggregate.Created):
        """The key's request (``request_hash``) wrote versions ``first_version`` to
        ``last_version`` of ``target_id`` (none when ``first_version`` is greater)."""

        request_hash: str
        target_id: str
        first_version: int
        last_version: int

    def __init__(
        self, request_hash: str, target_id: str, first_version: int, last_version: int
    ) -> None:
        self.request_hash = request_hash
        self.target_id = target_id
        self.first_version = first_version
        self.last_version = last_version

    @classmethod
    def record(
        cls,
        *,
        key_id: UUID,
        request_hash: str,
        target_id: str,
        versions: tuple[int, int],
        context: dict[str, Any],
    ) -> RequestKey:
        first, last = versions
        return cls._create(
            cls.KeyUsed,
            id=key_id,
            request_hash=request_hash,
            target_id=target_id,
            first_version=first,
            last_version=last,
            context=context,
        )
