"""GET /v1/audit: a projection of every event, filtered, paginated, rebuilt from the log."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tests.audit._support import Agent
from tests.conftest import wait_for_render

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime


def _audit(client: TestClient[Litestar], *, after: int = 0, **params: Any) -> dict[str, Any]:
    headers = {"X-Stoat-After": str(after)}
    response = client.get("/v1/audit", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _everything(
    client: TestClient[Litestar], *, after: int = 0, **params: Any
) -> list[dict[str, Any]]:
    """Every page of the audit log, read once the views reach log position ``after``."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = _audit(
            client, after=after, **params, limit=2, **({"cursor": cursor} if cursor else {})
        )
        items.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            return items


def _setup(client: TestClient[Litestar]) -> dict[str, Any]:
    """Two agents, two projects, some edits; what the tests look for."""
    alice, bob = Agent(client, "edit", name="alice"), Agent(client, "edit", name="bob")
    one = client.post("/v1/projects", json={"name": "one"}, headers=alice.auth).json()
    two = client.post("/v1/projects", json={"name": "two"}, headers=bob.auth).json()
    edit = {"edits": [{"op": "add_track", "kind": "audio"}]}
    client.post(f"/v1/projects/{one['id']}/edits", json=edit, headers=alice.auth)
    last = client.post(
        f"/v1/projects/{two['id']}/edits",
        json=edit,
        headers={**bob.auth, "X-Request-ID": "req-bob-1", "Idempotency-Key": "idem-1"},
    ).json()
    client.get("/v1/projects", headers={"X-Stoat-After": str(last["position"])})
    return {"alice": alice, "bob": bob, "one": one["id"], "two": two["id"], "last": last}


def test_every_event_is_in_the_log_newest_first_with_who_and_why(
    client: TestClient[Litestar],
) -> None:
    found = _setup(client)
    items = _everything(client)
    positions = [item["position"] for item in items]
    assert positions == list(range(found["last"]["position"], 0, -1))
    newest = items[0]
    assert newest["type"] == "TrackAdded"
    assert newest["aggregate_type"] == "Project"
    assert newest["project_id"] == found["two"]
    assert newest["actor"] == found["bob"].key_id
    assert newest["actor_name"] == "bob"
    assert newest["request_id"] == "req-bob-1"
    assert newest["idempotency_key"] == "idem-1"
    assert newest["signature"] is None
    assert datetime.fromisoformat(newest["timestamp"]).tzinfo is not None
    assert items[-1]["type"] == "ApiKeyCreated"
    assert items[-1]["actor"] == "system"


def test_filters_by_project_actor_request_and_type(client: TestClient[Litestar]) -> None:
    found = _setup(client)
    one = _everything(client, project_id=found["one"])
    assert [item["type"] for item in one] == ["TrackAdded", "ProjectCreated"]
    assert {item["project_id"] for item in one} == {found["one"]}
    by_bob = _everything(client, actor=found["bob"].key_id)
    assert [item["type"] for item in by_bob] == ["TrackAdded", "ProjectCreated"]
    assert {item["actor_name"] for item in by_bob} == {"bob"}
    (request,) = _everything(client, request_id="req-bob-1")
    assert request["position"] == found["last"]["position"]
    keys = _everything(client, type="ApiKeyCreated")
    assert [item["actor_name"] for item in keys] == ["admin", "admin", "stoat"]
    both = _everything(client, actor=found["alice"].key_id, type="ProjectCreated")
    assert [item["project_id"] for item in both] == [found["one"]]
    assert _everything(client, project_id="nope") == []


def test_filters_by_time_range(client: TestClient[Litestar]) -> None:
    early = client.post("/v1/projects", json={"name": "early"}).json()
    time.sleep(0.05)
    middle = time.time()
    time.sleep(0.05)
    late = client.post("/v1/projects", json={"name": "late"}).json()
    client.get("/v1/projects", headers={"X-Stoat-After": str(late["position"])})
    since: dict[str, Any] = {"from": middle}  # "from" is a keyword in Python
    after = _everything(client, **since)
    assert [item["project_id"] for item in after] == [late["id"]]
    before = _everything(client, to=datetime.fromtimestamp(middle, UTC).isoformat())
    assert early["id"] in {item["project_id"] for item in before}
    assert late["id"] not in {item["project_id"] for item in before}
    between: dict[str, Any] = {"from": "2000-01-01T00:00:00Z", "to": middle}
    window = _everything(client, **between)
    assert window == before


def test_a_projects_log_includes_its_renders(client: TestClient[Litestar]) -> None:
    project = client.post("/v1/projects", json={"name": "rendered"}).json()
    url = f"/v1/projects/{project['id']}"
    clip = {"op": "add_clip", "kind": "color", "color": "navy", "duration": 0.5}
    assert client.post(f"{url}/edits", json={"edits": [clip]}).status_code == 200
    render = client.post(f"{url}/renders", json={})
    assert render.status_code == 202, render.text
    # Read after the render's request: the audit view is a projection of the log.
    items = _everything(client, after=render.json()["position"], project_id=project["id"])
    assert {item["aggregate_type"] for item in items} == {"Project", "RenderJob"}
    requested = next(item for item in items if item["type"] == "RenderRequested")
    assert requested["aggregate_id"] == render.json()["id"]
    # The render's later events carry no project id of their own: found by the render.
    started = wait_for_render(client, render.json())
    assert started["status"] in {"completed", "failed"}
    later = _everything(
        client, after=render.json()["position"], project_id=project["id"], type="RenderStarted"
    )
    assert [item["aggregate_id"] for item in later] == [render.json()["id"]]


def test_bad_filters_name_the_parameter(client: TestClient[Litestar]) -> None:
    for params, path in (
        ({"type": "NoSuchEvent"}, "query.type"),
        ({"from": "yesterday"}, "query.from"),
        ({"to": "soon"}, "query.to"),
        ({"cursor": "!!"}, "query.cursor"),
    ):
        response = client.get("/v1/audit", params=params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["path"] == path


def test_the_audit_log_needs_the_admin_scope(client: TestClient[Litestar]) -> None:
    for scope in ("read", "edit", "render"):
        agent = Agent(client, scope, name=f"only-{scope}")
        for path in ("/v1/audit", "/v1/audit/verify"):
            assert client.get(path, headers=agent.auth).status_code == 403
        assert client.post("/v1/audit/checkpoints", headers=agent.auth).status_code == 403
    public = client.get("/v1/audit/public-key", headers={"Authorization": ""})
    assert public.status_code == 200
    assert public.json()["alg"] == "ed25519"


def test_a_rebuild_gives_the_same_log(client: TestClient[Litestar], runtime: Runtime) -> None:
    _setup(client)
    client.post("/v1/audit/checkpoints")
    before = _everything(client)
    runtime.projector.stop()
    assert runtime.rebuild_projections() == before[0]["position"]
    assert _everything(client) == before
