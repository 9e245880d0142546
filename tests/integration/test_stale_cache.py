"""A command starts from the project in the repository's cache, without reading the log.

Another writer (here a second application on the same store, as a second API node) can
have moved the project on meanwhile. Only a committed append proves the cache was
current; every other outcome is checked against the log, so a node with a stale cache
answers exactly as a node with a fresh one would.
"""

from __future__ import annotations

import asyncio
import threading
from functools import partial
from typing import TYPE_CHECKING
from uuid import UUID

import pytest

from stoat.commands import projects as commands
from stoat.commands.application import StoatApplication, apply_events
from stoat.errors import Rejected, VersionConflict
from tests.integration._edits import CONTEXT, colour_clip, edit

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from stoat.commands.results import WriteResult
    from stoat.settings import Settings


@pytest.fixture
def nodes(settings: Settings) -> Iterator[tuple[StoatApplication, StoatApplication]]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    first = StoatApplication(env=settings.environment())
    second = StoatApplication(env=settings.environment())
    yield first, second
    first.close()
    second.close()


def stale_project(nodes: tuple[StoatApplication, StoatApplication]) -> str:
    """A project at version 3 in the log, cached at version 2 by the first node."""
    first, second = nodes
    project_id = commands.create_project(first, name="p", output={}, context=CONTEXT).id
    assert edit(first, project_id, [colour_clip("a")]).version == 2
    assert edit(second, project_id, [colour_clip("b")]).version == 3
    cached = first.cached(UUID(project_id))
    assert cached is not None
    assert cached.version == 2
    return project_id


def test_an_edit_on_a_stale_cache_appends_after_the_other_writers_events(
    nodes: tuple[StoatApplication, StoatApplication],
) -> None:
    first, _ = nodes
    project_id = stale_project(nodes)
    assert edit(first, project_id, [colour_clip("c")]).version == 4
    cached = first.cached(UUID(project_id))
    assert cached is not None
    assert cached.version == 4, "the append was applied to the cached project"
    project = commands.load_project(first, project_id)
    assert [clip["id"] for clip in project.timeline.state()["tracks"][0]["clips"]] == [
        "a",
        "b",
        "c",
    ]


def test_an_edit_of_what_only_the_other_writer_added_is_accepted(
    nodes: tuple[StoatApplication, StoatApplication],
) -> None:
    first, _ = nodes
    project_id = stale_project(nodes)
    update = {"op": "update_clip", "clip_id": "b", "duration": 2.5}
    assert edit(first, project_id, [update]).version == 4


def test_the_version_another_writer_made_is_the_expected_one(
    nodes: tuple[StoatApplication, StoatApplication],
) -> None:
    first, _ = nodes
    project_id = stale_project(nodes)
    assert edit(first, project_id, [colour_clip("c")], expected_version=3).version == 4
    with pytest.raises(VersionConflict) as conflict:
        edit(first, project_id, [colour_clip("d")], expected_version=3)
    assert (conflict.value.expected, conflict.value.current) == (3, 4)


def test_a_rejection_names_the_ids_in_the_log_not_in_the_stale_cache(
    nodes: tuple[StoatApplication, StoatApplication],
) -> None:
    first, _ = nodes
    project_id = stale_project(nodes)
    with pytest.raises(Rejected) as rejected:
        edit(first, project_id, [{"op": "remove_clip", "clip_id": "nope"}])
    [error] = rejected.value.errors()
    assert error["ctx"]["existing"] == ["a", "b"]


def test_a_key_the_other_writer_recorded_is_replayed_not_appended_again(
    nodes: tuple[StoatApplication, StoatApplication],
) -> None:
    first, second = nodes
    project_id = commands.create_project(first, name="p", output={}, context=CONTEXT).id
    assert edit(first, project_id, [colour_clip("a")]).version == 2
    assert edit(second, project_id, [colour_clip("b")], key="k1").version == 3
    replayed = edit(first, project_id, [colour_clip("b")], key="k1")
    assert replayed.version == 3
    assert commands.load_project(first, project_id).version == 3


def test_two_nodes_racing_on_one_project_lose_no_update(
    nodes: tuple[StoatApplication, StoatApplication],
) -> None:
    """One node edits from its event loop, the other from threads, on the same project.

    None of the edits names an expected version, so each is decided again on the newer
    state when it loses a race, and none is lost: the log holds exactly the accepted
    edits' clips, and each node's project, brought up to date, equals a replay of it.
    """
    first, second = nodes
    project_id = commands.create_project(first, name="p", output={}, context=CONTEXT).id
    edit(second, project_id, [colour_clip("seed")])
    outcomes: dict[str, bool] = {}  # clip id: accepted

    async def loop_edits() -> None:
        await asyncio.gather(
            *(
                accepted_on_loop(outcomes, f"loop-{n}", edit_on_loop(first, project_id, n))
                for n in range(60)
            )
        )

    def thread_edits(prefix: str) -> None:
        for n in range(15):
            clip = f"{prefix}-{n}"
            outcomes[clip] = was_accepted(partial(edit, second, project_id, [colour_clip(clip)]))

    threads = [threading.Thread(target=thread_edits, args=(f"t{t}",)) for t in range(4)]
    for thread in threads:
        thread.start()
    asyncio.run(loop_edits())
    for thread in threads:
        thread.join()

    accepted = [clip for clip, ok in outcomes.items() if ok]
    assert len(outcomes) == 120
    # Retries are bounded: under this much contention on a slow store (PostgreSQL), an
    # edit may still lose 16 races in a row and get a 409. Nearly all get through.
    assert len(accepted) >= 110, f"{120 - len(accepted)} edits were refused"
    replayed = apply_events(None, first.events.get(UUID(project_id)))
    stored = [clip["id"] for clip in replayed.timeline.state()["tracks"][0]["clips"]]
    assert sorted(stored) == sorted(["seed", *accepted])
    assert replayed.version == 2 + len(accepted)
    for node in nodes:
        current = commands.load_project(node, project_id)
        assert current.version == replayed.version
        assert current.timeline.to_snapshot() == replayed.timeline.to_snapshot()


def was_accepted(attempt: Callable[[], object]) -> bool:
    """Whether ``attempt`` is accepted (False: refused with a version conflict)."""
    try:
        attempt()
    except VersionConflict:
        return False
    return True


async def accepted_on_loop(
    outcomes: dict[str, bool], clip: str, attempt: Awaitable[object]
) -> None:
    try:
        await attempt
    except VersionConflict:
        outcomes[clip] = False
    else:
        outcomes[clip] = True


async def edit_on_loop(app: StoatApplication, project_id: str, n: int) -> WriteResult:
    """Adds the clip ``loop-{n}`` through ``edit_project_async``."""
    return await commands.edit_project_async(
        app,
        None,  # type: ignore[arg-type]  # no file is named
        [],
        project_id=project_id,
        edits=[colour_clip(f"loop-{n}")],
        expected_version=None,
        transitions=[],
        context=CONTEXT,
        to_thread=asyncio.to_thread,
    )
