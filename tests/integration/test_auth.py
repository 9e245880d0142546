"""API keys, scopes and who-did-what, over HTTP and the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from stoat.http.app import ROUTES
from stoat.http.auth import READ_METHODS
from stoat.runtime import Runtime
from tests.conftest import ADMIN_KEY

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.settings import Settings

SCOPES = ("read", "edit", "render", "admin")


def make_key(client: TestClient[Litestar], *scopes: str, name: str = "agent") -> str:
    response = client.post("/v1/keys", json={"name": name, "scopes": list(scopes)})
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


def as_key(client: TestClient[Litestar], key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {"Authorization": ""}


def test_missing_and_unknown_keys_are_401(client: TestClient[Litestar]) -> None:
    for headers in (
        {"Authorization": ""},
        {"Authorization": "Bearer stoat_nope"},
        {"Authorization": "Basic abc"},
    ):
        response = client.get("/v1/projects", headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"].startswith("application/problem+json")


def test_open_endpoints_need_no_key(client: TestClient[Litestar]) -> None:
    bare = {"Authorization": ""}
    assert client.get("/health/live", headers=bare).status_code == 200
    assert client.get("/health/ready", headers=bare).status_code == 200
    assert client.get("/schema/openapi.json", headers=bare).status_code == 200


def test_a_key_without_the_scope_is_403(client: TestClient[Litestar]) -> None:
    reader = make_key(client, "read")
    response = client.post("/v1/projects", json={"name": "x"}, headers=as_key(client, reader))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "edit" in response.json()["detail"]
    assert client.get("/v1/projects", headers=as_key(client, reader)).status_code == 200


def test_revoked_keys_stop_working(client: TestClient[Litestar]) -> None:
    created = client.post("/v1/keys", json={"name": "temp", "scopes": ["read"]}).json()
    headers = as_key(client, created["key"])
    assert client.get("/v1/projects", headers=headers).status_code == 200
    assert client.delete(f"/v1/keys/{created['id']}").status_code == 200
    assert client.get("/v1/projects", headers=headers).status_code == 401
    listed = client.get("/v1/keys", headers={"X-Stoat-After": "0"}).json()["items"]
    assert all("key" not in item and "secret_hash" not in item for item in listed)


def test_bad_key_requests_name_the_field(client: TestClient[Litestar]) -> None:
    response = client.post("/v1/keys", json={"name": "x", "scopes": ["fly"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "scopes"


def test_events_record_the_actor_and_request(
    client: TestClient[Litestar], runtime: Runtime
) -> None:
    editor = make_key(client, "edit", name="cutter")
    response = client.post(
        "/v1/projects",
        json={"name": "who"},
        headers={**as_key(client, editor), "X-Request-ID": "req-42", "Idempotency-Key": "k1"},
    )
    assert response.status_code == 201
    app = runtime.services.app
    (event,) = app.events.get(_uuid(response.json()["id"]))
    assert event.context["actor_name"] == "cutter"  # type: ignore[attr-defined]
    assert event.context["request_id"] == "req-42"  # type: ignore[attr-defined]
    assert event.context["idempotency_key"] == "k1"  # type: ignore[attr-defined]
    assert len(event.context["actor"]) == 36  # type: ignore[attr-defined]


def _uuid(text: str) -> Any:
    from uuid import UUID

    return UUID(text)


def test_admin_key_is_provisioned_once(settings: Settings) -> None:
    runtime = Runtime(settings)
    try:
        assert runtime.provision_admin_key() == ADMIN_KEY
        assert runtime.provision_admin_key() is None
        assert (settings.data_dir / "admin.key").read_text().strip() == ADMIN_KEY
        assert (settings.data_dir / "admin.key").stat().st_mode & 0o777 == 0o600
    finally:
        runtime.stop()


def test_two_nodes_starting_at_once_provision_the_admin_key_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second node's look at the log came before the first one's key was stored."""
    runtime = Runtime(settings)
    try:
        assert runtime.provision_admin_key() == ADMIN_KEY
        app = runtime.services.app
        monkeypatch.setattr(app.recorder, "select_notifications", lambda **_: [])
        assert runtime.provision_admin_key() is None
        keys = runtime.services.keys
        keys.forget()
        assert keys.authenticate(ADMIN_KEY) is not None
    finally:
        runtime.stop()


def test_cli_creates_lists_and_revokes_keys(settings: Settings) -> None:
    def stoat(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stoat.cli", *args, "--data-dir", str(settings.data_dir)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "STOAT_ADMIN_KEY": ""},
        )

    created = stoat("keys", "create", "--name", "ci-bot", "--scopes", "read,render")
    assert created.returncode == 0, created.stderr
    fields = dict(line.split(": ", 1) for line in created.stdout.splitlines())
    assert fields["key"].startswith("stoat_")
    listed = stoat("keys", "list")
    assert fields["id"] in listed.stdout
    assert "active" in listed.stdout
    assert "render" in listed.stdout
    assert fields["key"] not in listed.stdout
    assert stoat("keys", "revoke", fields["id"]).returncode == 0
    assert "revoked" in stoat("keys", "list").stdout
    assert stoat("keys", "create", "--name", "x", "--scopes", "fly").returncode == 2


def _routes() -> list[tuple[str, str, str]]:
    """Every guarded route: (method, path with dummy ids, scope it needs)."""
    found: list[tuple[str, str, str]] = []
    for handler in ROUTES:
        if handler.opt.get("public"):
            continue
        for path in handler.paths:
            concrete = re.sub(r"\{\w+:\w+\}", "x", path)
            for method in sorted(handler.http_methods):
                default = "read" if method in READ_METHODS else "edit"
                found.append((method, concrete, str(handler.opt.get("scope", default))))
    return found


@pytest.mark.parametrize("scope", SCOPES)
def test_auth_matrix_every_route_against_every_scope(
    client: TestClient[Litestar], live_server: str, scope: str
) -> None:
    key = make_key(client, scope, name=f"matrix-{scope}")
    for method, path, needed in _routes():
        if path.endswith("/stream"):
            # Event streams never end: read the status over a real connection, hang up.
            url = live_server + path
            with httpx.stream(method, url, headers=as_key(client, key), timeout=10) as response:
                status = response.status_code
        else:
            status = client.request(method, path, headers=as_key(client, key), json={}).status_code
        allowed = scope in {needed, "admin"}
        if allowed:
            assert status not in {401, 403}, (method, path, scope)
        else:
            assert status == 403, (method, path, scope, status)
