"""The render worker dies (kill -9 of the embedded server) while FFmpeg runs: after the
restarts the job ends once, completed or failed, with one whole output or none, and no
FFmpeg of a dead worker is left writing.
"""

from __future__ import annotations

import subprocess
import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.processes import processes
from tests.reliability._harness import Server, read_log

if TYPE_CHECKING:
    from pathlib import Path

    import httpx

# A render that takes a few seconds on two cores: long enough to be killed in the middle.
CLIP = {"op": "add_clip", "kind": "color", "color": "teal", "duration": 30}
TERMINAL = {"RenderCompleted", "RenderFailed", "RenderCancelled"}


def wait_for(
    http: httpx.Client, render_id: str, statuses: set[str], timeout: float, attempts: int = 0
) -> Any:
    """The render once its status is one of ``statuses`` (a running one: at least
    ``attempts`` attempts in)."""
    deadline = time.monotonic() + timeout
    while True:
        body = http.get(f"/v1/renders/{render_id}").json()
        status = body.get("status")
        if status in statuses and (status != "running" or body.get("attempts", 0) >= attempts):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def ffmpeg_writing_under(directory: Path) -> list[str]:
    """Command lines of live FFmpeg processes whose arguments name ``directory``."""
    found = []
    for process in processes():
        line = b" ".join(process.argv)
        if (
            process.state != "Z"
            and process.argv[0].endswith(b"ffmpeg")
            and str(directory).encode() in line
        ):
            found.append(line.decode(errors="replace"))
    return found


def decodes_whole(path: Path) -> str:
    """FFmpeg's complaints while decoding every frame (empty: the file is sound)."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return result.stderr + ("" if result.returncode == 0 else f"exit {result.returncode}")


@pytest.mark.slow
@pytest.mark.parametrize(("kills", "outcome"), [(2, "completed"), (3, "failed")])
def test_a_render_killed_mid_run_ends_once(tmp_path: Path, kills: int, outcome: str) -> None:
    """Two kills leave a third attempt, which completes; three exhaust the attempts."""
    data_dir = tmp_path / "data"
    server = Server(data_dir, env={"STOAT_JOB_LEASE_SECONDS": "2"})
    server.start()
    try:
        with server.client() as http:
            project = http.post(
                "/v1/projects", json={"name": "crash", "output": {"preset": "16:9"}}
            ).json()["id"]
            edited = http.post(f"/v1/projects/{project}/edits", json={"edits": [CLIP]})
            assert edited.status_code == 200, edited.text
            render = http.post(f"/v1/projects/{project}/renders", json={})
            assert render.status_code == 202, render.text
            render_id = render.json()["id"]
            for attempt in range(1, kills + 1):
                # After a restart the view still shows the dead attempt until the job is
                # picked up again (once its lease ran out and it fell silent).
                running = wait_for(
                    http, render_id, {"running", "completed", "failed"}, 120, attempts=attempt
                )
                assert running["status"] == "running", running
                # Let FFmpeg get into the file before the worker dies.
                time.sleep(1.0)
                server.kill()
                server.start()
            done = wait_for(http, render_id, {"completed", "failed", "cancelled"}, 300)
    finally:
        server.stop()

    assert done["status"] == outcome, done
    ours = [
        event.topic.rsplit(".", 1)[-1]
        for event in read_log(data_dir)
        if event.aggregate_id == render_id
    ]
    terminal = [name for name in ours if name in TERMINAL]
    assert terminal == [f"Render{outcome.capitalize()}"], ours
    renders_dir = data_dir / "renders"
    files = sorted(path.name for path in renders_dir.iterdir())
    if outcome == "completed":
        assert files == [f"{render_id}.mp4"], "one output, nothing partial left behind"
        assert decodes_whole(renders_dir / files[0]) == ""
        assert done["output"]["duration"] == pytest.approx(30.0, abs=0.1)
    else:
        assert files == [], "a failed job leaves no output and nothing partial"
    assert ffmpeg_writing_under(data_dir) == [], "an FFmpeg of a killed worker still runs"
