"""Scale-out recovery: the worker running a render is killed with SIGKILL. Redis hands its
message to the other worker once its heartbeat stops (and the other takes over the
dispatch lease if the dead one held it); the render completes exactly once, with one
output and no partial files left."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.scaleout._cluster import Node, cluster, get, post, wait_for_render

if TYPE_CHECKING:
    from pathlib import Path

TERMINAL = {"RenderCompleted", "RenderFailed", "RenderCancelled"}


def _running_on(workers: list[Node], render_id: str) -> Node:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for worker in workers:
            lines = worker.output().splitlines()
            if any("render_started" in line and render_id in line for line in lines):
                return worker
        time.sleep(0.1)
    raise AssertionError("no worker started the render")


def _events_of(api: str, aggregate_id: str, after: int) -> list[dict[str, Any]]:
    items = get(f"{api}/v1/events?limit=1000", after)["items"]
    return [event for event in items if event["aggregate_id"] == aggregate_id]


@pytest.mark.slow
def test_a_render_whose_worker_dies_completes_once_on_the_other(
    tmp_path: Path, media_dir: Path
) -> None:
    with cluster(tmp_path, media_dir, apis=1, workers=2) as ((api,), nodes):
        workers = nodes[1:]
        project = post(
            f"{api}/v1/projects",
            {"name": "crash", "output": {"width": 640, "height": 360, "fps": "25"}},
        )
        # Long enough to be running when the worker dies: 20 clips, 60 s of output.
        edits = [
            {
                "op": "add_clip",
                "clip_id": f"clip-{n}",
                "source": str(media_dir / "green.mp4"),
                "in": 0,
                "out": 3,
            }
            for n in range(20)
        ]
        post(f"{api}/v1/projects/{project['id']}/edits", {"edits": edits})
        accepted = post(f"{api}/v1/projects/{project['id']}/renders", {"preset": "h264_aac"})
        victim = _running_on(workers, accepted["id"])
        time.sleep(1.0)  # into the encode, with progress reported
        victim.kill()
        survivor = next(worker for worker in workers if worker is not victim)

        done = wait_for_render(api, accepted, timeout=240)
        assert done["status"] == "completed", done
        assert accepted["id"] in survivor.output()
        events = _events_of(api, accepted["id"], accepted["position"])
        types = [event["type"] for event in events]
        assert [t for t in types if t in TERMINAL] == ["RenderCompleted"], types
        assert types.count("RenderStarted") == 2, types  # the dead attempt, then the rerun
        outputs = sorted(p.name for p in (tmp_path / "shared-outputs").iterdir())
        assert outputs == [f"{accepted['id']}.mp4"], outputs
        assert (tmp_path / "shared-outputs" / outputs[0]).stat().st_size == done["output"]["size"]
