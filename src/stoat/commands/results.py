"""What a write returns: enough for read-your-writes and optimistic concurrency."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import Recording


class RecordedEvent(msgspec.Struct, frozen=True):
    type: str
    version: int
    data: dict[str, Any]


class WriteResult(msgspec.Struct, frozen=True):
    """The id written to, its new version, and the log position of its last event."""

    id: str
    version: int
    position: int
    events: list[RecordedEvent]


def write_result(aggregate_id: str, recordings: Sequence[Recording[Any]]) -> WriteResult:
    events = [
        RecordedEvent(
            type=type(recording.domain_event).__name__,
            version=recording.domain_event.originator_version,
            data=event_data(recording.domain_event),
        )
        for recording in recordings
    ]
    return WriteResult(
        id=aggregate_id,
        version=recordings[-1].domain_event.originator_version,
        position=recordings[-1].notification.id,
        events=events,
    )


def event_data(event: Any) -> dict[str, Any]:
    data = getattr(event, "data", None)
    if isinstance(data, dict):
        return data
    skip = {"originator_id", "originator_version", "timestamp", "originator_topic", "context"}
    return {key: value for key, value in vars(event).items() if key not in skip}
