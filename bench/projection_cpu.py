"""The projection runner's CPU per edit, measured (not a test).

Run from the repository root::

    .venv/bin/python bench/projection_cpu.py [--edits 1500] [--profile]

Builds the log of one 100-clip project (no server, ``synchronous=OFF``): its creation,
the clips in one batch, then ``--edits`` one-clip retimes (the undo history fills at
1,000). Then it replays that log into empty read models one event per batch, as the
runner sees a lone client's edits, through ``ProjectViews.handle``, and prints the
thread's CPU time per event over all but the first 300 (and a cProfile with
``--profile``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path

from stoat.commands.projects import create_project, edit_project
from stoat.domain.context import system_context
from stoat.projections.project_views import ProjectViews
from stoat.runtime import Runtime
from stoat.settings import Settings

WARM_UP = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=1500)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), sqlite_synchronous="OFF")
    runtime = Runtime(settings)
    app, context = runtime.services.app, system_context("bench")
    project_id = str(create_project(app, name="bench", output={}, context=context).id)

    def edit(edits: list[dict[str, object]]) -> None:
        edit_project(
            app,
            runtime.services.prober,
            settings.allowed_roots,
            project_id=project_id,
            edits=edits,
            expected_version=None,
            transitions=runtime.services.transitions,
            context=context,
        )

    edit(
        [
            {"op": "add_clip", "kind": "color", "clip_id": f"c{i}", "color": "red", "duration": 1}
            for i in range(100)
        ]
    )
    for n in range(args.edits):
        edit([{"op": "update_clip", "clip_id": f"c{n % 100}", "duration": 1 + (n % 7) / 10}])
    views = runtime.services.views
    views.reset()
    projection = ProjectViews(views, app.mapper)
    notifications = app.recorder.select_notifications(1, 10**9)
    for notification in notifications[:WARM_UP]:
        projection.handle([notification])
    profile = cProfile.Profile() if args.profile else None
    started = time.thread_time()
    if profile:
        profile.enable()
    for notification in notifications[WARM_UP:]:
        projection.handle([notification])
    if profile:
        profile.disable()
    cpu = (time.thread_time() - started) / (len(notifications) - WARM_UP)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"projection CPU per event: {cpu * 1e3:.3f} ms (load average {load})")
    runtime.stop()
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
