"""A full disk or a read-only event log: edits get a 503 that says which, readiness says
so too, nothing of a refused edit is stored, and edits go on once the disk is fixed.

The disk is a real one: a small tmpfs filled to the last byte (needs root and mount),
and a database file the kernel refuses to write (``chattr +i`` as root, which even root
cannot write through; ``chmod a-w`` otherwise).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

from tests.reliability._harness import Server, log_head, read_log

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import httpx

CLIP = {"op": "add_clip", "kind": "color", "color": "teal", "duration": 1}


@contextlib.contextmanager
def small_disk(path: Path, size: str = "64m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path``, or a skip where mounting is not allowed."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill(disk: Path) -> Path:
    """Write a file until the disk has no byte left; return it."""
    filler = disk / "filler"
    dd = ["dd", "if=/dev/zero", f"of={filler}", "bs=64k"]
    written = subprocess.run(dd, capture_output=True, text=True, check=False)
    assert "No space left on device" in written.stderr, written.stderr
    return filler


def edit(http: httpx.Client, project: str, key: str) -> httpx.Response:
    return http.post(
        f"/v1/projects/{project}/edits", json={"edits": [CLIP]}, headers={"Idempotency-Key": key}
    )


def assert_storage_problem(response: httpx.Response, reason: str) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    body: dict[str, Any] = response.json()
    assert (body["code"], body["reason"]) == ("store_unavailable", reason), body
    assert body["errors"][0]["code"] == reason
    assert body["errors"][0]["hint"]
    return body


def readiness(http: httpx.Client) -> tuple[int, dict[str, Any]]:
    response = http.get("/health/ready")
    return response.status_code, response.json()["checks"]["event_store_writable"]


def clips(http: httpx.Client, project: str, position: int) -> int:
    timeline = http.get(
        f"/v1/projects/{project}/timeline", headers={"X-Stoat-After": str(position)}
    ).json()
    return sum(len(track["clips"]) for track in timeline["tracks"])


@pytest.mark.slow
def test_a_full_disk_refuses_edits_with_503_and_stores_nothing(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        server = Server(disk / "data")
        server.start()
        try:
            with server.client() as http:
                project = http.post("/v1/projects", json={"name": "full"}).json()["id"]
                versions = [edit(http, project, f"before-{i}").json()["version"] for i in range(3)]
                assert versions == [2, 3, 4]
                filler = fill(disk)
                # SQLite may still have room in pages it holds (the WAL is reused in
                # place): edits succeed until one needs a new page of the disk.
                accepted, refused = [], None
                for index in range(200):
                    response = edit(http, project, f"full-{index}")
                    if response.status_code != 200:
                        refused = response
                        break
                    accepted.append(response.json())
                assert refused is not None, "no edit was refused on a full disk"
                body = assert_storage_problem(refused, "disk_full")
                assert "full" in body["detail"]
                status, check = readiness(http)
                assert status == 503
                assert not check["ok"]
                assert "full" in check["error"]
                # Nothing of the refused edit is stored, and its retry is refused alike.
                head = log_head(server.data_dir)
                assert head == (accepted[-1]["position"] if accepted else head)
                refused_key = f"full-{len(accepted)}"
                assert_storage_problem(edit(http, project, refused_key), "disk_full")
                assert log_head(server.data_dir) == head

                filler.unlink()
                assert readiness(http)[0] == 200
                # The retry is a first write now, at the next version: no half-stored
                # attempt, no stale aggregate in the cache.
                retried = edit(http, project, refused_key)
                assert retried.status_code == 200, retried.text
                last = 4 + len(accepted)
                assert retried.json()["version"] == last + 1
                after = edit(http, project, "after")
                assert after.json()["version"] == last + 2
                assert clips(http, project, after.json()["position"]) == last + 1
        finally:
            server.stop()
        stored = [e.idempotency_key for e in read_log(disk / "data") if e.idempotency_key]
        keys = [f"before-{i}" for i in range(3)]
        keys += [f"full-{i}" for i in range(len(accepted) + 1)] + ["after"]
        assert stored == keys, "every acknowledged edit once, in order; nothing else"


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable to the server: immutable as root (root ignores modes)."""
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip(f"cannot make a file immutable here: {made.stderr.decode().strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def test_a_read_only_event_log_refuses_edits_with_503(tmp_path: Path) -> None:
    server = Server(tmp_path / "data")
    server.start()
    with server.client() as http:
        project = http.post("/v1/projects", json={"name": "ro"}).json()["id"]
        assert edit(http, project, "before").json()["version"] == 2
        server.stop()
        events_db = server.data_dir / "events.db"
        with read_only(events_db):
            # It starts and serves reads, but is not ready: it cannot take writes.
            server.start(probe="/health/live")
            try:
                status, check = readiness(http)
                assert status == 503
                assert not check["ok"]
                assert "read-only" in check["error"]
                body = assert_storage_problem(edit(http, project, "refused"), "read_only")
                assert "read-only" in body["detail"]
                assert http.get(f"/v1/projects/{project}").json()["version"] == 2
            finally:
                server.kill()
        # Writable again: SQLite opened the file read-only, so the server is restarted.
        server.start()
        try:
            retried = edit(http, project, "refused")
            assert retried.status_code == 200, retried.text
            assert retried.json()["version"] == 3
        finally:
            server.stop()
    stored = [e.idempotency_key for e in read_log(server.data_dir) if e.idempotency_key]
    assert stored == ["before", "refused"]
