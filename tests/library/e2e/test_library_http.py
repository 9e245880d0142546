"""The library over HTTP: scan jobs, imports, tags, removal, search, and path safety."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.library._support import wait_for_scan

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime
    from tests.library.conftest import FileAccess


def events(runtime: Runtime) -> int:
    return runtime.services.app.recorder.max_notification_id() or 0


def after(body: dict[str, Any]) -> dict[str, str]:
    return {"X-Stoat-After": str(body["position"])}


def test_a_scan_job_reports_per_file_results(
    client: TestClient[Litestar], library_media: Path
) -> None:
    accepted = client.post("/v1/videos/scan", json={"path": str(library_media)})
    assert accepted.status_code == 202, accepted.text
    assert accepted.headers["location"] == f"/v1/scans/{accepted.json()['id']}"
    report = wait_for_scan(client, accepted.json())
    assert report["status"] == "completed", report
    assert (report["found"], report["new"], report["failed"]) == (8, 6, 2)
    assert {e["code"] for e in report["errors"]} == {"not_media"}
    rescan = client.post("/v1/videos/scan", json={"path": str(library_media)})
    again = wait_for_scan(client, rescan.json())
    assert (again["new"], again["unchanged"], again["failed"]) == (0, 6, 2)
    listing = client.get("/v1/videos", params={"limit": 3}).json()
    assert len(listing["items"]) == 3
    assert listing["next"] is not None
    rest = client.get("/v1/videos", params={"limit": 3, "cursor": listing["next"]}).json()
    assert len(rest["items"]) == 3
    assert rest["next"] is None


def test_import_read_patch_and_delete(
    client: TestClient[Litestar], library_media: Path, runtime: Runtime
) -> None:
    path = str(library_media / "beach_sunset.mp4")
    created = client.post("/v1/videos", json={"path": path, "tags": ["beach"]})
    assert created.status_code == 201, created.text
    body = created.json()
    assert [e["type"] for e in body["events"]] == ["VideoImported"]
    url = created.headers["location"]
    video = client.get(url, headers=after(body)).json()
    assert (video["path"], video["kind"], video["fps"], video["tags"]) == (
        path,
        "video",
        "30",
        ["beach"],
    )
    assert (video["width"], video["height"], video["has_audio"], video["audio_codec"]) == (
        160,
        120,
        True,
        "aac",
    )
    assert 1.9 < video["duration"] < 2.1

    again = client.post("/v1/videos", json={"path": path})
    assert (again.status_code, again.json()["events"]) == (200, [])

    stale = client.patch(url, json={"tags": ["x"]}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    patched = client.patch(
        url,
        json={"tags": ["sunset", "Beach"], "metadata": {"camera": "gopro", "rating": 4}},
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    unrated = client.patch(url, json={"metadata": {"rating": None}})
    found = client.get("/v1/videos", params={"q": "gopro"}, headers=after(unrated.json())).json()
    assert [v["id"] for v in found["items"]] == [body["id"]]
    current = client.get(url, headers={"X-Stoat-After": str(events(runtime))}).json()
    assert (current["tags"], current["metadata"], current["version"]) == (
        ["sunset", "Beach"],
        {"camera": "gopro"},
        3,
    )

    removed = client.delete(url)
    assert removed.status_code == 200
    assert [e["type"] for e in removed.json()["events"]] == ["VideoRemoved"]
    assert client.get(url, headers=after(removed.json())).status_code == 404
    assert client.delete(url).status_code == 404
    assert (library_media / "beach_sunset.mp4").is_file()  # the file stays
    back = client.post("/v1/videos", json={"path": path})
    assert (back.status_code, back.json()["events"][0]["type"]) == (201, "VideoRestored")


def test_search_over_http(client: TestClient[Litestar], library_media: Path) -> None:
    for name in ("beach_sunset.mp4", "city_night.mov", "voiceover.wav", "trips/forest_walk.mp4"):
        last = client.post("/v1/videos", json={"path": str(library_media / name)}).json()
    head = after(last)

    def names(**query: Any) -> list[str]:
        found = client.get("/v1/videos", params=query, headers=head).json()
        return [video["name"] for video in found["items"]]

    assert names(q="bea*") == ["beach_sunset.mp4"]
    assert names(q='"city night"') == ["city_night.mov"]
    assert set(names(has_audio="false")) == {"city_night.mov"}
    assert names(kind="audio") == ["voiceover.wav"]
    assert names(codec="pcm_s16le") == ["voiceover.wav"]
    assert names(resolution="320x240") == ["city_night.mov"]
    assert names(min_duration=1.5) == ["beach_sunset.mp4"]
    assert names(sort="name") == sorted(names())
    bad = client.get("/v1/videos", params={"q": '"open'})
    assert bad.status_code == 422
    problem = bad.json()
    assert (problem["code"], problem["errors"][0]["path"]) == ("invalid_search", "query.q")
    assert client.get("/v1/videos", params={"sort": "colour"}).status_code in (400, 422)


def test_paths_outside_the_roots_are_forbidden_and_nothing_is_read(
    client: TestClient[Litestar],
    runtime: Runtime,
    library_media: Path,
    outside: Path,
    file_access: Callable[[], FileAccess],
) -> None:
    (library_media / "escape.mp4").symlink_to(outside)
    (library_media / "up").symlink_to(outside.parent)
    before = events(runtime)
    for path in (
        str(outside),
        f"{library_media}/../outside/secret.mp4",
        str(library_media / "escape.mp4"),
        str(library_media / "up/secret.mp4"),
        "/etc/passwd",
    ):
        for url, body in (("/v1/videos", {"path": path}), ("/v1/videos/scan", {"path": path})):
            response = client.post(url, json=body)
            assert response.status_code == 403, (path, response.text)
            problem = response.json()
            assert response.headers["content-type"].startswith("application/problem+json")
            assert problem["code"] == "path_outside_roots"
            assert problem["errors"][0]["path"] == "path"
            assert "outside the allowed media" in problem["detail"]
    assert events(runtime) == before
    assert file_access().touched("secret.mp4") == []
    # (FFmpeg may run meanwhile in the background, checking the encoders: not ffprobe.)
    assert ("subprocess.Popen", "ffprobe") not in file_access().events
    assert file_access().touched(path) == []


def test_bad_bodies_and_unknown_ids(client: TestClient[Litestar], library_media: Path) -> None:
    missing = client.post("/v1/videos", json={"path": str(library_media / "nope.mp4")})
    assert (missing.status_code, missing.json()["code"]) == (422, "path_not_found")
    not_media = client.post("/v1/videos", json={"path": str(library_media / "fake_clip.mp4")})
    assert (not_media.status_code, not_media.json()["code"]) == (422, "not_media")
    assert client.post("/v1/videos", json={"path": "relative.mp4"}).status_code == 422
    assert client.post("/v1/videos", json={"path": 3}).status_code == 422
    assert client.get("/v1/videos/not-a-uuid").status_code == 404
    assert client.get("/v1/scans/00000000-0000-0000-0000-000000000000").status_code == 404
    nobody = "/v1/videos/00000000-0000-0000-0000-000000000000"
    assert client.patch(nobody, json={}).status_code == 404


def test_library_events_never_touch_a_project(
    client: TestClient[Litestar], library_media: Path
) -> None:
    project = client.post("/v1/projects", json={"name": "p"}).json()
    url = f"/v1/projects/{project['id']}"
    path = str(library_media / "beach_sunset.mp4")
    edit = {"edits": [{"op": "add_clip", "source": path, "in": 0, "out": 1}]}
    version = client.post(f"{url}/edits", json=edit).json()["version"]
    video = client.post("/v1/videos", json={"path": path}).json()
    client.patch(f"/v1/videos/{video['id']}", json={"tags": ["t"]})
    scan = client.post("/v1/videos/scan", json={"path": str(library_media)}).json()
    wait_for_scan(client, scan)
    client.delete(f"/v1/videos/{video['id']}")
    again = client.post(f"{url}/edits", json={**edit, "expected_version": version})
    assert again.status_code == 200, again.text
    assert again.json()["version"] == version + 1


def test_an_edit_does_not_probe_a_file_the_library_just_probed(
    client: TestClient[Litestar],
    library_media: Path,
    file_access: Callable[[], FileAccess],
) -> None:
    path = str(library_media / "city_night.mov")
    video = client.post("/v1/videos", json={"path": path}).json()
    assert ("subprocess.Popen", "ffprobe") in file_access().events  # the import probed it
    file_access().events.clear()
    project = client.post("/v1/projects", json={"name": "p"}).json()
    clip = {"op": "add_clip", "source": video["id"], "in": 0, "out": 0.5}
    edited = client.post(f"/v1/projects/{project['id']}/edits", json={"edits": [clip]})
    assert edited.status_code == 200, edited.text
    # (FFmpeg may run meanwhile in the background, checking the encoders: not ffprobe.)
    assert ("subprocess.Popen", "ffprobe") not in file_access().events
    assert file_access().touched(path) == []
