"""A render seen from outside: its metrics, and the request id in the worker's logs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import structlog

from tests.conftest import wait_for_render
from tests.observability._support import scrape, value

if TYPE_CHECKING:
    from collections.abc import MutableMapping
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

pytestmark = pytest.mark.slow


def test_a_render_is_counted_timed_and_logged_with_its_request_id(
    client: TestClient[Litestar], media_dir: Path
) -> None:
    project = client.post(
        "/v1/projects",
        json={"name": "observed", "output": {"width": 160, "height": 120, "fps": "15"}},
    ).json()
    url = f"/v1/projects/{project['id']}"
    clip = {"op": "add_clip", "clip_id": "a", "source": str(media_dir / "red.mp4"), "out": 1}
    assert client.post(f"{url}/edits", json={"edits": [clip]}).status_code == 200
    before = scrape(client)
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        accepted = client.post(f"{url}/renders", json={}, headers={"X-Request-ID": "req-render-1"})
        assert accepted.status_code == 202, accepted.text
        done = wait_for_render(client, accepted.json())
    assert done["status"] == "completed", done.get("error")
    render_id = accepted.json()["id"]

    worker: list[MutableMapping[str, Any]] = [
        entry for entry in logs if entry.get("job_id") == render_id
    ]
    assert worker, logs
    assert all(entry["request_id"] == "req-render-1" for entry in worker)
    argv = [entry for entry in worker if entry["event"] == "ffmpeg_argv"]
    assert len(argv) == 1
    assert argv[0]["log_level"] == "debug"
    assert argv[0]["project_id"] == project["id"]
    assert argv[0]["argv"][-1].endswith(".mp4")

    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("stoat_render_jobs_total", status="started") == 1
    assert delta("stoat_render_jobs_total", status="completed") == 1
    assert delta("stoat_render_duration_seconds_count") == 1
    assert delta("stoat_render_speed_ratio_count") == 1
    assert delta("stoat_render_speed_ratio_sum") > 0
    assert delta("stoat_core_call_duration_seconds_count", op="compile_render") == 1
    assert delta("stoat_core_call_duration_seconds_count", op="layout") == 1
    assert value(after, "stoat_ffmpeg_processes_active") == 0
    assert value(after, "stoat_queue_depth", queue="renders") == 0
