"""How a command changes an existing project: decide against its state, append, or refuse.

A command first decides against the project in the repository's cache as it is,
without reading the log. Only a committed append proves that state current: another
writer's events (a second API node's) make the append clash, and the command is then
decided again against the project read afresh. A rejection or a version conflict stands
if the log holds no later event of the project (one short read); otherwise it too is
decided again.

The cached project is shared with other commands and only read here: the decision's
events are stored without being applied to it, so there is no copy of the timeline per
command (a clone of every clip and up to 1,000 undo steps) and nothing to undo when a
save fails. Once they are stored, they are applied to it.

:func:`change_async` is :func:`change` for a coroutine on the event loop: the decision
runs on the loop and the append is awaited, without a worker thread per command.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Final
from uuid import UUID
from weakref import WeakValueDictionary

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import RecordConflictError

from stoat._core import ValidationError
from stoat.commands.application import apply_events
from stoat.commands.idempotency import key_reused, replay
from stoat.commands.results import WriteResult, write_result
from stoat.domain.project import Project
from stoat.errors import NotFound, Rejected, VersionConflict

if TYPE_CHECKING:
    from collections.abc import Callable

    from stoat.commands.application import StoatApplication, ToThread
    from stoat.domain.context import EventContext
    from stoat.domain.project import Decided

    Decide = Callable[[Project], Decided]


# How many times a command without an expected version is decided again after losing
# the race to another writer, before it is answered with a version conflict.
MAX_ATTEMPTS: Final = 16
# The longest pause, in seconds, before such an attempt (random, doubling from 2 ms).
MAX_BACKOFF: Final = 0.05
# One lock per project and event loop, held by change_async from its decision to its
# append: the loop decides in an instant, so two edits of one project would otherwise
# both decide against the same version and the second would always lose the race.
_LOOP_LOCKS: WeakValueDictionary[tuple[int, str], asyncio.Lock] = WeakValueDictionary()


@dataclass(frozen=True, slots=True)
class Append:
    """A decision to append ``events`` to ``project`` (they are numbered after it)."""

    project: Project
    events: list[Project.Event]


def current_project(app: StoatApplication, project_id: str) -> Project:
    """The current project, brought up to date from the log; shared, to read only."""
    return get_project(app, project_id, projector_func=apply_events, deepcopy_from_cache=False)


def get_project(app: StoatApplication, project_id: str, **options: Any) -> Project:
    """``Repository.get`` with ``options`` for a project, or :class:`NotFound`."""
    try:
        project: Project = app.repository.get(UUID(project_id), **options)
    except (ValueError, AggregateNotFoundError):
        raise NotFound("project", project_id) from None
    if not isinstance(project, Project):
        raise NotFound("project", project_id)
    return project


def cached_project(app: StoatApplication, project_id: str) -> Project | None:
    """The project as the repository's cache holds it, not read from the log: it may be
    behind another writer's events. None if it is not cached."""
    try:
        project = app.cached(UUID(project_id))
    except ValueError:
        return None
    return project if isinstance(project, Project) else None


def change(
    app: StoatApplication,
    project_id: str,
    expected_version: int | None,
    context: EventContext,
    decide: Decide,
) -> WriteResult:
    """Decides with ``decide`` and appends its events, or raises why not."""
    afresh = partial(change_afresh, app, project_id, expected_version, context, decide)
    cached = cached_project(app, project_id)
    if cached is None:
        return afresh()
    try:
        return _commit(app, decide_change(app, cached, expected_version, context, decide))
    except RecordConflictError:
        return afresh()
    except (Rejected, VersionConflict) as refused:
        return confirm_refusal(app, cached, refused, afresh)


def confirm_refusal(
    app: StoatApplication,
    cached: Project,
    refused: Rejected | VersionConflict,
    afresh: Callable[[], WriteResult],
) -> WriteResult:
    """Raises ``refused``, decided against the ``cached`` project, if the log holds no
    later event of it; otherwise decides again, ``afresh``, against the log."""
    if app.stored_version(cached.id) == cached.version:
        raise refused
    return afresh()


def change_afresh(
    app: StoatApplication,
    project_id: str,
    expected_version: int | None,
    context: EventContext,
    decide: Decide,
) -> WriteResult:
    """:func:`change` against the project read up to date from the log.

    A command without an expected version asks for its edit on whatever is current, so
    when another writer's events land between its read and its append, it is decided
    again on the newer state (a few times at most); with one, that is a version conflict.
    """
    attempts = 1 if expected_version is not None else MAX_ATTEMPTS
    for attempt in range(1, attempts + 1):
        project = current_project(app, project_id)
        try:
            return _commit(app, decide_change(app, project, expected_version, context, decide))
        except RecordConflictError:
            if attempt == attempts:
                current = current_project(app, project_id).version
                raise VersionConflict(project_id, project.version, current) from None
        # Writers that lost the same race would meet again at once: spread them out.
        time.sleep(random.uniform(0, min(MAX_BACKOFF, 0.001 * 2**attempt)))  # noqa: S311
    raise AssertionError("unreachable")  # pragma: no cover


async def change_async(
    app: StoatApplication,
    project_id: str,
    expected_version: int | None,
    context: EventContext,
    decide: Decide,
    *,
    to_thread: ToThread,
) -> WriteResult:
    """:func:`change` for a coroutine, with a ``decide`` that never blocks.

    The usual command, on a cached project, decides on the loop (all CPU: the Rust
    decider) and awaits its append. What would block the loop runs in a thread, through
    ``to_thread``: a project not cached (read from the log), a retried request (its
    first response is read back), and what follows a refusal or a clash (the log is
    read). Edits of one project take turns, from the decision to the append.
    """
    async with _turn(project_id):
        cached = cached_project(app, project_id)
        key = context.get("idempotency_key")
        if cached is None or (key and key in cached.recent_requests):
            thread = partial(change, app, project_id, expected_version, context, decide)
            return await to_thread(thread)
        afresh = partial(change_afresh, app, project_id, expected_version, context, decide)
        try:
            decided = decide_change(app, cached, expected_version, context, decide)
            assert isinstance(decided, Append), "a retried request went to the thread"
            recordings = await app.save_unapplied_async(cached, decided.events, to_thread)
        except RecordConflictError:
            return await to_thread(afresh)
        except (Rejected, VersionConflict) as refused:
            return await to_thread(partial(confirm_refusal, app, cached, refused, afresh))
        app.applied(cached, decided.events)
        return write_result(project_id, recordings)


def _turn(project_id: str) -> asyncio.Lock:
    """The running loop's lock for edits of ``project_id``."""
    key = (id(asyncio.get_running_loop()), project_id)
    lock = _LOOP_LOCKS.get(key)
    if lock is None:
        lock = _LOOP_LOCKS[key] = asyncio.Lock()
    return lock


def decide_change(
    app: StoatApplication,
    project: Project,
    expected_version: int | None,
    context: EventContext,
    decide: Decide,
) -> Append | WriteResult:
    """Everything before the append: the retry check, the expected version, ``decide``.

    A retried request (same Idempotency-Key) gets its first response, read back from
    the log, instead of an :class:`Append`.
    """
    before = project.version
    key = context.get("idempotency_key")
    recent = project.recent_requests.get(key) if key else None
    if key and recent is not None:
        fingerprint, first, last = recent
        if fingerprint != context.get("request_hash"):
            raise key_reused(key)
        return replay(app, project.id, first, last)
    if expected_version is not None and expected_version != before:
        raise VersionConflict(str(project.id), expected_version, before)
    try:
        decided = decide(project)
    except ValidationError as error:
        raise Rejected.from_core(error) from None
    return Append(project, project.unapplied_events(decided, context, before))


def _commit(app: StoatApplication, decided: Append | WriteResult) -> WriteResult:
    if isinstance(decided, WriteResult):
        return decided
    recordings = app.save_unapplied(decided.project, decided.events)
    app.applied(decided.project, decided.events)
    return write_result(str(decided.project.id), recordings)
