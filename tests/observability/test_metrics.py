"""GET /metrics: HTTP, edits, the log, projection lag, queues and Rust core timings."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from tests.observability._support import parse, scrape, value

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime

TRACK = {"op": "add_track", "kind": "video"}


def make_project(client: TestClient[Litestar]) -> str:
    response = client.post("/v1/projects", json={"name": "metrics"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_metrics_are_open_and_named_stoat(client: TestClient[Litestar]) -> None:
    samples = scrape(client)
    names = {name for name, _ in samples if name.startswith("stoat_")}
    for expected in (
        "stoat_events_appended_total",
        "stoat_projection_lag_events",
        "stoat_queue_depth",
    ):
        assert expected in names, sorted(names)
    queues = {dict(labels)["queue"] for name, labels in samples if name == "stoat_queue_depth"}
    assert queues == {"renders", "library_scans", "media_assets", "webhooks"}


def test_http_requests_are_counted_by_route_template(client: TestClient[Litestar]) -> None:
    before = scrape(client)
    project = make_project(client)
    for _ in range(3):
        assert client.get(f"/v1/projects/{project}").status_code in {200, 404}
    assert client.get("/v1/projects/not-a-project").status_code == 404
    after = scrape(client)
    route = "/v1/projects/{project_id}"
    counted = sum(
        value(after, "stoat_http_requests_total", method="GET", route=route, status=status)
        - value(before, "stoat_http_requests_total", method="GET", route=route, status=status)
        for status in ("200", "404")
    )
    assert counted == 4
    assert not any(project in dict(labels).get("route", "") for _, labels in after)
    created = ("stoat_http_requests_total", {"method": "POST", "route": "/v1/projects"})
    assert value(after, created[0], status="201", **created[1]) >= 1
    timed = value(after, "stoat_http_request_duration_seconds_count", method="GET", route=route)
    assert (
        timed
        - value(before, "stoat_http_request_duration_seconds_count", method="GET", route=route)
        == 4
    )


def test_edits_are_counted_by_op_and_rejections_by_code(
    client: TestClient[Litestar], media_dir: Path
) -> None:
    project = make_project(client)
    before = scrape(client)
    clip = {"op": "add_clip", "clip_id": "a", "source": str(media_dir / "red.mp4"), "out": 1}
    accepted = client.post(f"/v1/projects/{project}/edits", json={"edits": [TRACK, clip]})
    assert accepted.status_code == 200, accepted.text
    rejected = client.post(
        f"/v1/projects/{project}/edits",
        json={"edits": [TRACK, {"op": "remove_clip", "clip_id": "nope"}]},
    )
    assert rejected.status_code == 422
    assert rejected.json()["errors"][0]["path"].startswith("edits[1]")
    code = rejected.json()["errors"][0]["code"]
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("stoat_edits_accepted_total", op="add_track") == 1
    assert delta("stoat_edits_accepted_total", op="add_clip") == 1
    assert delta("stoat_edits_rejected_total", op="remove_clip", code=code) == 1
    assert delta("stoat_edits_rejected_total", op="add_track", code="batch_rejected") == 1
    assert delta("stoat_core_call_duration_seconds_count", op="decide") == 2


def test_a_conflict_rejects_every_edit_with_its_code(client: TestClient[Litestar]) -> None:
    project = make_project(client)
    before = scrape(client)
    stale = client.post(
        f"/v1/projects/{project}/edits",
        json={"edits": [TRACK]},
        headers={"If-Match": '"7"'},
    )
    assert stale.status_code == 412
    after = scrape(client)
    labels = {"op": "add_track", "code": "version_conflict"}
    rejected = value(after, "stoat_edits_rejected_total", **labels)
    assert rejected - value(before, "stoat_edits_rejected_total", **labels) == 1


def test_unknown_ops_do_not_make_new_series(client: TestClient[Litestar]) -> None:
    project = make_project(client)
    response = client.post(
        f"/v1/projects/{project}/edits", json={"edits": [{"op": "x" * 40, "clip_id": "c"}]}
    )
    assert response.status_code == 422
    ops = {
        dict(labels)["op"]
        for name, labels in scrape(client)
        if name == "stoat_edits_rejected_total"
    }
    assert "x" * 40 not in ops
    assert "unknown" in ops


def test_events_appended_and_projection_lag(client: TestClient[Litestar], runtime: Runtime) -> None:
    project = make_project(client)
    response = client.post(f"/v1/projects/{project}/edits", json={"edits": [TRACK]})
    position = response.json()["position"]
    assert client.get(f"/v1/projects/{project}", headers={"X-Stoat-After": str(position)})
    recorder = runtime.services.app.recorder
    first = recorder.max_notification_id() or 0
    samples = scrape(client)
    last = recorder.max_notification_id() or 0  # background work may append meanwhile
    assert position <= first <= value(samples, "stoat_events_appended_total") <= last
    assert 0 <= value(samples, "stoat_projection_lag_events") <= last
    # With the projection runner stopped, new events show up as lag.
    runtime.projector.stop()
    client.post(f"/v1/projects/{project}/edits", json={"edits": [TRACK]})
    lagging = scrape(client)
    assert value(lagging, "stoat_projection_lag_events") >= 1


def test_multiprocess_mode_sums_every_process(tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, a scrape in one process sums what all counted."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    count = (
        "from stoat.observability.metrics import HTTP_REQUESTS, FFMPEG_ACTIVE\n"
        "HTTP_REQUESTS.labels('GET', '/x', '200').inc(3)\n"
        "FFMPEG_ACTIVE.inc()\n"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    scrape_code = (
        "import sys\n"
        "from stoat.observability.metrics import exposition, multiprocess_mode\n"
        "assert multiprocess_mode()\n"
        "sys.stdout.write(exposition().decode())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", scrape_code],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    samples = parse(out)
    labels = {"method": "GET", "route": "/x", "status": "200"}
    assert value(samples, "stoat_http_requests_total", **labels) == 6
    # livesum: only processes still alive count; both writers have exited, but
    # without mark_process_dead their last values remain.
    assert value(samples, "stoat_ffmpeg_processes_active") in {0, 2}


def test_readiness_checks_the_broker(client: TestClient[Litestar], runtime: Runtime) -> None:
    ready = client.get("/health/ready", headers={"Authorization": ""})
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["broker"] == {"ok": True}
    runtime.broker.close()
    broken = client.get("/health/ready", headers={"Authorization": ""})
    assert broken.status_code == 503
    assert broken.json()["checks"]["broker"]["ok"] is False
