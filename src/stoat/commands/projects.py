"""Project commands: create, edit atomically, undo, redo, restore, fork.

Each loads the aggregate, checks the caller's expected version and idempotency key,
makes one call to the Rust decider, and appends the result in one save.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Final
from uuid import uuid4

from eventsourcing.persistence import RecordConflictError

from stoat._core import ValidationError, referenced_paths
from stoat.commands.change import change, change_async, get_project
from stoat.commands.idempotency import creation_id, key_reused, replay
from stoat.commands.results import write_result
from stoat.commands.sources import ResolvedSources, resolve_sources
from stoat.domain.project import Project
from stoat.errors import Rejected
from stoat.observability.metrics import core_call

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from stoat.commands.application import StoatApplication, ToThread
    from stoat.commands.results import WriteResult
    from stoat.domain.context import EventContext
    from stoat.domain.project import Decided
    from stoat.errors import ErrorItem
    from stoat.media.probe import Prober


# Larger batches are decided in a thread by edit_project_async, so that no single edits
# request holds the event loop for long (the decider takes up to ~20 µs an edit).
ON_LOOP_MAX_EDITS: Final = 64


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
    return get_project(app, project_id, version=version)


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
    decide = _edit_decider(app, prober, roots, edits, transitions=transitions)
    return change(app, project_id, expected_version, context, decide)


async def edit_project_async(
    app: StoatApplication,
    prober: Prober,
    roots: Sequence[str],
    *,
    project_id: str,
    edits: Sequence[Mapping[str, Any]],
    expected_version: int | None,
    transitions: Sequence[str],
    context: EventContext,
    to_thread: ToThread,
) -> WriteResult:
    """:func:`edit_project` for a coroutine on the event loop.

    A batch that names no file, and is small enough to decide in well under a
    millisecond, is decided on the loop (``change_async``). One that names files (to
    check on disk and probe with ffprobe) or is larger runs in a thread (``to_thread``).
    """
    plain = [dict(edit) for edit in edits]
    if len(plain) > ON_LOOP_MAX_EDITS or referenced_paths(plain):
        decide = _edit_decider(app, prober, roots, plain, transitions=transitions)
        return await to_thread(partial(change, app, project_id, expected_version, context, decide))
    decide = _edit_decider(
        app, prober, roots, plain, transitions=transitions, resolved=ResolvedSources()
    )
    return await change_async(
        app, project_id, expected_version, context, decide, to_thread=to_thread
    )


def _edit_decider(
    app: StoatApplication,
    prober: Prober,
    roots: Sequence[str],
    edits: Sequence[Mapping[str, Any]],
    *,
    transitions: Sequence[str],
    resolved: ResolvedSources | None = None,
) -> Callable[[Project], Decided]:
    """The decision of an edits batch, with its files checked and probed (unless
    ``resolved`` says what they are)."""

    def decide(project: Project) -> Decided:
        sources = resolve_sources(app, prober, roots, edits) if resolved is None else resolved
        env = {"files": sources.files, "transitions": list(transitions)}
        try:
            with core_call("decide"):
                decided = project.decide_edits(edits, sources.media, env)
        except ValidationError as error:
            raise Rejected(_merge(sources.errors, error)) from None
        if sources.errors:
            raise Rejected(sources.errors)
        return decided

    return decide


def undo_project(
    app: StoatApplication,
    *,
    project_id: str,
    steps: int,
    expected_version: int | None,
    context: EventContext,
) -> WriteResult:
    return change(app, project_id, expected_version, context, lambda p: p.decide_undo(steps))


def redo_project(
    app: StoatApplication,
    *,
    project_id: str,
    steps: int,
    expected_version: int | None,
    context: EventContext,
) -> WriteResult:
    return change(app, project_id, expected_version, context, lambda p: p.decide_redo(steps))


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

    return change(app, project_id, expected_version, context, decide)


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
