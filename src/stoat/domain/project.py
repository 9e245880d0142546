"""The Project aggregate: a timeline whose rules live in the Rust decider.

The aggregate holds a :class:`stoat._core.Timeline` that lives on the Rust side. A
command makes one call to decide for the whole batch; each resulting event is then
applied with one ``evolve`` call, when first triggered and on every replay. Undo and
redo stacks are part of that Rust state, derived from the events, so replay rebuilds
them. Python keeps only what is about requests rather than timelines: the recent
idempotency keys.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from stoat._core import EVENT_TYPES, Timeline

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from uuid import UUID

    from stoat.domain.context import EventContext
    from stoat.media.probe import MediaInfo

Decided = list[tuple[str, dict[str, Any]]]

RECENT_REQUESTS = 1000


class Project(Aggregate, created_event_name="ProjectCreated"):
    """A video project: output settings, tracks, clips, effects, transitions, keyframes."""

    class Event(Aggregate.Event):
        """Base of the timeline events; ``data`` is shaped by the Rust core."""

        class_version = 1
        data: dict[str, Any]
        context: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.timeline.evolve(type(self).__name__, self.data)
            aggregate.remember_request(self.context, self.originator_version)

    class ProjectCreated(Event, Aggregate.Created):
        """A project was created with a name, output settings and a first track."""

    class ProjectForked(Event, Aggregate.Created):
        """A project was started from another project's state at some version."""

    class OutputSet(Event):
        """Output settings changed."""

    class TrackAdded(Event):
        """A track was added."""

    class TrackUpdated(Event):
        """A track's settings changed (with the previous values, for undo)."""

    class TrackRemoved(Event):
        """A track was removed, with its clips."""

    class ClipAdded(Event):
        """A clip was put on a track."""

    class ClipTrimmed(Event):
        """A clip's in or out point changed."""

    class ClipMoved(Event):
        """A clip moved in time or to another track."""

    class ClipUpdated(Event):
        """Other clip settings changed (speed, transform, volume, ...)."""

    class ClipRemoved(Event):
        """A clip was taken off its track, with its effects and transitions."""

    class EffectApplied(Event):
        """An effect was added to a clip."""

    class EffectUpdated(Event):
        """An effect's parameters changed."""

    class EffectRemoved(Event):
        """An effect was removed."""

    class TransitionSet(Event):
        """A transition between two adjacent clips was set."""

    class TransitionRemoved(Event):
        """A transition was removed."""

    class KeyframesSet(Event):
        """A clip property's keyframes were replaced."""

    class LayoutSet(Event):
        """A named layout (picture-in-picture, split, grid) was set or cleared."""

    class EditsUndone(Event):
        """Edit batches were undone (the event carries their inverse)."""

    class EditsRedone(Event):
        """Undone batches were applied again."""

    class ProjectRestored(Event):
        """The project's state was set to that of an earlier version."""

    def __init__(self) -> None:
        self.timeline = Timeline()
        # idempotency key -> [request hash, first version, last version], oldest first.
        # Plain dicts and lists, so snapshots transcode them as they are.
        self.recent_requests: dict[str, list[Any]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> Project:
        """What the aggregate cache hands out: a Rust clone of the timeline and copies of
        the mutable Python state, far cheaper than copy.deepcopy's generic walk."""
        clone = copy.copy(self)
        clone.timeline = self.timeline.__copy__()
        clone.recent_requests = {key: list(value) for key, value in self.recent_requests.items()}
        clone._pending_events = list(self._pending_events)
        return clone

    # -- commands ----------------------------------------------------------------------
    @classmethod
    def create(
        cls, project_id: UUID, name: str, output: Mapping[str, Any], context: EventContext
    ) -> Project:
        """Creates a project; raises ``stoat._core.ValidationError`` for bad settings."""
        ((_, data),) = Timeline.decide_create(str(project_id), name, dict(output))
        return cls._create(cls.ProjectCreated, id=project_id, data=data, context=dict(context))

    @classmethod
    def fork(
        cls,
        project_id: UUID,
        name: str,
        origin: Project,
        context: EventContext,
    ) -> Project:
        """Starts a new project from ``origin`` (already loaded at the wanted version)."""
        ((_, data),) = Timeline.decide_fork(
            str(project_id), name, str(origin.id), origin.version, origin.timeline
        )
        return cls._create(cls.ProjectForked, id=project_id, data=data, context=dict(context))

    def edit(
        self,
        edits: Sequence[Mapping[str, Any]],
        media: Mapping[str, MediaInfo],
        env: Mapping[str, Any],
        context: EventContext,
    ) -> None:
        """Applies a batch of edits atomically: all of its events, or a ValidationError."""
        self._trigger(self.decide_edits(edits, media, env), context)

    def undo(self, steps: int, context: EventContext) -> None:
        self._trigger(self.decide_undo(steps), context)

    def redo(self, steps: int, context: EventContext) -> None:
        self._trigger(self.decide_redo(steps), context)

    def restore(self, target: Project, context: EventContext) -> None:
        """Appends ProjectRestored: the state becomes ``target``'s (this project, earlier)."""
        self._trigger(self.decide_restore(target), context)

    # -- decisions: what a command would append, changing nothing ----------------------
    def decide_edits(
        self,
        edits: Sequence[Mapping[str, Any]],
        media: Mapping[str, MediaInfo],
        env: Mapping[str, Any],
    ) -> Decided:
        """The events of a batch of edits, all or a ValidationError."""
        return self.timeline.decide([dict(edit) for edit in edits], dict(media), dict(env))

    def decide_undo(self, steps: int) -> Decided:
        return self.timeline.decide_undo(steps)

    def decide_redo(self, steps: int) -> Decided:
        return self.timeline.decide_redo(steps)

    def decide_restore(self, target: Project) -> Decided:
        return self.timeline.decide_restore(target.version, target.timeline)

    def unapplied_events(
        self, decided: Decided, context: EventContext, version: int
    ) -> list[Project.Event]:
        """The events ``decided`` at ``version`` would trigger, numbered after it, not applied.

        For commands on a shared aggregate (the repository's cached one): it changes only
        when stored events are applied to it, so a command that fails, or loses a race,
        leaves nothing behind, and no command needs a copy of it. Should the aggregate
        move on while the command decides, its events clash with the stored ones.
        """
        classes: dict[str, Any] = _EVENT_CLASSES  # eventsourcing types the base constructor
        return [
            classes[event_type](
                originator_id=self.id,
                originator_version=version + number,
                timestamp=Project.Event.create_timestamp(),
                data=data,
                context=dict(context),
            )
            for number, (event_type, data) in enumerate(decided, start=1)
        ]

    # -- request bookkeeping (derived from event context, so replay rebuilds it) -------
    def remember_request(self, context: Mapping[str, Any], version: int) -> None:
        key = context.get("idempotency_key")
        if not key:
            return
        first = self.recent_requests.pop(key, ["", version, version])[1]
        self.recent_requests[key] = [str(context.get("request_hash") or ""), first, version]
        while len(self.recent_requests) > RECENT_REQUESTS:
            del self.recent_requests[next(iter(self.recent_requests))]

    def _trigger(self, decided: Decided, context: EventContext) -> None:
        for event_type, data in decided:
            self.trigger_event(_EVENT_CLASSES[event_type], data=data, context=dict(context))


_EVENT_CLASSES: dict[str, type[Project.Event]] = {
    name: getattr(Project, name) for name in EVENT_TYPES if hasattr(Project, name)
}

if set(_EVENT_CLASSES) != set(EVENT_TYPES):  # pragma: no cover - a build mismatch
    raise ImportError(f"event types drifted: Rust {EVENT_TYPES}, Python {sorted(_EVENT_CLASSES)}")
