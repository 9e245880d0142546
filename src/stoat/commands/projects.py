"""Project commands: create, edit atomically, undo, redo, restore, fork.

Each loads the aggregate, checks the caller's expected version and idempotency key,
makes one call to the Rust decider, and appends the result in one save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import RecordConflictError

from stoat._core import ValidationError
from stoat.commands.application import apply_events
from stoat.commands.idempotency import creation_id, key_reused, replay
from stoat.commands.results import write_result
from stoat.commands.sources import resolve_sources
from stoat.domain.project import Project
from stoat.errors import NotFound, Rejected, VersionConflict
from stoat.observability.metrics import core_call

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from stoat.commands.application import StoatApplication
    from stoat.commands.results import WriteResult
    from stoat.domain.context import EventContext
    from stoat.domain.project import Decided
    from stoat.errors import ErrorItem
    from stoat.media.probe import Prober


def create_project(
    app: StoatApplication, *, name: str, output: Mapping[str, Any], context: EventContext
) -> WriteResult:
    """Creates a project; bad settings raise :class:`Rejected` and append nothing."""
    project_id = creation_id(context, "project") or uuid4()
    try:
        project = Project.create(project_id, name, output, context)
    except ValidationError as error:
        raise Rejected.from_core(error) from None
    return _save_new(app, project, context)


def fork_project(
    app: StoatApplication,
    *,
    project_id: str,
    version: int | None,
    name: str | None,
    context: EventContext,
) -> WriteResult:
    """Starts a new project from ``project_id`` at ``version`` (default: current)."""
    origin = _at_version(app, project_id, version)
    fork_id = creation_id(context, "fork") or uuid4()
    title = name or f"{origin.timeline.state()['name']} (fork)"
    try:
        fork = Project.fork(fork_id, title, origin, context)
    except ValidationError as error:
        raise Rejected.from_core(error) from None
    return _save_new(app, fork, context)


def load_project(app: StoatApplication, project_id: str, version: int | None = None) -> Project:
    """Loads a project (at ``version`` if given) or raises :class:`NotFound`."""
    try:
        project: Project = app.repository.get(UUID(project_id), version=version)
    except (ValueError, AggregateNotFoundError):
        raise NotFound("project", project_id) from None
    if not isinstance(project, Project):
        raise NotFound("project", project_id)
    return project


def _current(app: StoatApplication, project_id: str) -> Project:
    """The current project, shared with other commands: to read, never to change."""
    try:
        project: Project = app.repository.get(
            UUID(project_id), projector_func=apply_events, deepcopy_from_cache=False
        )
    except (ValueError, AggregateNotFoundError):
        raise NotFound("project", project_id) from None
    if not isinstance(project, Project):
        raise NotFound("project", project_id)
    return project


def _cached(app: StoatApplication, project_id: str) -> Project | None:
    """The project as the repository's cache holds it, not read from the log: it may be
    behind another writer's events. None if it is not cached."""
    try:
        project = app.cached(UUID(project_id))
    except ValueError:
        return None
    return project if isinstance(project, Project) else None


def edit_project(
    app: StoatApplication,
    prober: Prober,
    roots: Sequence[str],
    *,
    project_id: str,
    edits: Sequence[Mapping[str, Any]],
    expected_version: int | None,
    transitions: Sequence[str],
    context: EventContext,
) -> WriteResult:
    """Validates a batch in Rust and appends all of its events, or none."""

    def decide(project: Project) -> Decided:
        sources = resolve_sources(app, prober, roots, edits)
        env = {"files": sources.files, "transitions": list(transitions)}
        try:
            with core_call("decide"):
                decided = project.decide_edits(edits, sources.media, env)
        except ValidationError as error:
            raise Rejected(_merge(sources.errors, error)) from None
        if sources.errors:
            raise Rejected(sources.errors)
        return decided

    return _change(app, project_id, expected_version, context, decide)


def undo_project(
    app: StoatApplication,
    *,
    project_id: str,
    steps: int,
    expected_version: int | None,
    context: EventContext,
) -> WriteResult:
    return _change(app, project_id, expected_version, context, lambda p: p.decide_undo(steps))


def redo_project(
    app: StoatApplication,
    *,
    project_id: str,
    steps: int,
    expected_version: int | None,
    context: EventContext,
) -> WriteResult:
    return _change(app, project_id, expected_version, context, lambda p: p.decide_redo(steps))


def restore_project(
    app: StoatApplication,
    *,
    project_id: str,
    version: int,
    expected_version: int | None,
    context: EventContext,
) -> WriteResult:
    """Appends one ProjectRestored whose resulting state equals version ``version``."""

    def decide(project: Project) -> Decided:
        return project.decide_restore(_at_version(app, project_id, version, project))

    return _change(app, project_id, expected_version, context, decide)


def _change(
    app: StoatApplication,
    project_id: str,
    expected_version: int | None,
    context: EventContext,
    decide: Callable[[Project], Decided],
) -> WriteResult:
    # First against the repository's cached aggregate as it is, without reading the
    # log. Only an append can show that it was current: another writer's events (a
    # second API node's) make the append clash. So every other outcome, a rejection or
    # a version conflict, is decided again against the project read afresh.
    cached = _cached(app, project_id)
    if cached is not None:
        try:
            return _attempt(app, cached, expected_version, context, decide)
        except (Rejected, VersionConflict, RecordConflictError):
            pass
    project = _current(app, project_id)
    try:
        return _attempt(app, project, expected_version, context, decide)
    except RecordConflictError:
        current = _current(app, project_id).version
        raise VersionConflict(project_id, project.version, current) from None


def _attempt(
    app: StoatApplication,
    project: Project,
    expected_version: int | None,
    context: EventContext,
    decide: Callable[[Project], Decided],
) -> WriteResult:
    # ``project`` is shared with other commands, only read here: the decision's events
    # are stored without being applied to it, so no copy of the timeline per command (a
    # clone of every clip and up to 1,000 undo steps), and nothing to undo when a save
    # fails. Once they are stored, they are applied to it (``applied``).
    project_id = str(project.id)
    before = project.version
    key = context.get("idempotency_key")
    recent = project.recent_requests.get(key) if key else None
    if key and recent is not None:
        fingerprint, first, last = recent
        if fingerprint != context.get("request_hash"):
            raise key_reused(key)
        return replay(app, project.id, first, last)
    if expected_version is not None and expected_version != before:
        raise VersionConflict(project_id, expected_version, before)
    try:
        decided = decide(project)
    except ValidationError as error:
        raise Rejected.from_core(error) from None
    events = project.unapplied_events(decided, context, before)
    recordings = app.save_unapplied(project, events)
    app.applied(project, events)
    return write_result(project_id, recordings)


def _at_version(
    app: StoatApplication, project_id: str, version: int | None, current: Project | None = None
) -> Project:
    current = current or load_project(app, project_id)
    if version is None or version == current.version:
        return current
    if not 1 <= version <= current.version:
        raise Rejected.version_out_of_range(project_id, version, current.version)
    return load_project(app, project_id, version)


def _save_new(app: StoatApplication, aggregate: Project, context: EventContext) -> WriteResult:
    try:
        return write_result(str(aggregate.id), app.save(aggregate))
    except RecordConflictError:
        # The id came from the idempotency key: this is a retry, or a reuse of the key.
        existing = load_project(app, str(aggregate.id), 1)
        key = str(context.get("idempotency_key"))
        if existing.recent_requests.get(key, [""])[0] != context.get("request_hash"):
            raise key_reused(key) from None
        return replay(app, existing.id, 1, 1)


def _merge(source_errors: list[ErrorItem], error: ValidationError) -> list[ErrorItem]:
    """Rust also reports files it was not given; where a path failed, keep that error."""
    failed = {tuple(item["loc"]) for item in source_errors}
    decided: list[ErrorItem] = [
        {**item, "loc": tuple(item["loc"]), "ctx": dict(item["ctx"])}
        for item in error.errors()
        if tuple(item["loc"]) not in failed
    ]
    return sorted([*source_errors, *decided], key=_location_key)


def _location_key(item: ErrorItem) -> tuple[str, ...]:
    return tuple(f"{part:08d}" if isinstance(part, int) else part for part in item["loc"])
