"""The projection: how each event changes the read models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from eventsourcing.persistence import Tracking

from stoat._core import Timeline
from stoat.domain.api_key import ApiKey
from stoat.domain.project import Project
from stoat.domain.render_job import RenderJob, RenderStatus
from stoat.domain.webhook import WebhookSubscription
from stoat.projections.audit_views import project_audit
from stoat.projections.library_views import LIBRARY_TOPICS, project_library
from stoat.projections.represent import project_document_json, timeline_document_json
from stoat.projections.views import APPLICATION_NAME
from stoat.projections.webhook_views import project_webhook
from stoat.timecode import to_seconds

if TYPE_CHECKING:
    from collections.abc import Sequence

    import apsw
    from eventsourcing.persistence import Mapper, Notification

    from stoat.projections.views import ViewStore

# At most this many events follow a project's stored snapshot in the views.
SNAPSHOT_EVERY = 100
# Timelines kept in memory; past this many, the cache starts again.
MAX_CACHED = 1000

_encode = msgspec.json.encode


class ProjectViews:
    """Turns a batch of notifications into view updates plus tracking, in one transaction."""

    def __init__(self, views: ViewStore, mapper: Mapper[Any], *, library: bool = True) -> None:
        self._views = views
        self._mapper = mapper
        # Off in a rebuild, which replays the library's events in bulk on its own.
        self._library = library
        # Timelines of recently changed projects, so an edit does not re-read the state.
        self._timelines: dict[str, Timeline] = {}
        # For each of them, how many events follow its stored snapshot (none: not stored).
        self._since_snapshot: dict[str, int] = {}
        # Projects changed in the current batch: the position of their first event, and
        # their events.
        self._dirty: dict[str, tuple[int, list[Project.Event]]] = {}

    def position(self) -> int:
        return self._views.position()

    def handle(self, notifications: Sequence[Notification]) -> None:
        try:
            with self._views.transaction() as cursor:
                for notification in notifications:
                    project_audit(cursor, notification, self._mapper)  # every event
                    if notification.topic in LIBRARY_TOPICS:  # the media library's views
                        if self._library:
                            project_library(cursor, notification, self._mapper)
                        continue
                    event = self._mapper.to_domain_event(notification)
                    self._apply(cursor, notification.id, event)
                self._write_projects(cursor)
                tracking = Tracking(APPLICATION_NAME, notifications[-1].id)
                self._views._insert_tracking(cursor, tracking)
        except BaseException:
            self._forget()  # the cached timelines may be ahead of the rollback
            raise
        finally:
            self._dirty.clear()
        if len(self._timelines) > MAX_CACHED:
            self._forget()

    def _forget(self) -> None:
        self._timelines.clear()
        self._since_snapshot.clear()

    def _apply(self, cursor: apsw.Cursor, position: int, event: Any) -> None:
        if isinstance(event, Project.Event):
            self._apply_project(cursor, position, event)
        elif isinstance(event, RenderJob.Event):
            self._apply_render(cursor, position, event)
        elif isinstance(event, ApiKey.Event):
            self._apply_key(cursor, position, event)
        elif isinstance(event, WebhookSubscription.Event):
            project_webhook(cursor, position, event)

    def _apply_project(self, cursor: apsw.Cursor, position: int, event: Project.Event) -> None:
        project_id = str(event.originator_id)
        timeline = self._timelines.get(project_id)
        if timeline is None:
            timeline = self._timelines[project_id] = self._load(cursor, project_id)
        timeline.evolve(type(event).__name__, event.data)
        changed = self._dirty.get(project_id)
        if changed is None:
            self._dirty[project_id] = (position, [event])
        else:
            changed[1].append(event)

    def _load(self, cursor: apsw.Cursor, project_id: str) -> Timeline:
        """The project as the views last stored it: its snapshot and the events after it."""
        stored = self._views.project_state(cursor, project_id)
        if stored is None:
            return Timeline()
        snapshot, events = stored
        timeline = Timeline.from_snapshot(snapshot)
        for name, data in events:
            timeline.evolve(name, data)
        self._since_snapshot[project_id] = len(events)
        return timeline

    def _write_projects(self, cursor: apsw.Cursor) -> None:
        """Writes each project changed in the batch once, at its last event.

        Its snapshot (with the undo history, the bulk of the row) is written every
        ``SNAPSHOT_EVERY`` events; in between, the events after it are stored instead,
        which is what a restarted runner replays onto it.
        """
        for project_id, (first, events) in self._dirty.items():
            timeline = self._timelines[project_id]
            last = events[-1]
            version = last.originator_version
            document = project_document_json(timeline, version, last.timestamp.isoformat())
            layout = timeline_document_json(project_id, timeline, version)
            since = self._since_snapshot.get(project_id, SNAPSHOT_EVERY) + len(events)
            if since > SNAPSHOT_EVERY:
                self._views.put_project(
                    cursor,
                    project_id,
                    seq=first,
                    version=version,
                    document=document,
                    timeline=layout,
                    state=timeline.to_snapshot(),
                )
                since = 0
            else:
                self._views.put_project_events(
                    cursor,
                    project_id,
                    version=version,
                    document=document,
                    timeline=layout,
                    events=[_stored(event) for event in events],
                )
            self._since_snapshot[project_id] = since

    def _apply_render(self, cursor: apsw.Cursor, position: int, event: RenderJob.Event) -> None:
        render_id = str(event.originator_id)
        if isinstance(event, RenderJob.RenderRequested):
            document = _new_render(render_id, event)
        else:
            found = self._views.render_document(cursor, render_id)
            if found is None:
                return
            document = _evolve_render(found, event)
        document["updated_at"] = event.timestamp.isoformat()
        self._views.put_render(cursor, position, document)

    def _apply_key(self, cursor: apsw.Cursor, position: int, event: ApiKey.Event) -> None:
        key_id = str(event.originator_id)
        if isinstance(event, ApiKey.ApiKeyCreated):
            document: dict[str, Any] = {
                "id": key_id,
                "name": event.name,
                "scopes": event.scopes,
                "revoked": False,
                "created_at": event.timestamp.isoformat(),
                "created_by": event.context.get("actor"),
            }
        elif isinstance(event, ApiKey.PublicKeyRegistered):
            found = self._views.key_document(cursor, key_id)
            if found is None:
                return
            document = {
                **found,
                "public_key": event.public_key,
                "public_key_id": event.key_id,
                "signatures_required": event.required,
            }
        else:
            found = self._views.key_document(cursor, key_id)
            if found is None:
                return
            document = {**found, "revoked": True, "revoked_at": event.timestamp.isoformat()}
        self._views.put_key(cursor, position, document)


def _stored(event: Project.Event) -> tuple[int, str, bytes]:
    return event.originator_version, type(event).__name__, _encode(event.data)


def _new_render(render_id: str, event: RenderJob.RenderRequested) -> dict[str, Any]:
    return {
        "id": render_id,
        "project_id": event.project_id,
        "project_version": event.project_version,
        "preset": event.preset,
        "options": event.options,
        "status": RenderStatus.QUEUED.value,
        "progress": 0.0,
        "eta_seconds": None,
        "attempts": 0,
        "output": None,
        "error": None,
        "created_at": event.timestamp.isoformat(),
    }


def _evolve_render(document: dict[str, Any], event: RenderJob.Event) -> dict[str, Any]:
    if isinstance(event, RenderJob.RenderStarted):
        document.update(status=RenderStatus.RUNNING.value, attempts=event.attempt)
    elif isinstance(event, RenderJob.RenderProgressed):
        document.update(progress=event.progress, eta_seconds=event.eta_seconds)
    elif isinstance(event, RenderJob.RenderCompleted):
        output = event.output
        document.update(
            status=RenderStatus.COMPLETED.value,
            progress=1.0,
            eta_seconds=0.0,
            output={
                "duration": to_seconds(output["duration"]),
                "size": output["size"],
                "sha256": output["sha256"],
                "content_type": output.get("content_type", "video/mp4"),
                "url": f"/v1/renders/{document['id']}/output",
                # Present when the request named one: what encoded it ("software": the
                # hardware encoder failed this machine's trial encode).
                **({"video_encoder": output["video_encoder"]} if "video_encoder" in output else {}),
            },
        )
    elif isinstance(event, RenderJob.RenderAttemptFailed):
        document.update(
            status=RenderStatus.QUEUED.value,
            eta_seconds=None,
            last_error={
                "attempt": event.attempt,
                "reason": event.reason,
                "stderr_tail": event.stderr_tail,
            },
        )
    elif isinstance(event, RenderJob.RenderCancelRequested):
        document.update(cancel_requested=True)
    elif isinstance(event, RenderJob.RenderCancelled):
        document.update(status=RenderStatus.CANCELLED.value, eta_seconds=None)
    elif isinstance(event, RenderJob.RenderFailed):
        document.update(
            status=RenderStatus.FAILED.value,
            error={"reason": event.reason, "stderr_tail": event.stderr_tail},
        )
    return document
