"""A command starts from the project in the repository's cache, without reading the log.

Another writer (here a second application on the same store, as a second API node) can
have moved the project on meanwhile. Only a committed append proves the cache was
current; every other outcome is decided again against the log, so a node with a stale
cache answers exactly as a node with a fresh one would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

import pytest

from stoat.commands import projects as commands
from stoat.commands.application import StoatApplication
from stoat.errors import Rejected, VersionConflict
from tests.integration._edits import CONTEXT, colour_clip, edit

if TYPE_CHECKING:
    from collections.abc import Iterator

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
