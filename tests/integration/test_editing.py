"""The editing model over HTTP: versions, undo/redo, restore, fork, history, diff,
idempotency, optimistic concurrency and discovery."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from stoat import _core
from tests.integration._edits import colour_clip as color

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime


def new_project(client: TestClient[Litestar], **body: Any) -> str:
    response = client.post("/v1/projects", json={"name": "p", **body})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def edit(client: TestClient[Litestar], project: str, *edits: dict[str, Any], **headers: str) -> Any:
    return client.post(
        f"/v1/projects/{project}/edits", json={"edits": list(edits)}, headers=headers
    )


def state(client: TestClient[Litestar], project: str, version: int | None = None) -> Any:
    """A version's state from the log (strongly consistent); the latest by default."""
    if version is None:
        history = client.get(f"/v1/projects/{project}/history?limit=500").json()["items"]
        version = history[-1]["version"]
    return client.get(f"/v1/projects/{project}?version={version}").json()


def clips(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(track["id"], clip["id"]) for track in document["tracks"] for clip in track["clips"]]


def count(runtime: Runtime) -> int:
    return runtime.services.app.recorder.max_notification_id() or 0


def test_undo_redo_are_events_and_a_new_edit_clears_redo(
    client: TestClient[Litestar], runtime: Runtime
) -> None:
    project = new_project(client)
    assert edit(client, project, color("a", 1), color("b", 1)).status_code == 200
    assert edit(client, project, color("c", 2)).status_code == 200
    undone = client.post(f"/v1/projects/{project}/undo", json={})
    assert undone.status_code == 200, undone.text
    assert [e["type"] for e in undone.json()["events"]] == ["EditsUndone"]
    assert undone.json()["version"] == 5
    assert clips(state(client, project, 5)) == clips(state(client, project, 3))
    assert client.post(f"/v1/projects/{project}/undo", json={"steps": 1}).status_code == 200
    assert clips(state(client, project, 6)) == []
    redone = client.post(f"/v1/projects/{project}/redo", json={"steps": 2})
    assert redone.status_code == 200
    assert clips(state(client, project)) == [("video-1", "a"), ("video-1", "b"), ("video-1", "c")]
    client.post(f"/v1/projects/{project}/undo", json={})
    edit(client, project, color("d", 1))
    before = count(runtime)
    none_left = client.post(f"/v1/projects/{project}/redo", json={})
    assert none_left.status_code == 422
    assert none_left.json()["errors"][0]["code"] == "nothing_to_redo"
    assert count(runtime) == before
    too_many = client.post(f"/v1/projects/{project}/undo", json={"steps": 99})
    assert too_many.json()["errors"][0]["code"] == "nothing_to_undo"


def test_restore_appends_a_version_equal_to_the_old_one(client: TestClient[Litestar]) -> None:
    project = new_project(client)
    edit(client, project, color("a", 1))
    edit(client, project, color("b", 1), {"op": "remove_clip", "clip_id": "a"})
    restored = client.post(f"/v1/projects/{project}/restore", json={"version": 2})
    assert restored.status_code == 200, restored.text
    assert [e["type"] for e in restored.json()["events"]] == ["ProjectRestored"]
    now, then = state(client, project), state(client, project, 2)
    assert now["version"] == 5
    assert (now["tracks"], now["output"]) == (then["tracks"], then["output"])
    assert client.post(f"/v1/projects/{project}/restore", json={"version": 9}).status_code == 422
    undone = client.post(f"/v1/projects/{project}/undo", json={})
    assert undone.status_code == 200
    assert clips(state(client, project)) == [("video-1", "b")]


def test_fork_starts_a_linked_project(client: TestClient[Litestar]) -> None:
    project = new_project(client)
    edit(client, project, color("a", 1))
    edit(client, project, color("b", 1))
    forked = client.post(f"/v1/projects/{project}/fork", json={"version": 2, "name": "alt"})
    assert forked.status_code == 201, forked.text
    fork = forked.json()["id"]
    assert fork != project
    document = client.get(
        f"/v1/projects/{fork}", headers={"X-Stoat-After": str(forked.json()["position"])}
    ).json()
    assert document["name"] == "alt"
    assert document["origin"]["project_id"] == project
    assert document["origin"]["version"] == 2
    assert clips(document) == [("video-1", "a")]
    edit(client, fork, color("z", 1))
    assert clips(state(client, project)) == [("video-1", "a"), ("video-1", "b")]


def test_history_lists_each_batch_with_who_when_and_why(client: TestClient[Litestar]) -> None:
    project = new_project(client)
    edit(client, project, color("a", 1), color("b", 2), **{"X-Request-ID": "batch-1"})
    client.post(f"/v1/projects/{project}/undo", json={}, headers={"X-Request-ID": "undo-1"})
    items = client.get(f"/v1/projects/{project}/history").json()["items"]
    assert [item["version"] for item in items] == [1, 3, 4]
    assert [item["request_id"] for item in items][1:] == ["batch-1", "undo-1"]
    assert items[1]["events"] == ["ClipAdded", "ClipAdded"]
    assert items[1]["actor_name"] == "admin"
    assert all(item["summary"] and item["time"] for item in items)
    page = client.get(f"/v1/projects/{project}/history?limit=1").json()
    assert len(page["items"]) == 1
    assert page["next"] is not None


def test_diff_between_versions(client: TestClient[Litestar]) -> None:
    project = new_project(client)
    edit(client, project, color("a", 1))
    edit(client, project, {"op": "update_clip", "clip_id": "a", "duration": 3}, color("b", 1))
    diff = client.get(f"/v1/projects/{project}/diff?from=2&to=4")
    assert diff.status_code == 200, diff.text
    body = diff.json()
    assert (body["from"], body["to"]) == (2, 4)
    changes = body["changes"]
    assert "b" in str(changes["clips"]["added"])
    assert "a" in str(changes["clips"]["changed"])
    assert client.get(f"/v1/projects/{project}/diff?from=1&to=99").status_code == 422


def test_idempotency_keys_return_the_first_response(
    client: TestClient[Litestar], runtime: Runtime
) -> None:
    key = {"Idempotency-Key": "create-1"}
    first = client.post("/v1/projects", json={"name": "once"}, headers=key)
    again = client.post("/v1/projects", json={"name": "once"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = client.post("/v1/projects", json={"name": "twice"}, headers=key)
    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    project = first.json()["id"]
    before = count(runtime)
    one = edit(client, project, color("a", 1), **{"Idempotency-Key": "edit-1"})
    two = edit(client, project, color("a", 1), **{"Idempotency-Key": "edit-1"})
    assert one.json() == two.json()
    assert count(runtime) == before + 1
    changed = edit(client, project, color("b", 1), **{"Idempotency-Key": "edit-1"})
    assert changed.status_code == 422
    assert count(runtime) == before + 1


def test_concurrent_agents_lose_no_update(client: TestClient[Litestar]) -> None:
    """Read-modify-write with If-Match from several threads: every clip lands once."""
    project = new_project(client)
    agents, each = 4, 5
    errors: list[str] = []

    def agent(name: str) -> None:
        for index in range(each):
            while True:
                current = client.get(f"/v1/projects/{project}?version=1").json()["version"]
                latest = client.get(f"/v1/projects/{project}/history?limit=500").json()
                version = latest["items"][-1]["version"] if latest["items"] else current
                response = edit(
                    client, project, color(f"{name}-{index}", 1), **{"If-Match": f'"{version}"'}
                )
                if response.status_code == 200:
                    break
                if response.status_code != 412:
                    errors.append(response.text)
                    return

    threads = [threading.Thread(target=agent, args=(f"agent{i}",)) for i in range(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    final = state(client, project, 1 + agents * each)
    assert len(clips(final)) == agents * each


def test_stale_if_match_gets_412_with_the_current_version(client: TestClient[Litestar]) -> None:
    project = new_project(client)
    edit(client, project, color("a", 1))
    stale = edit(client, project, color("b", 1), **{"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    for path, body in [("undo", {}), ("restore", {"version": 1})]:
        response = client.post(
            f"/v1/projects/{project}/{path}", json=body, headers={"If-Match": '"1"'}
        )
        assert response.status_code == 412, path


def test_discovery_matches_what_the_server_accepts(client: TestClient[Litestar]) -> None:
    effects = client.get("/v1/effects").json()["items"]
    assert {effect["type"] for effect in effects} == set(_core.EFFECT_TYPES)
    for effect in effects:
        one = client.get(f"/v1/effects/{effect['type']}").json()
        assert one["parameters"]["type"] == "object"
        assert one["ai_hint"]
    assert client.get("/v1/effects/teleport").status_code == 404
    transitions = client.get("/v1/transitions").json()["items"]
    assert len(transitions) == 46
    layouts = client.get("/v1/layouts").json()["items"]
    assert {"pip", "side_by_side", "top_bottom", "grid_2x2", "grid_3x3"} <= {
        layout["type"] for layout in layouts
    }
    presets = client.get("/v1/presets").json()
    assert {p["name"] for p in presets["output"]} == {"16:9", "9:16", "1:1", "4:5"}
    schema = client.get("/schema/openapi.json", headers={"Authorization": ""}).json()
    edit_schema = schema["components"]["schemas"]["Edit"]
    ops = {_op(branch) for branch in edit_schema["oneOf"]}
    assert ops == set(_core.EDIT_OPS)
    assert '"#/$defs/' not in str(schema)


def _op(branch: dict[str, Any]) -> str:
    """An op's name; ops with kinds (add_clip, add_effect) nest one branch per kind."""
    if "properties" in branch:
        return str(branch["properties"]["op"]["const"])
    names = {_op(inner) for inner in branch["oneOf"]}
    assert len(names) == 1
    return names.pop()


def test_every_documented_example_edit_is_accepted(
    client: TestClient[Litestar], media_dir: Path
) -> None:
    """The examples an agent reads are edits the server takes (on a matching project)."""
    project = new_project(client)
    setup = [
        {"op": "add_clip", "clip_id": "clip-1", "source": str(media_dir / "red.mp4")},
        {"op": "add_track", "kind": "overlay", "track_id": "overlay-1"},
        {"op": "add_track", "kind": "audio", "track_id": "voice", "role": "voice"},
        {"op": "add_track", "kind": "audio", "track_id": "music", "role": "music"},
        *({"op": "add_track", "kind": "video", "track_id": f"video-{n}"} for n in range(2, 10)),
        *(color(f"clip-{n}", 4, track_id=f"video-{n}") for n in range(2, 10)),
    ]
    assert edit(client, project, *setup).status_code == 200
    examples = [
        e["example"]
        for e in client.get("/v1/effects").json()["items"]
        if "path" not in str(e["parameters"])
    ]
    examples += [layout["example"] for layout in client.get("/v1/layouts").json()["items"]]
    for example in examples:
        response = edit(client, project, example)
        assert response.status_code == 200, (example, response.text)
