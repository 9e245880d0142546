"""The projection's stored state: a snapshot every so many events, the events after it.

A runner that starts again (no cached timelines) must go on from what the views stored
exactly as a runner that never stopped, and as a rebuild from the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from stoat.commands.projects import create_project, edit_project, undo_project
from stoat.domain.context import system_context
from stoat.projections import project_views
from stoat.projections.project_views import ProjectViews
from stoat.runtime import Runtime

if TYPE_CHECKING:
    from collections.abc import Iterator

    from stoat.settings import Settings


@pytest.fixture
def idle_runtime(settings: Settings) -> Iterator[Runtime]:
    """A runtime whose projection runner is not started: the test feeds it."""
    runtime = Runtime(settings)
    try:
        yield runtime
    finally:
        runtime.stop()


def _history(runtime: Runtime) -> None:
    app, context = runtime.services.app, system_context("test")
    for name in ("a", "b"):
        project_id = str(create_project(app, name=name, output={}, context=context).id)
        for index in range(7):
            clip = {"op": "add_clip", "kind": "color", "clip_id": f"c{index}", "color": "red"}
            edit_project(
                app,
                runtime.services.prober,
                runtime.settings.allowed_roots,
                project_id=project_id,
                edits=[{**clip, "duration": 1 + index / 10}],
                expected_version=None,
                transitions=runtime.services.transitions,
                context=context,
            )
            if index % 3 == 2:
                undo_project(
                    app, project_id=project_id, steps=1, expected_version=None, context=context
                )


def _rows(runtime: Runtime) -> list[Any]:
    with runtime.services.views.read() as cursor:
        return list(
            cursor.execute("SELECT id, seq, version, document, timeline FROM project_views")
        )


@pytest.mark.parametrize("restart_every", [1, 2, 5])
def test_restarted_runner_equals_replay_in_one_batch(
    idle_runtime: Runtime, monkeypatch: pytest.MonkeyPatch, restart_every: int
) -> None:
    monkeypatch.setattr(project_views, "SNAPSHOT_EVERY", 3)
    _history(idle_runtime)
    views, mapper = idle_runtime.services.views, idle_runtime.services.app.mapper
    notifications = idle_runtime.services.app.recorder.select_notifications(1, 10_000)
    # One runner over the whole log in one batch: the snapshot at the end only.
    ProjectViews(views, mapper).handle(notifications)
    whole = _rows(idle_runtime)
    # A fresh runner (cold cache) every few events, one event a batch.
    views.reset()
    projection = ProjectViews(views, mapper)
    for index, notification in enumerate(notifications):
        if index % restart_every == 0:
            projection = ProjectViews(views, mapper)
        projection.handle([notification])
    assert _rows(idle_runtime) == whole
    with views.read() as cursor:
        tails = list(cursor.execute("SELECT count(*) FROM project_view_events GROUP BY project_id"))
    assert all(count <= 3 for (count,) in tails)
