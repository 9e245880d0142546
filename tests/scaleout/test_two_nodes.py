"""Scale-out as an operator runs it: two API processes and two worker processes, each
with its own data directory and read models, sharing the log on PostgreSQL and the jobs
on Redis. Edits go through both APIs, renders are picked up by both workers, and both
nodes' read models end equal."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.scaleout._cluster import AUTH, Node, cluster, get, post, wait_for_render

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.webhooks._receiver import Receiver

RENDERS = 6


def _clip(media_dir: Path, n: int) -> dict[str, Any]:
    colour = ("red", "green", "blue")[n % 3]
    return {
        "op": "add_clip",
        "clip_id": f"clip-{n}",
        "source": str(media_dir / f"{colour}.mp4"),
        "in": 0,
        "out": 1,
    }


@pytest.fixture
def nodes(tmp_path: Path, media_dir: Path) -> Iterator[tuple[list[str], list[Node]]]:
    with cluster(tmp_path, media_dir) as running:
        yield running


@pytest.mark.slow
def test_edits_and_renders_through_two_api_and_two_worker_processes(
    nodes: tuple[list[str], list[Node]], media_dir: Path, receiver: Receiver
) -> None:
    (api_a, api_b), processes = nodes
    # A webhook subscribed on one API node; a worker (another process) seals nothing of
    # its own: it opens the secret with the deployment's key and signs each delivery.
    hook = post(f"{api_b}/v1/webhooks", {"url": receiver.url, "event_types": ["RenderCompleted"]})
    receiver.secret = hook["secret"]
    project = post(
        f"{api_a}/v1/projects",
        {"name": "scaled", "output": {"width": 160, "height": 120, "fps": "25"}},
    )
    project_id, version = project["id"], project["version"]
    # Edits alternate between the two API nodes, each checking the version the other wrote.
    for n in range(6):
        api = (api_a, api_b)[n % 2]
        written = post(
            f"{api}/v1/projects/{project_id}/edits",
            {"edits": [_clip(media_dir, n)], "expected_version": version},
        )
        assert written["version"] == version + 1
        version = written["version"]
    renders = [
        post(f"{(api_a, api_b)[n % 2]}/v1/projects/{project_id}/renders", {"preset": "preview"})
        for n in range(RENDERS)
    ]
    finished = [wait_for_render(api_b if n % 2 else api_a, r) for n, r in enumerate(renders)]
    assert [r["status"] for r in finished] == ["completed"] * RENDERS, finished
    assert {r["project_version"] for r in finished} == {version}
    # Both workers rendered: each logs the jobs it ran.
    for worker in processes[2:]:
        ran = [r["id"] for r in renders if r["id"] in worker.output()]
        assert ran, f"{worker.log.name} ran no render:\n{worker.output()[-3000:]}"
    # Every completion reached the webhook, signed with the secret API b handed out.
    deadline = time.monotonic() + 60
    while len(receiver.accepted) < RENDERS and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(receiver.accepted) >= RENDERS, [r.error for r in receiver.requests]
    # Every output exists once, and either API node serves it.
    for render in finished:
        for api in (api_a, api_b):
            download = httpx.get(f"{api}{render['output']['url']}", headers=AUTH, timeout=30)
            assert download.status_code == 200
            assert len(download.content) == render["output"]["size"]
    # The two nodes' read models agree, as of the same log position.
    position = max(r["position"] for r in renders)
    last = get(f"{api_a}/v1/events?limit=1000", position)
    head = max(event["id"] for event in last["items"])
    for path in (
        f"/v1/projects/{project_id}",
        f"/v1/projects/{project_id}/timeline",
        f"/v1/projects/{project_id}/history",
        "/v1/projects",
        *(f"/v1/renders/{r['id']}" for r in renders),
    ):
        assert get(f"{api_a}{path}", head) == get(f"{api_b}{path}", head), path
