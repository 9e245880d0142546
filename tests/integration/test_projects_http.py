"""The projects API over real HTTP handling, a real SQLite log and real ffprobe."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime


def create(client: TestClient[Litestar], **output: Any) -> dict[str, Any]:
    response = client.post("/v1/projects", json={"name": "p", "output": output})
    assert response.status_code == 201, response.text
    return dict(response.json())


def add(media_dir: Path, name: str, start: float, end: float, **extra: Any) -> dict[str, Any]:
    return {"op": "add_clip", "source": str(media_dir / name), "in": start, "out": end, **extra}


def event_count(runtime: Runtime) -> int:
    return runtime.services.app.recorder.max_notification_id() or 0


def test_create_returns_id_version_and_position(client: TestClient[Litestar]) -> None:
    body = create(client)
    assert body["version"] == 1
    assert body["position"] >= 1
    assert [e["type"] for e in body["events"]] == ["ProjectCreated"]
    read = client.get(
        f"/v1/projects/{body['id']}", headers={"X-Stoat-After": str(body["position"])}
    )
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json()["output"] == {
        "width": 1920,
        "height": 1080,
        "fps": "30",
        "sample_rate": 48000,
        "background": "#000000",
        "loudness": None,
    }
    assert [track["id"] for track in read.json()["tracks"]] == ["video-1"]


def test_request_id_is_echoed_or_generated(client: TestClient[Litestar]) -> None:
    assert (
        client.get("/health/live", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    assert len(client.get("/health/live").headers["x-request-id"]) == 32


def test_batch_edits_are_atomic_and_positioned(
    client: TestClient[Litestar], media_dir: Path, runtime: Runtime
) -> None:
    project = create(client, width=320, height=240)
    url = f"/v1/projects/{project['id']}"
    before = event_count(runtime)
    bad = client.post(
        f"{url}/edits",
        json={
            "edits": [
                add(media_dir, "red.mp4", 0, 1),
                add(media_dir, "red.mp4", 2, 1),
                add(media_dir, "red.mp4", 0, 99),
            ]
        },
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    problem = bad.json()
    assert problem["status"] == 422
    assert problem["code"] == "validation_failed"
    assert [(e["path"], e["code"]) for e in problem["errors"]] == [
        ("edits[1].out", "in_not_before_out"),
        ("edits[2].out", "out_beyond_duration"),
    ]
    assert all(e["hint"] for e in problem["errors"])
    assert problem["errors"][1]["context"]["out"] == 99, "times in errors are seconds"
    assert event_count(runtime) == before, "a rejected batch appended events"

    good = client.post(
        f"{url}/edits",
        json={
            "edits": [
                add(media_dir, "red.mp4", 0, 1, clip_id="a"),
                add(media_dir, "green.mp4", 0.25, 1.75, clip_id="b"),
            ]
        },
    )
    assert good.status_code == 200, good.text
    body = good.json()
    assert body["version"] == 3
    assert body["position"] == event_count(runtime)
    timeline = client.get(f"{url}/timeline", headers={"X-Stoat-After": str(body["position"])})
    assert timeline.json()["duration"] == 2.5
    assert [(c["id"], c["start"], c["end"]) for c in timeline.json()["tracks"][0]["clips"]] == [
        ("a", 0, 1),
        ("b", 1, 2.5),
    ]


@pytest.mark.parametrize(
    ("body", "status", "path", "code"),
    [
        ({"edits": [{"op": "warp_clip"}]}, 422, "edits[0].op", "unknown_op"),
        ({"edits": [{"op": "remove_clip"}]}, 422, "edits[0].clip_id", "missing_field"),
        (
            {"edits": [{"op": "remove_clip", "clip_id": "x", "colour": 1}]},
            422,
            "edits[0].colour",
            "unknown_field",
        ),
        (
            {"edits": [{"op": "update_clip", "clip_id": "x", "in": "soon"}]},
            422,
            "edits[0].in",
            "wrong_type",
        ),
        (
            {"edits": [{"op": "remove_clip", "clip_id": "nope"}]},
            422,
            "edits[0].clip_id",
            "clip_not_found",
        ),
        ({"edits": []}, 422, "edits", "empty_batch"),
    ],
)
def test_bad_edits_name_the_field_and_append_nothing(
    client: TestClient[Litestar],
    runtime: Runtime,
    body: dict[str, Any],
    status: int,
    path: str,
    code: str,
) -> None:
    project = create(client)
    before = event_count(runtime)
    response = client.post(f"/v1/projects/{project['id']}/edits", json=body)
    assert response.status_code == status, response.text
    errors = response.json()["errors"]
    assert (path, code) in {(e["path"], e["code"]) for e in errors}, errors
    assert event_count(runtime) == before


def test_malformed_json_is_a_400_problem(client: TestClient[Litestar]) -> None:
    project = create(client)
    response = client.post(
        f"/v1/projects/{project['id']}/edits",
        content=b'{"edits": [',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_sources_are_checked_against_roots_and_probed(
    client: TestClient[Litestar], media_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.mp4"
    outside.write_bytes((media_dir / "red.mp4").read_bytes())
    project = create(client)
    response = client.post(
        f"/v1/projects/{project['id']}/edits",
        json={
            "edits": [
                {"op": "add_clip", "source": str(outside), "in": 0, "out": 1},
                {"op": "add_clip", "source": str(media_dir / "missing.mp4"), "in": 0, "out": 1},
                {"op": "add_clip", "source": str(media_dir / "notes.txt"), "in": 0, "out": 1},
                {
                    "op": "add_clip",
                    "source": f"{media_dir}/../{outside.parent.name}/outside.mp4",
                    "in": 0,
                    "out": 1,
                },
            ]
        },
    )
    assert response.status_code == 422
    found = [(e["path"], e["code"]) for e in response.json()["errors"]]
    assert found == [
        ("edits[0].source", "path_outside_roots"),
        ("edits[1].source", "path_not_found"),
        ("edits[2].source", "source_unreadable"),
        ("edits[3].source", "path_outside_roots"),
    ]


def test_stale_versions_conflict(client: TestClient[Litestar], media_dir: Path) -> None:
    project = create(client)
    url = f"/v1/projects/{project['id']}/edits"
    edit = {"edits": [add(media_dir, "red.mp4", 0, 1)]}
    assert client.post(url, json=edit, headers={"If-Match": '"1"'}).status_code == 200
    stale = client.post(url, json=edit, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert stale.headers["etag"] == '"2"'
    body_stale = client.post(url, json={**edit, "expected_version": 1})
    assert body_stale.status_code == 409
    assert body_stale.json()["code"] == "version_conflict"


def test_past_versions_are_readable(client: TestClient[Litestar], media_dir: Path) -> None:
    project = create(client)
    url = f"/v1/projects/{project['id']}"
    client.post(f"{url}/edits", json={"edits": [add(media_dir, "red.mp4", 0, 1, clip_id="a")]})
    client.post(f"{url}/edits", json={"edits": [{"op": "remove_clip", "clip_id": "a"}]})
    assert client.get(f"{url}?version=2").json()["tracks"][0]["clips"][0]["id"] == "a"
    assert client.get(f"{url}/timeline?version=2").json()["duration"] == 1
    assert client.get(f"{url}?version=3").json()["tracks"][0]["clips"] == []
    assert client.get(f"{url}?version=1").json()["version"] == 1


def test_unknown_project_is_404(client: TestClient[Litestar]) -> None:
    response = client.get("/v1/projects/00000000-0000-0000-0000-000000000000?version=1")
    assert response.status_code == 404
    assert response.json()["code"] == "project_not_found"
    assert client.post("/v1/projects/nope/edits", json={"edits": []}).status_code == 404


def test_invalid_output_settings_are_rejected(client: TestClient[Litestar]) -> None:
    response = client.post("/v1/projects", json={"name": "p", "output": {"width": 641, "fps": "0"}})
    assert response.status_code == 422
    paths = {e["path"] for e in response.json()["errors"]}
    assert {"output.width", "output.fps"} <= paths


def test_project_list_pages(client: TestClient[Litestar]) -> None:
    ids = [create(client)["id"] for _ in range(5)]
    position = client.post("/v1/projects", json={"name": "last"}).json()["position"]
    page = client.get("/v1/projects?limit=4", headers={"X-Stoat-After": str(position)}).json()
    assert len(page["items"]) == 4
    assert page["items"][0]["name"] == "last"
    rest = client.get(f"/v1/projects?limit=4&cursor={page['next']}").json()
    assert rest["next"] is None
    assert {item["id"] for item in page["items"] + rest["items"]} >= set(ids)


def test_openapi_document_lists_the_routes(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "/v1/projects/{project_id}/edits" in schema["paths"]


def test_health(client: TestClient[Litestar]) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["rust_core"]["ok"] is True
