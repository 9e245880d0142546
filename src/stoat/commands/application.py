"""The event-sourced application: one log for projects and render jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.application import Application
from eventsourcing.persistence import Transcoding

from stoat._core import Timeline
from stoat.domain.project import Project

if TYPE_CHECKING:
    from eventsourcing.persistence import JSONTranscoder


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

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(TimelineAsSnapshot())
