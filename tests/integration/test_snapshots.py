"""Snapshots save replay time and nothing else: one that cannot be stored (the disk
filled between the events and the snapshot) leaves the committed edit a success."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from stoat.commands.application import apply_events
from stoat.eventstore._errors import DiskFullError

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime


def test_a_snapshot_that_cannot_be_stored_does_not_fail_the_edit(
    client: TestClient[Litestar], runtime: Runtime
) -> None:
    app = runtime.services.app
    assert app.snapshots is not None
    refused: list[Any] = []

    def disk_full(*args: Any, **kwargs: Any) -> None:
        refused.append(args)
        raise DiskFullError("database or disk is full")

    app.snapshots.recorder.insert_events = disk_full  # type: ignore[method-assign]
    project = client.post("/v1/projects", json={"name": "snap"}).json()
    url = f"/v1/projects/{project['id']}/edits"
    for n in range(99):  # versions 2 to 100: the 100th is the snapshot's
        version = _add_colour_clip(client, url, f"c{n}", 1)
    assert version == 100
    assert refused, "the snapshot was attempted"
    stored = app.recorder.select_events(UUID(project["id"]), desc=True, limit=1)
    assert stored[0].originator_version == 100
    assert app.repository.get(UUID(project["id"])).version == 100


def test_the_snapshot_from_the_cache_equals_one_rebuilt_from_the_log(
    client: TestClient[Litestar], runtime: Runtime
) -> None:
    app = runtime.services.app
    assert app.snapshots is not None
    rebuilds: list[Any] = []
    rebuild = app.take_snapshot

    def counted(*args: Any, **kwargs: Any) -> None:
        rebuilds.append(args)
        rebuild(*args, **kwargs)

    app.take_snapshot = counted  # type: ignore[method-assign]
    project = client.post("/v1/projects", json={"name": "snap"}).json()
    project_id = UUID(project["id"])
    url = f"/v1/projects/{project['id']}/edits"
    for n in range(104):  # versions 2 to 105, a snapshot at 100 and an undo between
        if n == 50:
            assert client.post(f"/v1/projects/{project['id']}/undo", json={}).status_code == 200
            continue
        _add_colour_clip(client, url, f"c{n}", 1 + n % 3)
    [snapshot] = app.snapshots.get(project_id, desc=True, limit=1)
    assert snapshot.originator_version == 100
    assert rebuilds == [], "the snapshot came from the cache, without a second replay"
    from_snapshot = apply_events(None, [snapshot])
    rebuilt = apply_events(None, app.events.get(project_id, lte=100))  # the log alone
    assert from_snapshot.version == rebuilt.version == 100
    assert from_snapshot.timeline.to_snapshot() == rebuilt.timeline.to_snapshot()


def _add_colour_clip(client: TestClient[Litestar], url: str, clip_id: str, seconds: float) -> int:
    """Adds a colour clip with the edits at ``url``; returns the project's new version."""
    colour = {"op": "add_clip", "clip_id": clip_id, "kind": "color", "color": "red"}
    response = client.post(url, json={"edits": [{**colour, "duration": seconds}]})
    assert response.status_code == 200, response.text
    return int(response.json()["version"])
