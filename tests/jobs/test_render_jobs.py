"""Render jobs: cancel, timeout, retries of transient failures, permanent failures,
crash recovery and download, with real FFmpeg on generated media."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any
from uuid import UUID

import httpx
import pytest
from litestar.testing import TestClient

from stoat.http.app import create_app
from stoat.runtime import Runtime
from stoat.settings import Settings
from tests.conftest import ADMIN_KEY, wait_for_render
from tests.media import make_clip, probe, stream

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from litestar import Litestar

pytestmark = pytest.mark.slow
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


def start_runtime(tmp_path: Path, media_dir: Path, **overrides: Any) -> Runtime:
    settings = Settings(
        data_dir=tmp_path / "data",
        media_roots=(media_dir, tmp_path),
        sqlite_synchronous="NORMAL",
        admin_key=ADMIN_KEY,
        **overrides,
    )
    runtime = Runtime(settings)
    runtime.provision_admin_key()
    runtime.start()
    return runtime


@pytest.fixture
def jobs(tmp_path: Path, media_dir: Path) -> Iterator[TestClient[Litestar]]:
    runtime = start_runtime(tmp_path, media_dir, render_timeout_seconds=60.0)
    try:
        with TestClient(create_app(runtime.services)) as client:
            client.headers.update(AUTH)
            yield client
    finally:
        runtime.stop()


def long_project(client: TestClient[Litestar], seconds: float = 600) -> str:
    """A timeline long enough (at full HD) to keep FFmpeg busy for a while."""
    project = client.post("/v1/projects", json={"name": "long", "output": {"preset": "16:9"}})
    project_id = str(project.json()["id"])
    edit = {"op": "add_clip", "kind": "color", "color": "navy", "duration": seconds}
    assert (
        client.post(f"/v1/projects/{project_id}/edits", json={"edits": [edit]}).status_code == 200
    )
    return project_id


def wait_status(
    client: TestClient[Litestar], render: dict[str, Any], status: str
) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(
            f"/v1/renders/{render['id']}", headers={"X-Stoat-After": str(render["position"])}
        ).json()
        if body["status"] == status:
            return body
        time.sleep(0.1)
    raise AssertionError(f"render never became {status}")


def render_files(client: TestClient[Litestar]) -> list[str]:
    runtime_dir = client.app.state["services"].settings.renders_dir
    return sorted(p.name for p in runtime_dir.iterdir())


def test_cancel_a_running_render_stops_ffmpeg_and_removes_the_partial(
    jobs: TestClient[Litestar],
) -> None:
    render = jobs.post(f"/v1/projects/{long_project(jobs)}/renders", json={}).json()
    wait_status(jobs, render, "running")
    time.sleep(0.5)
    started = time.monotonic()
    cancelled = jobs.post(f"/v1/renders/{render['id']}/cancel")
    assert cancelled.status_code == 202
    assert [e["type"] for e in cancelled.json()["events"]] == ["RenderCancelRequested"]
    final = wait_status(jobs, {**render, "position": cancelled.json()["position"]}, "cancelled")
    assert time.monotonic() - started < 5, "FFmpeg was not stopped promptly"
    assert final["output"] is None
    assert render_files(jobs) == []
    again = jobs.post(f"/v1/renders/{render['id']}/cancel")
    assert again.status_code == 422
    assert again.json()["code"] == "render_finished"


def test_a_render_past_its_timeout_fails_with_the_reason(tmp_path: Path, media_dir: Path) -> None:
    runtime = start_runtime(tmp_path, media_dir, render_timeout_seconds=1.0)
    try:
        with TestClient(create_app(runtime.services)) as client:
            client.headers.update(AUTH)
            render = client.post(f"/v1/projects/{long_project(client)}/renders", json={}).json()
            done = wait_for_render(client, render)
            assert done["status"] == "failed"
            assert done["error"]["reason"].startswith("timed out after")
            assert render_files(client) == []
    finally:
        runtime.stop()


def test_a_permanent_ffmpeg_failure_reports_stderr(
    jobs: TestClient[Litestar], tmp_path: Path
) -> None:
    doomed = make_clip(tmp_path / "doomed.mp4", color="red", seconds=1)
    project = jobs.post("/v1/projects", json={"name": "doomed"}).json()["id"]
    edit = {"op": "add_clip", "source": str(doomed)}
    assert jobs.post(f"/v1/projects/{project}/edits", json={"edits": [edit]}).status_code == 200
    doomed.unlink()
    done = wait_for_render(jobs, jobs.post(f"/v1/projects/{project}/renders", json={}).json())
    assert done["status"] == "failed"
    assert done["attempts"] == 1
    assert "doomed.mp4" in done["error"]["stderr_tail"]


def test_a_transient_failure_is_retried(tmp_path: Path, media_dir: Path) -> None:
    """The first FFmpeg run is killed by the system (a wrapper kills itself); the retry works."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "killed-once"
    real = shutil.which("ffmpeg")
    wrapper = bin_dir / "ffmpeg"
    wrapper.write_text(
        "#!/bin/sh\n"
        # Only a render (it asks for -progress) is killed, and only the first one.
        f'case "$*" in *-progress*) if [ ! -e "{marker}" ]; then touch "{marker}"; '
        "kill -9 $$; fi;; esac\n"
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    path = os.environ["PATH"]
    os.environ["PATH"] = f"{bin_dir}:{path}"
    try:
        runtime = start_runtime(tmp_path, media_dir)
        try:
            with TestClient(create_app(runtime.services)) as client:
                client.headers.update(AUTH)
                project = client.post("/v1/projects", json={"name": "flaky"}).json()["id"]
                edit = {"op": "add_clip", "source": str(media_dir / "red.mp4"), "out": 1}
                client.post(f"/v1/projects/{project}/edits", json={"edits": [edit]})
                render = client.post(f"/v1/projects/{project}/renders", json={}).json()
                done = wait_for_render(client, render)
                events = [
                    type(e).__name__ for e in runtime.services.app.events.get(UUID(render["id"]))
                ]
        finally:
            runtime.stop()
    finally:
        os.environ["PATH"] = path
    assert done["status"] == "completed", done
    assert done["attempts"] == 2
    assert "RenderAttemptFailed" in events
    assert events.count("RenderStarted") == 2
    assert events.count("RenderCompleted") == 1


def test_download_supports_ranges(jobs: TestClient[Litestar], media_dir: Path) -> None:
    project = jobs.post("/v1/projects", json={"name": "dl"}).json()["id"]
    edit = {"op": "add_clip", "source": str(media_dir / "red.mp4"), "out": 1}
    jobs.post(f"/v1/projects/{project}/edits", json={"edits": [edit]})
    done = wait_for_render(jobs, jobs.post(f"/v1/projects/{project}/renders", json={}).json())
    whole = jobs.get(done["output"]["url"])
    assert whole.status_code == 200
    assert whole.headers["accept-ranges"] == "bytes"
    part = jobs.get(done["output"]["url"], headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == whole.content[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(whole.content)}"
    assert jobs.get(done["output"]["url"], headers={"Range": "bytes=999999999-"}).status_code == 416


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(data_dir: Path, media_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "STOAT_ADMIN_KEY": ADMIN_KEY,
        "STOAT_MEDIA_ROOTS": str(media_dir),
        "STOAT_JOB_LEASE_SECONDS": "2",
        "STOAT_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stoat.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not start")


def test_a_killed_server_finishes_the_render_once_after_restart(
    tmp_path: Path, media_dir: Path
) -> None:
    port, data_dir = free_port(), tmp_path / "data"
    base = f"http://127.0.0.1:{port}"
    server = serve(data_dir, media_dir, port)
    with httpx.Client(base_url=base, headers=AUTH, timeout=30) as http:
        project = http.post(
            "/v1/projects", json={"name": "crash", "output": {"preset": "16:9"}}
        ).json()["id"]
        edit = {"op": "add_clip", "kind": "color", "color": "teal", "duration": 20}
        http.post(f"/v1/projects/{project}/edits", json={"edits": [edit]})
        render = http.post(f"/v1/projects/{project}/renders", json={}).json()
        deadline = time.monotonic() + 30
        while http.get(f"/v1/renders/{render['id']}").json().get("status") != "running":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        server.send_signal(signal.SIGKILL)
        server.wait()
        server = serve(data_dir, media_dir, port)
        try:
            deadline = time.monotonic() + 180
            while True:
                body = http.get(f"/v1/renders/{render['id']}").json()
                if body["status"] in {"completed", "failed"}:
                    break
                assert time.monotonic() < deadline, body
                time.sleep(0.5)
            events = http.get("/v1/events", params={"limit": 1000}).json()["items"]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
    ours = [e["type"] for e in events if e["aggregate_id"] == render["id"]]
    assert body["status"] == "completed", body
    assert ours.count("RenderCompleted") == 1
    assert ours.count("RenderStarted") == 2
    renders = sorted(p.name for p in (data_dir / "renders").iterdir())
    assert renders == [f"{render['id']}.mp4"], "one output, no partial left behind"


def test_a_timeline_whose_graph_exceeds_one_argument_renders(
    jobs: TestClient[Litestar],
) -> None:
    """700 title clips: the filter graph is over Linux's 128 KiB limit for one argument."""
    project = jobs.post(
        "/v1/projects", json={"name": "long graph", "output": {"width": 160, "height": 120}}
    )
    project_id = project.json()["id"]
    edits = [
        {"op": "add_clip", "kind": "text", "text": f"title {i}", "duration": 0.05}
        for i in range(700)
    ]
    response = jobs.post(f"/v1/projects/{project_id}/edits", json={"edits": edits})
    assert response.status_code == 200, response.text
    done = wait_for_render(
        jobs, jobs.post(f"/v1/projects/{project_id}/renders", json={}).json(), timeout=240
    )
    assert done["status"] == "completed", done.get("error")
    assert done["output"]["duration"] == pytest.approx(35.0, abs=0.05)
    assert render_files(jobs) == [f"{done['id']}.mp4"], "the graph file is removed"


def test_render_options_reach_the_compiler(
    jobs: TestClient[Litestar], media_dir: Path, tmp_path: Path
) -> None:
    """A range, a custom size and a preset other than MP4 go from the request to the file."""
    project = jobs.post("/v1/projects", json={"name": "options"}).json()["id"]
    edit = {"op": "add_clip", "source": str(media_dir / "red.mp4")}
    jobs.post(f"/v1/projects/{project}/edits", json={"edits": [edit]})
    accepted = jobs.post(
        f"/v1/projects/{project}/renders",
        json={"preset": "webm_vp9", "range": {"start": 1, "end": 2}, "width": 160, "height": 120},
    )
    assert accepted.status_code == 202, accepted.text
    done = wait_for_render(jobs, accepted.json())
    assert done["status"] == "completed", done.get("error")
    assert done["options"] == {"range": {"start": 1.0, "end": 2.0}, "width": 160, "height": 120}
    assert done["output"]["content_type"] == "video/webm"
    assert done["output"]["duration"] == pytest.approx(1.0, abs=0.05)
    bad = jobs.post(f"/v1/projects/{project}/renders", json={"preset": "h264_aac", "crf": 99})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "crf"


def test_a_hardware_encoder_that_fails_here_falls_back_to_software(
    jobs: TestClient[Litestar], media_dir: Path, tmp_path: Path
) -> None:
    """Asked for NVENC where its trial encode failed (no GPU here), the render uses the
    preset's software encoder and says so; where it works, it would be used."""
    services = jobs.app.state["services"]
    working = services.encoders.wait(60).working
    if "h264_nvenc" in working:
        pytest.skip("NVENC works on this machine: there is nothing to fall back from")
    project = jobs.post("/v1/projects", json={"name": "hw"}).json()["id"]
    edit = {"op": "add_clip", "source": str(media_dir / "red.mp4")}
    jobs.post(f"/v1/projects/{project}/edits", json={"edits": [edit]})
    accepted = jobs.post(
        f"/v1/projects/{project}/renders",
        json={"preset": "h264_aac", "video_encoder": "h264_nvenc", "width": 160, "height": 120},
    )
    assert accepted.status_code == 202, accepted.text
    done = wait_for_render(jobs, accepted.json())
    assert done["status"] == "completed", done.get("error")
    assert done["output"]["video_encoder"] == "software"
    output = tmp_path / "hw.mp4"
    output.write_bytes(jobs.get(done["output"]["url"]).content)
    video = stream(probe(output), "video")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 160, 120)
