"""Snapshots save replay time and nothing else: one that cannot be stored (the disk
filled between the events and the snapshot) leaves the committed edit a success."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

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
        colour = {"op": "add_clip", "clip_id": f"c{n}", "kind": "color", "color": "red"}
        response = client.post(url, json={"edits": [{**colour, "duration": 1}]})
        assert response.status_code == 200, response.text
    assert response.json()["version"] == 100
    assert refused, "the snapshot was attempted"
    stored = app.recorder.select_events(UUID(project["id"]), desc=True, limit=1)
    assert stored[0].originator_version == 100
    assert app.repository.get(UUID(project["id"])).version == 100
