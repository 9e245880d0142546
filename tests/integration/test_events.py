"""The global log for pollers and the SSE streams, over a live server."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.conftest import ADMIN_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


def read_sse(lines: Iterator[str], count: int) -> list[dict[str, Any]]:
    """Reads ``count`` events (skipping pings) from an SSE line stream."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    for line in lines:
        if line.startswith(":"):
            continue
        if not line:
            if "data" in current:
                events.append(current)
                if len(events) == count:
                    return events
            current = {}
            continue
        field, _, value = line.partition(":")
        current[field] = value.removeprefix(" ")
    return events


def make_project(client: TestClient[Litestar], name: str) -> dict[str, Any]:
    return dict(client.post("/v1/projects", json={"name": name}).json())


def test_poll_the_global_log(client: TestClient[Litestar], media_dir: Path) -> None:
    first = make_project(client, "a")
    make_project(client, "b")
    page = client.get("/v1/events", params={"limit": 1, "types": "ProjectCreated"}).json()
    assert [item["type"] for item in page["items"]] == ["ProjectCreated"]
    assert page["items"][0]["aggregate_id"] == first["id"]
    assert page["items"][0]["actor_name"] == "admin"
    rest = client.get("/v1/events", params={"after": page["next"], "types": "ProjectCreated"})
    assert [item["data"]["name"] for item in rest.json()["items"]] == ["b"]
    everything = client.get("/v1/events").json()["items"]
    assert [item["id"] for item in everything] == sorted(item["id"] for item in everything)
    assert all("secret_hash" not in item["data"] for item in everything)
    bad = client.get("/v1/events", params={"types": "Nope"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "query.types"


def test_stream_resumes_without_gaps_or_duplicates(
    client: TestClient[Litestar], live_server: str
) -> None:
    start = client.get("/v1/events").json()["items"][-1]["id"]
    with httpx.Client(base_url=live_server, headers=AUTH, timeout=10) as http:
        with http.stream("GET", "/v1/events/stream", headers={"Last-Event-ID": str(start)}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            for index in range(3):
                make_project(client, f"s{index}")
            first = read_sse(r.iter_lines(), 3)
        assert [json.loads(e["data"])["data"]["name"] for e in first] == ["s0", "s1", "s2"]
        resume_at = first[1]["id"]
        for index in range(3, 5):
            make_project(client, f"s{index}")
        with http.stream("GET", "/v1/events/stream", headers={"Last-Event-ID": resume_at}) as r:
            again = read_sse(r.iter_lines(), 3)
    names = [json.loads(e["data"])["data"]["name"] for e in again]
    assert names == ["s2", "s3", "s4"]
    ids = [int(e["id"]) for e in first[:2] + again]
    assert ids == sorted(set(ids))


@pytest.mark.slow
def test_project_stream_shows_render_progress(
    client: TestClient[Litestar], live_server: str, media_dir: Path
) -> None:
    project = make_project(client, "streamed")
    url = f"/v1/projects/{project['id']}"
    client.post(
        f"{url}/edits",
        json={
            "edits": [{"op": "add_clip", "source": str(media_dir / "red.mp4"), "in": 0, "out": 1}]
        },
    )
    with (
        httpx.Client(base_url=live_server, headers=AUTH, timeout=60) as http,
        http.stream(
            "GET",
            f"{url}/events/stream",
            headers={"X-Stoat-After": str(project["position"]), "Last-Event-ID": "0"},
        ) as r,
    ):
        make_project(client, "unrelated")
        client.post(f"{url}/renders", json={})
        seen: list[str] = []
        lines = r.iter_lines()
        while "RenderCompleted" not in seen and "RenderFailed" not in seen:
            (event,) = read_sse(lines, 1)
            seen.append(event["event"])
    assert seen[:2] == ["ProjectCreated", "ClipAdded"]
    assert "RenderRequested" in seen
    assert "RenderStarted" in seen
    assert seen[-1] == "RenderCompleted"
    assert "unrelated" not in json.dumps(seen)


def test_stream_needs_a_key(live_server: str) -> None:
    assert httpx.get(f"{live_server}/v1/events/stream", timeout=5).status_code == 401
