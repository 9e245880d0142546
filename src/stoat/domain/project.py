"""The Project aggregate: a timeline whose rules live in the Rust decider.

The aggregate holds a :class:`stoat._core.Timeline` that lives on the Rust side. A
command makes one call to ``decide`` for the whole batch; each resulting event is then
applied with one ``evolve`` call, both when it is first triggered and on every replay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from stoat._core import EVENT_TYPES, Timeline

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from uuid import UUID

    from stoat.domain.context import EventContext
    from stoat.media.probe import MediaInfo


class Project(Aggregate):
    """A video project: output settings and the clips of its timeline."""

    class Event(Aggregate.Event):
        """Base of the timeline events; ``data`` is shaped by the Rust core."""

        class_version = 1
        data: dict[str, Any]
        context: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.timeline.evolve(type(self).__name__, self.data)

    class ProjectCreated(Event, Aggregate.Created):
        """A project was created with a name and output settings."""

    class ClipAdded(Event):
        """A clip was put on the timeline (``data.clip``, ``data.index``)."""

    class ClipTrimmed(Event):
        """A clip's in or out point changed (with the previous points, for undo)."""

    class ClipRemoved(Event):
        """A clip was taken off the timeline (``data.clip`` keeps it, for undo)."""

    def __init__(self) -> None:
        self.timeline = Timeline()

    @classmethod
    def create(
        cls, project_id: UUID, name: str, output: Mapping[str, Any], context: EventContext
    ) -> Project:
        """Creates a project; raises ``stoat._core.ValidationError`` for bad settings."""
        ((_, data),) = Timeline.decide_create(str(project_id), name, dict(output))
        return cls._create(cls.ProjectCreated, id=project_id, data=data, context=context)

    def edit(
        self,
        edits: Sequence[Mapping[str, Any]],
        media: Mapping[str, MediaInfo],
        context: EventContext,
    ) -> None:
        """Applies a batch of edits atomically: all of its events, or a ValidationError."""
        decided = self.timeline.decide([dict(edit) for edit in edits], dict(media))
        for event_type, data in decided:
            self.trigger_event(_EVENT_CLASSES[event_type], data=data, context=context)

    def summary(self) -> dict[str, Any]:
        """The project's current state as plain data."""
        return self.timeline.state()


_EVENT_CLASSES: dict[str, type[Project.Event]] = {
    cls.__name__: cls
    for cls in (Project.ProjectCreated, Project.ClipAdded, Project.ClipTrimmed, Project.ClipRemoved)
}

if set(_EVENT_CLASSES) != set(EVENT_TYPES):  # pragma: no cover - a build mismatch
    raise ImportError(f"event types drifted: Rust {EVENT_TYPES}, Python {sorted(_EVENT_CLASSES)}")
