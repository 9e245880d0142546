"""``edit_project_async``: the usual edit is decided on the event loop; what would block
the loop (reading the log, files to check and probe, a replay) goes to a thread.

Either way the outcome is the one ``edit_project`` gives.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import pytest

from stoat.commands import projects as commands
from stoat.commands.application import StoatApplication
from stoat.domain.project import Project
from stoat.errors import Rejected, VersionConflict
from stoat.media.probe import Prober
from tests.integration._edits import CONTEXT, colour_clip, edit, keyed

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from stoat.commands.results import WriteResult
    from stoat.settings import Settings

T = TypeVar("T")


class Threads:
    """A ``to_thread`` that counts the calls it was given, other than a whole save.

    (A save goes to a thread where the event store cannot append asynchronously:
    PostgreSQL, in the scale-out pass. That is not a decision leaving the loop.)
    """

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, fn: Callable[[], T], /) -> T:
        if getattr(fn, "func", fn).__name__ != "save_unapplied":
            self.calls += 1
        return await asyncio.to_thread(fn)


@pytest.fixture
def app(settings: Settings) -> Iterator[StoatApplication]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = StoatApplication(env=settings.environment())
    yield app
    app.close()


def edit_on_loop(
    app: StoatApplication,
    project_id: str,
    edits: list[dict[str, Any]],
    threads: Threads,
    *,
    roots: list[str] | None = None,
    expected_version: int | None = None,
    key: str | None = None,
) -> WriteResult:

    return asyncio.run(
        commands.edit_project_async(
            app,
            Prober(),
            roots or [],
            project_id=project_id,
            edits=edits,
            expected_version=expected_version,
            transitions=[],
            context=keyed(key),
            to_thread=threads,
        )
    )


def new_project(app: StoatApplication) -> str:
    """A project with one clip, ``a``, cached by ``app``."""
    project_id = commands.create_project(app, name="p", output={}, context=CONTEXT).id
    assert edit_on_loop(app, project_id, [colour_clip("a")], Threads()).version == 2
    return project_id


def test_an_edit_of_a_cached_project_is_decided_on_the_loop(app: StoatApplication) -> None:
    project_id = new_project(app)
    threads = Threads()
    result = edit_on_loop(app, project_id, [colour_clip("b"), colour_clip("c")], threads)
    assert (result.version, threads.calls) == (4, 0)  # a version per event
    assert [e.type for e in result.events] == ["ClipAdded", "ClipAdded"]
    cached = app.cached(UUID(project_id))
    assert isinstance(cached, Project)
    assert cached.version == 4
    assert commands.load_project(app, project_id, 4).timeline.state() == cached.timeline.state()


def test_a_rejection_on_the_loop_is_the_one_edit_project_gives(app: StoatApplication) -> None:
    project_id = new_project(app)
    threads = Threads()
    with pytest.raises(Rejected) as on_loop:
        edit_on_loop(app, project_id, [{"op": "remove_clip", "clip_id": "nope"}], threads)
    with pytest.raises(Rejected) as in_thread:
        edit(app, project_id, [{"op": "remove_clip", "clip_id": "nope"}])
    assert on_loop.value.errors() == in_thread.value.errors()
    # A rejection may come from a stale cache: the log is read, in a thread, to confirm it.
    assert threads.calls == 1


def test_a_project_not_cached_is_read_in_a_thread(
    app: StoatApplication, settings: Settings
) -> None:
    project_id = new_project(app)
    other = StoatApplication(env=settings.environment())
    threads = Threads()
    assert edit_on_loop(other, project_id, [colour_clip("b")], threads).version == 3
    assert threads.calls == 1
    other.close()


def test_an_edit_naming_a_file_is_checked_in_a_thread(
    app: StoatApplication, media_dir: Path
) -> None:
    project_id = new_project(app)
    threads = Threads()
    media = {
        "op": "add_clip",
        "kind": "media",
        "clip_id": "m",
        "source": str(media_dir / "red.mp4"),
    }
    result = edit_on_loop(app, project_id, [media], threads, roots=[str(media_dir)])
    assert (result.version, threads.calls) == (3, 1)


def test_a_large_batch_is_decided_in_a_thread(app: StoatApplication) -> None:
    project_id = new_project(app)
    threads = Threads()
    batch = [colour_clip(f"c{n}") for n in range(commands.ON_LOOP_MAX_EDITS + 1)]
    assert edit_on_loop(app, project_id, batch, threads).version == 2 + len(batch)
    assert threads.calls == 1


def test_a_retried_request_is_replayed_in_a_thread(app: StoatApplication) -> None:
    project_id = new_project(app)
    first = edit_on_loop(app, project_id, [colour_clip("b")], Threads(), key="k")
    threads = Threads()
    assert edit_on_loop(app, project_id, [colour_clip("b")], threads, key="k") == first
    assert threads.calls == 1
    assert commands.load_project(app, project_id).version == 3


def test_a_stale_cache_is_caught_at_the_append_and_decided_afresh(
    app: StoatApplication, settings: Settings
) -> None:
    project_id = new_project(app)
    other = StoatApplication(env=settings.environment())
    edit(other, project_id, [colour_clip("b")])
    other.close()
    threads = Threads()
    update = {"op": "update_clip", "clip_id": "b", "duration": 2}
    assert edit_on_loop(app, project_id, [update], threads, expected_version=3).version == 4
    assert threads.calls == 1
    with pytest.raises(VersionConflict) as conflict:
        edit_on_loop(app, project_id, [update], Threads(), expected_version=3)
    assert (conflict.value.expected, conflict.value.current) == (3, 4)


def test_concurrent_edits_of_one_project_take_turns_on_the_loop(app: StoatApplication) -> None:
    """Each decides against the version the one before it appended: none loses a race."""
    project_id = new_project(app)
    threads = Threads()

    async def edit_all() -> list[WriteResult]:
        edits = [
            commands.edit_project_async(
                app,
                Prober(),
                [],
                project_id=project_id,
                edits=[colour_clip(f"c{n}")],
                expected_version=None,
                transitions=[],
                context=CONTEXT,
                to_thread=threads,
            )
            for n in range(20)
        ]
        return list(await asyncio.gather(*edits))

    results = asyncio.run(edit_all())
    assert sorted(result.version for result in results) == list(range(3, 23))
    assert threads.calls == 0
