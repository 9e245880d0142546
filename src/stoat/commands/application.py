"""The event-sourced application: one log for projects and render jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import structlog
from eventsourcing.application import Application
from eventsourcing.persistence import PersistenceError, Transcoding

from stoat._core import Timeline
from stoat.domain.project import Project

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.application import ProcessingEvent
    from eventsourcing.domain import Aggregate
    from eventsourcing.persistence import JSONTranscoder, Recording


log = structlog.get_logger(__name__)


class TimelineAsSnapshot(Transcoding):
    """Snapshots keep the Rust timeline as its serde JSON, not as Python objects."""

    type = Timeline
    name = "stoat_timeline"

    def encode(self, obj: Timeline) -> str:
        return obj.to_snapshot().decode()

    def decode(self, data: str) -> Timeline:
        return Timeline.from_snapshot(data.encode())


class StoatApplication(Application[Any]):
    """Projects and render jobs share one application sequence (one notification log)."""

    name = "stoat"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Project: 100}

    def save_unapplied(
        self, aggregate: Aggregate, events: Sequence[Aggregate.Event]
    ) -> list[Recording[Any]]:
        """Stores ``aggregate``'s next ``events``, decided against it but not applied to it.

        Takes the snapshots that :meth:`save` takes for an aggregate's pending events
        (from the stored events, as it does).
        """
        recordings = self.save(*events)
        interval = self.snapshotting_intervals.get(type(aggregate))
        if interval and self.snapshots is not None:
            for event in events:
                if event.originator_version % interval == 0:
                    self._snapshot(aggregate.id, event.originator_version)
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[Any]) -> None:
        try:
            super()._take_snapshots(processing_event)
        except PersistenceError:
            log.warning("snapshot_not_stored", exc_info=True)

    def _snapshot(self, aggregate_id: Any, version: int) -> None:
        """Snapshots only save replay time: once the events are stored, a snapshot that
        cannot be (a full disk) must not turn the committed save into an error."""
        try:
            self.take_snapshot(aggregate_id, version=version)
        except PersistenceError:
            log.warning("snapshot_not_stored", aggregate_id=str(aggregate_id), exc_info=True)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(TimelineAsSnapshot())
