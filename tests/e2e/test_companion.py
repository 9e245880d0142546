"""`stoat serve` with its read models and jobs in a companion process (the default).

A live server on loopback: the companion projects what the API appends, is restarted
when it dies, stops with a SIGTERM to the server, and dies with a SIGKILLed server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.test_serve import free_port
from tests.processes import alive, processes

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ADMIN = "stoat_companion-test-key-0123456789abcdefghijklmn"
HEADERS = {"Authorization": f"Bearer {ADMIN}"}
CLIP = {"op": "add_clip", "kind": "color", "clip_id": "c1", "color": "red", "duration": 2}


@contextmanager
def serving(data_dir: Path, **env: str) -> Iterator[tuple[subprocess.Popen[bytes], httpx.Client]]:
    port = free_port()
    command = ["serve", "--port", str(port), "--data-dir", str(data_dir)]
    server = subprocess.Popen(
        [sys.executable, "-m", "stoat.cli", *command],
        env={**os.environ, "STOAT_ADMIN_KEY": ADMIN, "STOAT_LOG_LEVEL": "WARNING", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=HEADERS, timeout=10)
    try:
        wait_until(lambda: _ready(client), "the server did not become ready")
        yield server, client
    finally:
        client.close()
        if server.poll() is None:
            server.kill()
            server.wait()


def _ready(client: httpx.Client) -> bool:
    try:
        return client.get("/health/ready").status_code == 200
    except httpx.TransportError:
        return False


def wait_until(condition: Any, message: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` and that run ``stoat.cli background``."""
    return [
        process.pid
        for process in processes()
        if process.parent == pid and b"background" in process.argv and process.state != "Z"
    ]


def edit_and_read(client: httpx.Client, name: str) -> dict[str, Any]:
    """Creates a project, adds a clip, and reads it back through the read models."""
    project = client.post("/v1/projects", json={"name": name}).json()["id"]
    edited = client.post(f"/v1/projects/{project}/edits", json={"edits": [CLIP]})
    assert edited.status_code == 200, edited.text
    after = {"X-Stoat-After": str(edited.json()["position"])}
    read = client.get(f"/v1/projects/{project}", headers=after)
    assert read.status_code == 200, read.text
    return dict(read.json())


@pytest.mark.slow
def test_the_companion_projects_restarts_and_stops_with_the_server(tmp_path: Path) -> None:
    with serving(tmp_path / "data") as (server, client):
        [companion] = children(server.pid)
        checks = client.get("/health/ready").json()["checks"]
        assert checks["background_process"] == {"ok": True}

        # Read-your-writes across the two processes: the read waits for the projection.
        started = time.monotonic()
        project = edit_and_read(client, "first")
        assert project["version"] == 2
        assert [clip["id"] for clip in project["tracks"][0]["clips"]] == ["c1"]
        assert time.monotonic() - started < 2.0

        # Killed, it is started again, and projects what came meanwhile.
        os.kill(companion, signal.SIGKILL)
        wait_until(lambda: not alive(companion), "the companion did not die")
        created = client.post("/v1/projects", json={"name": "while down"}).json()
        wait_until(lambda: children(server.pid), "the companion was not restarted")
        [restarted] = children(server.pid)
        assert restarted != companion
        wait_until(lambda: _ready(client), "not ready again after the restart")
        assert edit_and_read(client, "second")["version"] == 2
        after = {"X-Stoat-After": str(created["position"])}
        listed = client.get("/v1/projects", headers=after).json()["items"]
        assert created["id"] in [item["id"] for item in listed]

        # Metrics of both processes in one scrape: the API's requests are counted.
        metrics = client.get("/metrics").text
        assert 'stoat_edits_accepted_total{op="add_clip"} 2.0' in metrics

        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
        wait_until(lambda: not alive(restarted), "the companion outlived the server")


@pytest.mark.slow
def test_a_killed_server_takes_its_companion_along(tmp_path: Path) -> None:
    with serving(tmp_path / "data") as (server, _client):
        [companion] = children(server.pid)
        server.kill()
        server.wait()
        wait_until(lambda: not alive(companion), "the companion outlived a killed server", 10)


@pytest.mark.slow
def test_background_threads_keeps_everything_in_one_process(tmp_path: Path) -> None:
    with serving(tmp_path / "data", STOAT_BACKGROUND="threads") as (server, client):
        assert children(server.pid) == []
        assert "background_process" not in client.get("/health/ready").json()["checks"]
        assert edit_and_read(client, "threads")["version"] == 2
