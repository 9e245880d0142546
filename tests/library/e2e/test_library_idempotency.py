"""Idempotency-Key on the library's writes: a retry gets the first response and appends
nothing; the same key with another body is a 422 and appends nothing either."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from eventsourcing.utils import get_topic

from stoat.domain.scan import LibraryScan
from tests.library._support import wait_for_scan

if TYPE_CHECKING:
    from pathlib import Path

    from httpx import Response
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime


def log(runtime: Runtime, *topics: str) -> list[tuple[int, str, int]]:
    """The whole event log (or the events of ``topics``): position, aggregate, version."""
    recorder = runtime.services.app.recorder
    found = recorder.select_notifications(start=1, limit=1_000_000, topics=topics)
    return [(n.id, str(n.originator_id), n.originator_version) for n in found]


def same(first: Response, again: Response) -> None:
    assert again.status_code == first.status_code
    assert again.json() == first.json()
    for header in ("etag", "location"):
        assert again.headers.get(header) == first.headers.get(header)


def reused(response: Response) -> None:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["errors"][0]["path"]) == (
        "idempotency_key_reused",
        "headers.Idempotency-Key",
    )


def test_an_import_retried_returns_the_first_response(
    client: TestClient[Litestar], runtime: Runtime, library_media: Path
) -> None:
    path = library_media / "beach_sunset.mp4"
    body: dict[str, Any] = {"path": str(path), "tags": ["beach"]}
    key = {"Idempotency-Key": "import-1"}
    first = client.post("/v1/videos", json=body, headers=key)
    assert first.status_code == 201, first.text
    assert [e["type"] for e in first.json()["events"]] == ["VideoImported"]
    before = log(runtime)
    # The file changes meanwhile: without the key, importing it again records that.
    with path.open("ab") as file:
        file.write(b"\0" * 16)
    os.utime(path, ns=(1, 1))
    again = client.post("/v1/videos", json=body, headers=key)
    same(first, again)
    assert log(runtime) == before
    reused(client.post("/v1/videos", json={**body, "tags": ["sea"]}, headers=key))
    assert log(runtime) == before
    # Another file's video has another id: the key's first use is found all the same.
    other = {"path": str(library_media / "city_night.mov")}
    reused(client.post("/v1/videos", json=other, headers=key))
    assert log(runtime) == before
    unkeyed = client.post("/v1/videos", json=body)
    assert (unkeyed.status_code, [e["type"] for e in unkeyed.json()["events"]]) == (
        200,
        ["VideoUpdated"],
    )


def test_a_key_first_used_for_an_unchanged_file_is_kept(
    client: TestClient[Litestar], runtime: Runtime, library_media: Path
) -> None:
    """An import that records nothing (the file is known and unchanged) still uses up
    its key: another file under it is a reuse, and a retry answers as the first did."""
    body = {"path": str(library_media / "beach_sunset.mp4")}
    assert client.post("/v1/videos", json=body).status_code == 201
    key = {"Idempotency-Key": "import-unchanged"}
    first = client.post("/v1/videos", json=body, headers=key)
    assert (first.status_code, first.json()["events"]) == (200, [])
    before = log(runtime)
    same(first, client.post("/v1/videos", json=body, headers=key))
    reused(
        client.post("/v1/videos", json={"path": str(library_media / "city_night.mov")}, headers=key)
    )
    assert log(runtime) == before


def test_a_patch_retried_returns_the_first_response(
    client: TestClient[Litestar], runtime: Runtime, library_media: Path
) -> None:
    created = client.post("/v1/videos", json={"path": str(library_media / "city_night.mov")})
    url = created.headers["location"]
    key = {"Idempotency-Key": "patch-1", "If-Match": '"1"'}
    body = {"tags": ["night"], "metadata": {"camera": "a7"}}
    first = client.patch(url, json=body, headers=key)
    assert first.status_code == 200, first.text
    assert [(e["type"], e["version"]) for e in first.json()["events"]] == [("VideoAnnotated", 2)]
    before = log(runtime)
    # The If-Match is stale by now; the retry is still answered as the first time.
    again = client.patch(url, json=body, headers=key)
    same(first, again)
    assert log(runtime) == before
    reused(client.patch(url, json={"tags": ["day"]}, headers={"Idempotency-Key": "patch-1"}))
    assert log(runtime) == before
    stale = client.patch(url, json=body, headers={"If-Match": '"1"'})
    assert stale.status_code == 412


def test_a_delete_retried_returns_the_first_response(
    client: TestClient[Litestar], runtime: Runtime, library_media: Path
) -> None:
    created = client.post("/v1/videos", json={"path": str(library_media / "voiceover.wav")})
    url = created.headers["location"]
    key = {"Idempotency-Key": "delete-1"}
    first = client.delete(url, headers=key)
    assert [e["type"] for e in first.json()["events"]] == ["VideoRemoved"]
    before = log(runtime)
    same(first, client.delete(url, headers=key))
    assert log(runtime) == before
    assert client.delete(url).status_code == 404


def test_a_scan_retried_returns_the_first_response(
    client: TestClient[Litestar], runtime: Runtime, library_media: Path
) -> None:
    requested = get_topic(LibraryScan.ScanRequested)
    key = {"Idempotency-Key": "scan-1"}
    body = {"path": str(library_media / "trips"), "recursive": False}
    first = client.post("/v1/videos/scan", json=body, headers=key)
    assert first.status_code == 202, first.text
    report = wait_for_scan(client, first.json())
    assert (report["status"], report["new"]) == ("completed", 1)
    scans = log(runtime, requested)
    assert [(aggregate, version) for _, aggregate, version in scans] == [(first.json()["id"], 1)]
    before = log(runtime)
    again = client.post("/v1/videos/scan", json=body, headers=key)
    same(first, again)
    reused(client.post("/v1/videos/scan", json={**body, "recursive": True}, headers=key))
    assert log(runtime) == before
    other = client.post("/v1/videos/scan", json=body, headers={"Idempotency-Key": "scan-2"})
    assert other.status_code == 202
    assert other.json()["id"] != first.json()["id"]
    assert len(log(runtime, requested)) == 2
