"""Read models: exactly-once tracking, and a rebuild equals the live views."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING, Any

from stoat.runtime import Runtime
from tests.conftest import ADMIN_KEY

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.settings import Settings


def snapshot_views(runtime: Runtime) -> list[tuple[Any, ...]]:
    views = runtime.services.views
    with views.read() as cursor:
        projects = list(
            cursor.execute("SELECT id, version, document, timeline FROM project_views ORDER BY id")
        )
        renders = list(cursor.execute("SELECT id, document FROM render_views ORDER BY id"))
    return [*projects, *renders]


def make_history(client: TestClient[Litestar], media_dir: Path) -> int:
    position = 0
    for name in ("a", "b", "c"):
        project = client.post("/v1/projects", json={"name": name}).json()
        url = f"/v1/projects/{project['id']}/edits"
        for index in range(4):
            body = {
                "edits": [
                    {
                        "op": "add_clip",
                        "source": str(media_dir / "red.mp4"),
                        "in": index * 0.5,
                        "out": index * 0.5 + 0.5,
                    }
                ]
            }
            position = client.post(url, json=body).json()["position"]
        clip = client.get(
            f"/v1/projects/{project['id']}", headers={"X-Stoat-After": str(position)}
        ).json()["tracks"][0]["clips"][0]["id"]
        position = client.post(
            url, json={"edits": [{"op": "remove_clip", "clip_id": clip}]}
        ).json()["position"]
    return int(position)


def test_views_track_every_event_exactly_once(
    client: TestClient[Litestar], runtime: Runtime, media_dir: Path
) -> None:
    position = make_history(client, media_dir)
    runtime.services.views.wait(position, timeout=10)
    assert runtime.services.views.position() == position
    for item in client.get("/v1/projects").json()["items"]:
        assert item["clip_count"] == 3
        assert item["version"] == 6


def test_rebuild_equals_live_views(
    client: TestClient[Litestar], runtime: Runtime, media_dir: Path
) -> None:
    position = make_history(client, media_dir)
    runtime.services.views.wait(position, timeout=10)
    live = snapshot_views(runtime)
    assert runtime.rebuild_projections() == position
    assert snapshot_views(runtime) == live


def test_cli_rebuild_from_scratch(settings: Settings, media_dir: Path) -> None:
    from litestar.testing import TestClient as Client

    from stoat.http.app import create_app

    runtime = Runtime(settings)
    runtime.provision_admin_key()
    runtime.start(jobs=False)
    try:
        with Client(create_app(runtime.services)) as client:
            client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
            position = make_history(client, media_dir)
        runtime.services.views.wait(position, timeout=10)
        live = snapshot_views(runtime)
    finally:
        runtime.stop()
    settings.views_db.unlink()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "stoat.cli",
            "projections",
            "rebuild",
            "--data-dir",
            str(settings.data_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={
            "STOAT_MEDIA_ROOTS": str(media_dir),
            "PATH": "/usr/bin:/bin",
            # In scale-out mode the log the command replays is on PostgreSQL.
            **(
                {"STOAT_EVENT_STORE_URL": settings.event_store_url}
                if settings.event_store_url
                else {}
            ),
        },
    )
    assert done.returncode == 0, done.stderr
    assert f"from {position} events" in done.stderr
    rebuilt = Runtime(settings)
    try:
        assert snapshot_views(rebuilt) == live
    finally:
        rebuilt.stop()
