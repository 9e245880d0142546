"""The event-sourced application: one log for projects and render jobs."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, cast

import structlog
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import Notification, PersistenceError, Recording, Transcoding

from stoat._core import Timeline
from stoat.domain.project import Project

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Sequence
    from uuid import UUID

    from eventsourcing.domain import Aggregate
    from eventsourcing.persistence import JSONTranscoder, StoredEvent


log = structlog.get_logger(__name__)

T = TypeVar("T")


class ToThread(Protocol):
    """Runs a blocking call in a worker thread, for a coroutine to await (as Litestar's
    ``sync_to_thread``)."""

    def __call__(self, fn: Callable[[], T], /) -> Awaitable[T]: ...


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

        This is :meth:`save` less its check of every event against a runtime-checkable
        protocol (tens of microseconds each), plus the snapshots that :meth:`save` takes
        for an aggregate's pending events.
        """
        processing_event: ProcessingEvent[Any] = ProcessingEvent()
        processing_event.events.extend(events)
        recordings = self._record(processing_event)
        self._notify(recordings)
        for version in self._snapshots_due(aggregate, events):
            self._snapshot(aggregate.id, version)
        return recordings

    async def save_unapplied_async(
        self,
        aggregate: Aggregate,
        events: Sequence[Aggregate.Event],
        to_thread: ToThread,
    ) -> list[Recording[Any]]:
        """:meth:`save_unapplied` for a coroutine: the append joins the writer's queue
        and the event loop goes on until it is committed. ``to_thread`` runs what would
        block the loop: the whole save where the recorder cannot append asynchronously
        (PostgreSQL), and a snapshot.
        """
        insert_async = getattr(self.recorder, "insert_events_async", None)
        if insert_async is None:
            recordings: list[Recording[Any]] = await to_thread(
                partial(self.save_unapplied, aggregate, events)
            )
            return recordings
        stored = [self.mapper.to_stored_event(event) for event in events]
        ids = await insert_async(stored)
        recordings = [
            Recording(event, _notification(record, id_))
            for event, record, id_ in zip(events, stored, ids, strict=True)
        ]
        self._notify(recordings)
        for version in self._snapshots_due(aggregate, events):
            await to_thread(partial(self._snapshot, aggregate.id, version))
        return recordings

    def _snapshots_due(self, aggregate: Aggregate, events: Sequence[Aggregate.Event]) -> list[int]:
        """The versions among ``events`` at which ``aggregate`` is to be snapshotted."""
        interval = self.snapshotting_intervals.get(type(aggregate))
        if not interval or self.snapshots is None:
            return []
        return [e.originator_version for e in events if e.originator_version % interval == 0]

    def cached(self, aggregate_id: UUID) -> Aggregate | None:
        """The aggregate as the repository's cache holds it (None if it does not), not
        brought up to date from the log: shared, to be read only."""
        cache = self.repository.cache
        if cache is None:
            return None
        try:
            aggregate: Any = cache.get(aggregate_id)
        except KeyError:
            return None
        return cast("Aggregate", aggregate)

    def stored_version(self, aggregate_id: UUID) -> int | None:
        """The version of the aggregate's last stored event (None if it has none)."""
        last = self.recorder.select_events(aggregate_id, desc=True, limit=1)
        return last[0].originator_version if last else None

    def applied(self, aggregate: Aggregate, events: Sequence[Aggregate.Event]) -> None:
        """Applies ``events``, just stored by :meth:`save_unapplied`, to the cached
        ``aggregate``, so that the next command finds it current without reading them
        back from the log.

        Under the repository's fast-forward lock for the aggregate: a concurrent
        :meth:`Repository.get` may be fast-forwarding it from the log at this moment,
        and whichever of the two comes second finds the events applied already.
        """
        if not events:
            return
        repository = self.repository
        lock = repository._use_fastforward_lock(aggregate.id)
        try:
            with lock:
                if aggregate.version == events[0].originator_version - 1:
                    apply_events(aggregate, events)
        finally:
            repository._disuse_fastforward_lock(aggregate.id)

    def _take_snapshots(self, processing_event: ProcessingEvent[Any]) -> None:
        try:
            super()._take_snapshots(processing_event)
        except PersistenceError:
            log.warning("snapshot_not_stored", exc_info=True)

    def _snapshot(self, aggregate_id: Any, version: int) -> None:
        """Snapshots ``version`` of a project from the repository's cache.

        Brought up to date there, the cached aggregate is the version just saved, and the
        next command finds it current. (``take_snapshot`` would rebuild the version
        from the last snapshot and up to a hundred events, a second time.) If another
        writer already moved it on, the snapshot is rebuilt as ``take_snapshot`` does.

        Snapshots only save replay time: once the events are stored, a snapshot that
        cannot be (a full disk) must not turn the committed save into an error.
        """
        try:
            current = self.repository.get(
                aggregate_id, projector_func=apply_events, deepcopy_from_cache=False
            )
            snapshots = self.snapshots
            snapshot_class = getattr(type(current), "Snapshot", self.snapshot_class)
            if current.version != version or snapshots is None or snapshot_class is None:
                self.take_snapshot(aggregate_id, version=version, projector_func=apply_events)
                return
            snapshots.put([snapshot_class.take(current)])
        except PersistenceError:
            log.warning("snapshot_not_stored", aggregate_id=str(aggregate_id), exc_info=True)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(TimelineAsSnapshot())


def _notification(stored: StoredEvent, notification_id: int) -> Notification:
    return Notification(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=stored.state,
        id=notification_id,
    )


def apply_events(aggregate: Any, events: Iterable[Any]) -> Any:
    """eventsourcing's ``project_aggregate``, less its assert of a runtime-checked
    protocol per event (tens of microseconds each)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
