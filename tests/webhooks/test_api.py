"""The webhook endpoints: create, list, read, delete, bad input, secrets, scopes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.integration.test_auth import as_key, make_key
from tests.webhooks.conftest import make_project, read_when, subscribe

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime
    from tests.webhooks._receiver import Receiver

WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_create_returns_the_secret_once_and_lists_without_it(
    client: TestClient[Litestar], receiver: Receiver
) -> None:
    created = subscribe(client, receiver, ["ProjectCreated", "RenderCompleted", "ProjectCreated"])
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["ProjectCreated", "RenderCompleted"]
    assert created["status"] == "active"
    assert created["url"] == receiver.url
    after = {"X-Stoat-After": str(created["position"])}
    listed = client.get("/v1/webhooks", headers=after).json()
    (item,) = listed["items"]
    assert listed["next"] is None
    assert item["id"] == created["id"]
    assert item["url"] == receiver.url
    assert item["status"] == "active"
    assert item["created_by_name"] == "admin"
    one = client.get(f"/v1/webhooks/{created['id']}", headers=after).json()
    assert one == item
    for document in (item, *_events(client, "WebhookCreated")):
        assert created["secret"] not in str(document)
        assert "secret" not in str(document)


def _events(client: TestClient[Litestar], types: str) -> list[dict[str, Any]]:
    return list(client.get("/v1/events", params={"types": types}).json()["items"])


def test_the_secret_is_not_stored_in_clear(
    client: TestClient[Litestar], receiver: Receiver, runtime: Runtime
) -> None:
    created = subscribe(client, receiver)
    data_dir = runtime.settings.data_dir
    key = created["secret"].removeprefix("whsec_").encode()
    for path in data_dir.glob("*.db*"):
        assert key not in path.read_bytes(), path
    assert (data_dir / "webhooks.key").stat().st_mode & 0o777 == 0o600


def test_a_given_secret_signs_the_deliveries(
    client: TestClient[Litestar], receiver: Receiver
) -> None:
    created = subscribe(client, receiver, secret=WHSEC)
    assert created["secret"] == WHSEC
    make_project(client, "signed")
    (request,) = receiver.wait_accepted(1)
    assert request.error is None


def test_an_idempotent_retry_returns_the_same_subscription_and_secret(
    client: TestClient[Litestar], receiver: Receiver
) -> None:
    body = {"url": receiver.url, "event_types": ["ProjectCreated"]}
    headers = {"Idempotency-Key": "hook-1"}
    first = client.post("/v1/webhooks", json=body, headers=headers)
    again = client.post("/v1/webhooks", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(_events(client, "WebhookCreated")) == 1
    other = client.post("/v1/webhooks", json={**body, "event_types": ["*"]}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


BAD_INPUT: list[tuple[dict[str, Any], list[str], str]] = [
    ({"url": "ftp://example.com/x", "event_types": ["*"]}, ["url"], "url_scheme_not_allowed"),
    ({"url": "not a url", "event_types": ["*"]}, ["url"], "url_scheme_not_allowed"),
    ({"url": "http:///nohost", "event_types": ["*"]}, ["url"], "invalid_url"),
    ({"url": "http://u:p@127.0.0.1/", "event_types": ["*"]}, ["url"], "invalid_url"),
    ({"url": "http://127.0.0.1:99999/", "event_types": ["*"]}, ["url"], "invalid_url"),
    ({"url": "http://no-such-host.invalid/", "event_types": ["*"]}, ["url"], "url_unresolvable"),
    ({"url": "http://127.0.0.1/", "event_types": []}, ["event_types"], "event_types_empty"),
    (
        {"url": "http://127.0.0.1/", "event_types": ["ProjectCreated", "Nope"]},
        ["event_types[1]"],
        "unknown_event_type",
    ),
    (
        {"url": "http://127.0.0.1/", "event_types": ["WebhookDelivered"]},
        ["event_types[0]"],
        "unknown_event_type",
    ),
    (
        {"url": "http://127.0.0.1/", "event_types": ["*"], "secret": "hunter2"},
        ["secret"],
        "invalid_secret",
    ),
    (
        {"url": "gopher://x", "event_types": ["Nope"], "secret": "whsec_!"},
        ["url", "event_types[0]", "secret"],
        "validation_failed",
    ),
    ({"url": 5, "event_types": ["*"]}, ["url"], "wrong_type"),
    ({"url": "http://127.0.0.1/"}, ["event_types"], "missing_field"),
    ({"url": "http://127.0.0.1/", "event_types": ["*"], "x": 1}, ["x"], "unknown_field"),
    ({"url": "http://127.0.0.1/", "event_types": "*"}, ["event_types"], "wrong_type"),
]


def test_bad_input_is_422_naming_the_fields(client: TestClient[Litestar]) -> None:
    for body, paths, code in BAD_INPUT:
        response = client.post("/v1/webhooks", json=body)
        assert response.status_code == 422, (body, response.text)
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert problem["code"] == code, body
        found = [error["path"] for error in problem["errors"]]
        assert found == paths, body
        assert all(error["hint"] for error in problem["errors"]), body
    assert client.get("/v1/events", params={"types": "WebhookCreated"}).json()["items"] == []


def test_unknown_webhooks_are_404(client: TestClient[Litestar]) -> None:
    for method, path in (
        ("GET", "/v1/webhooks/nope"),
        ("DELETE", "/v1/webhooks/nope"),
        ("POST", "/v1/webhooks/nope/enable"),
        ("GET", "/v1/webhooks/2b1d3a4e-0000-4000-8000-000000000000/deliveries"),
    ):
        response = client.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "webhook_not_found"


def test_webhooks_need_the_admin_scope(client: TestClient[Litestar], receiver: Receiver) -> None:
    editor = as_key(client, make_key(client, "edit", "read", "render"))
    body = {"url": receiver.url, "event_types": ["*"]}
    assert client.post("/v1/webhooks", json=body, headers=editor).status_code == 403
    assert client.get("/v1/webhooks", headers=editor).status_code == 403
    created = subscribe(client, receiver)
    url = f"/v1/webhooks/{created['id']}"
    assert client.get(f"{url}/deliveries", headers=editor).status_code == 403
    assert client.delete(url, headers=editor).status_code == 403


def test_lists_page_with_cursors(client: TestClient[Litestar], receiver: Receiver) -> None:
    ids = [subscribe(client, receiver, secret=WHSEC)["id"] for _ in range(3)]
    position = str(client.get("/v1/events", params={"limit": 1000}).json()["items"][-1]["id"])
    page = client.get("/v1/webhooks", params={"limit": 2}, headers={"X-Stoat-After": position})
    first = page.json()
    assert [item["id"] for item in first["items"]] == ids[::-1][:2]
    rest = client.get("/v1/webhooks", params={"limit": 2, "cursor": first["next"]}).json()
    assert [item["id"] for item in rest["items"]] == ids[:1]
    assert rest["next"] is None
    bad = client.get("/v1/webhooks", params={"cursor": "%%%"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "query.cursor"
    # Deliveries page the same way, newest event first.
    for i in range(3):
        make_project(client, f"paged{i}")
    receiver.wait_accepted(9)
    url = f"/v1/webhooks/{ids[0]}/deliveries"
    read_when(client, url, lambda body: len(body["items"]) == 3)
    page = client.get(url, params={"limit": 2}).json()
    assert len(page["items"]) == 2
    assert page["items"][0]["event_id"] > page["items"][1]["event_id"]
    rest = client.get(url, params={"limit": 2, "cursor": page["next"]}).json()
    assert len(rest["items"]) == 1
    assert client.get(url, params={"status": "retrying"}).json()["items"] == []
    assert client.get(url, params={"status": "bogus"}).status_code == 422
