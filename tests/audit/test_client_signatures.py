"""Agents sign their edits: checked before the append, kept with the events, checkable later."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any, cast

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.audit._support import EVENTS_TABLE, Agent, connect

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.settings import Settings

TRACK = [{"op": "add_track", "kind": "audio"}]


@pytest.fixture
def agent(client: TestClient[Litestar]) -> Agent:
    return Agent(client, "edit", "read", name="cutter")


@pytest.fixture
def project_id(client: TestClient[Litestar], agent: Agent) -> str:
    response = client.post("/v1/projects", json={"name": "signed"}, headers=agent.auth)
    assert response.status_code == 201
    return str(response.json()["id"])


def _log_version(client: TestClient[Litestar], project_id: str) -> int:
    events = client.get("/v1/events", params={"limit": 1000}).json()["items"]
    return max(int(e["version"]) for e in events if e["aggregate_id"] == project_id)


def test_a_signed_edit_is_applied_and_its_signature_checks_out_independently(
    client: TestClient[Litestar], settings: Settings, agent: Agent, project_id: str
) -> None:
    assert agent.register().status_code == 200
    edits = [{"op": "add_track", "kind": "audio"}, {"op": "add_track", "kind": "video"}]
    response = agent.edits(project_id, edits, key="batch-1")
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 3
    body = json.dumps({"edits": edits}).encode()

    # Straight from the database file, with nothing of Stoat's but the documented format.
    connection = connect(settings.events_db)
    try:
        rows = connection.execute(
            f"SELECT state FROM {EVENTS_TABLE} WHERE originator_id = ? "
            "AND originator_version > 1 ORDER BY originator_version",
            (project_id.replace("-", ""),),
        ).fetchall()
        registered = connection.execute(
            f"SELECT state FROM {EVENTS_TABLE} WHERE topic LIKE '%.PublicKeyRegistered'"
        ).fetchone()
    finally:
        connection.close()
    assert len(rows) == 2
    assert registered is not None
    public_key = json.loads(cast("bytes", registered[0]))["public_key"]
    for (state,) in rows:
        context: dict[str, Any] = json.loads(cast("bytes", state))["context"]
        signature = context["signature"]
        assert signature["public_key"] == public_key
        assert signature["body_sha256"] == hashlib.sha256(body).hexdigest()
        message = "\n".join(
            [
                "stoat-edits-v1",
                "POST",
                signature["path"],
                context["idempotency_key"],
                signature["body_sha256"],
            ]
        ).encode()
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        key.verify(base64.b64decode(signature["value"]), message)  # raises if forged
        with pytest.raises(InvalidSignature):
            key.verify(base64.b64decode(signature["value"]), message + b" ")
        assert context["actor"] == agent.key_id


def test_the_event_log_and_the_audit_log_show_the_signature(
    client: TestClient[Litestar], agent: Agent, project_id: str
) -> None:
    agent.register()
    position = agent.edits(project_id, TRACK).json()["position"]
    items = client.get(
        "/v1/audit",
        params={"project_id": project_id, "actor": agent.key_id},
        headers={"X-Stoat-After": str(position)},
    ).json()["items"]
    assert [item["type"] for item in items] == ["TrackAdded", "ProjectCreated"]
    assert items[0]["signature"]["public_key"] == agent.public_key
    assert items[0]["idempotency_key"] == "k-1"
    assert items[1]["signature"] is None


@pytest.mark.parametrize(
    ("change", "code", "header"),
    [
        ({"sign": False}, "signature_required", "Stoat-Signature"),
        (
            {"signature": "ed25519=" + base64.b64encode(bytes(64)).decode()},
            "signature_invalid",
            "Stoat-Signature",
        ),
        ({"sign_key": "another-key"}, "signature_invalid", "Stoat-Signature"),
        ({"key": None}, "signature_needs_idempotency_key", "Idempotency-Key"),
        ({"signature": "rsa=abc"}, "signature_malformed", "Stoat-Signature"),
        ({"signature": "ed25519=not base64!"}, "signature_malformed", "Stoat-Signature"),
        (
            {"signature": "ed25519=" + base64.b64encode(bytes(10)).decode()},
            "signature_malformed",
            "Stoat-Signature",
        ),
    ],
    ids=[
        "missing",
        "wrong",
        "other-idempotency-key",
        "no-idempotency-key",
        "not-ed25519",
        "not-base64",
        "too-short",
    ],
)
def test_a_bad_signature_is_a_401_naming_the_header_and_appends_nothing(
    client: TestClient[Litestar],
    agent: Agent,
    project_id: str,
    change: dict[str, Any],
    code: str,
    header: str,
) -> None:
    agent.register()
    before = client.get("/v1/events", params={"limit": 1000}).json()["items"]
    response = agent.edits(project_id, TRACK, **change)
    assert response.status_code == 401, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == code
    assert problem["errors"][0]["path"] == f"headers.{header}"
    assert header in problem["detail"]
    assert client.get("/v1/events", params={"limit": 1000}).json()["items"] == before


def test_a_body_changed_after_signing_is_refused(
    client: TestClient[Litestar], agent: Agent, project_id: str
) -> None:
    agent.register()
    path = f"/v1/projects/{project_id}/edits"
    signed = json.dumps({"edits": TRACK}).encode()
    digest = hashlib.sha256(signed).hexdigest()
    signature = agent.sign(f"stoat-edits-v1\nPOST\n{path}\nk-9\n{digest}".encode())
    sent = json.dumps({"edits": [{"op": "add_track", "kind": "video"}]}).encode()
    response = client.post(
        path,
        content=sent,
        headers={
            **agent.auth,
            "Content-Type": "application/json",
            "Idempotency-Key": "k-9",
            "Stoat-Signature": f"ed25519={signature}",
        },
    )
    assert response.status_code == 401
    assert response.json()["code"] == "signature_invalid"


def test_a_replayed_signed_request_appends_nothing_more(
    client: TestClient[Litestar], agent: Agent, project_id: str
) -> None:
    agent.register()
    first = agent.edits(project_id, TRACK, key="once")
    again = agent.edits(project_id, TRACK, key="once")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert _log_version(client, project_id) == 2


def test_optional_signatures_let_unsigned_edits_through_and_still_check_signed_ones(
    client: TestClient[Litestar], agent: Agent, project_id: str
) -> None:
    assert agent.register(required=False).json()["required"] is False
    assert agent.edits(project_id, TRACK, sign=False).status_code == 200
    assert agent.edits(project_id, TRACK, key="k-2").status_code == 200
    bad = agent.edits(project_id, TRACK, key="k-3", sign_key="k-4")
    assert bad.status_code == 401


def test_without_a_registered_key_a_signature_is_refused_and_none_is_needed(
    agent: Agent, project_id: str
) -> None:
    assert agent.edits(project_id, TRACK, sign=False).status_code == 200
    response = agent.edits(project_id, TRACK, key="k-2")
    assert response.status_code == 401
    assert response.json()["code"] == "signature_key_unregistered"


def test_registration_needs_a_valid_key_and_proof_of_holding_it(
    client: TestClient[Litestar], agent: Agent
) -> None:
    response = agent.register(proof=agent.sign(b"something else"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "proof"
    response = client.put(
        "/v1/keys/me/public-key",
        json={"public_key": "abc", "proof": agent.sign(b"x")},
        headers=agent.auth,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "public_key"
    reader = Agent(client, "read", name="reader")
    assert reader.register().status_code == 403  # registering is for keys that edit


def test_a_new_key_replaces_the_old_one_and_old_edits_keep_theirs(
    client: TestClient[Litestar], agent: Agent, project_id: str
) -> None:
    agent.register()
    old_public_key = agent.public_key
    assert agent.edits(project_id, TRACK, key="a").status_code == 200
    rotated = Agent.__new__(Agent)
    rotated.__dict__.update(agent.__dict__)
    fresh = Agent(client, "read", name="throwaway")  # only for a new key pair
    rotated.private_key, rotated.public_key = fresh.private_key, fresh.public_key
    assert rotated.register().status_code == 200
    assert agent.edits(project_id, TRACK, key="b").status_code == 401  # the old key
    assert rotated.edits(project_id, TRACK, key="c").status_code == 200
    items = client.get(
        "/v1/audit",
        params={"project_id": project_id, "type": "TrackAdded"},
        headers={"X-Stoat-After": "0"},
    ).json()["items"]
    keys = [item["signature"]["public_key"] for item in items]
    # Newest first: the last edit under the new key, the first under the old one.
    assert keys[0] == fresh.public_key
    assert keys[-1] == old_public_key
    listed = client.get("/v1/keys").json()["items"]
    mine = next(item for item in listed if item["id"] == agent.key_id)
    assert mine["public_key"] == fresh.public_key
    assert mine["signatures_required"] is True
    assert mine["revoked"] is False


def test_the_openapi_document_describes_the_header_exactly(client: TestClient[Litestar]) -> None:
    document = client.get("/schema/openapi.json").json()
    operation = document["paths"]["/v1/projects/{project_id}/edits"]["post"]
    (header,) = [p for p in operation["parameters"] if p["name"] == "Stoat-Signature"]
    assert header["in"] == "header"
    assert header["required"] is False
    for line in ("stoat-edits-v1", "POST", "Idempotency-Key", "SHA-256", "ed25519="):
        assert line in header["description"]
    assert "/v1/keys/me/public-key" in document["paths"]
