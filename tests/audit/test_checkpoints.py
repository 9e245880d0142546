"""Signed checkpoints: the service key, periodic and on-demand signing."""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.persistence import IntegrityError
from litestar.testing import TestClient

from stoat.audit.checkpoint import (
    AuditCheckpoint,
    chain_recorder,
    checkpoint_message,
    sign_checkpoint,
)
from stoat.audit.signing import KEY_FILE, KeyFormatError, ServiceKey, service_key
from stoat.eventstore import GENESIS
from stoat.http.app import create_app
from stoat.runtime import Runtime
from tests.conftest import ADMIN_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator

    from litestar import Litestar

    from stoat.settings import Settings


def test_the_first_start_makes_a_private_key_file_and_later_starts_reuse_it(
    settings: Settings,
) -> None:
    first = Runtime(settings)
    first.stop()
    path = settings.data_dir / KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    key = service_key(settings)
    assert ServiceKey.from_text(path.read_text()).public_key == key.public_key
    # Another process, another read of the same file: the same key.
    assert ServiceKey.from_text(path.read_text()).key_id == key.key_id


@pytest.mark.parametrize("form", ["pem", "seed"])
def test_a_configured_key_is_used_and_nothing_is_written(settings: Settings, form: str) -> None:
    private = Ed25519PrivateKey.generate()
    key = ServiceKey(private)
    text = (
        key.pem().decode()
        if form == "pem"
        else base64.b64encode(private.private_bytes_raw()).decode()
    )
    configured = msgspec.structs.replace(settings, signing_key=text)
    assert service_key(configured).public_key == key.public_key
    assert not (settings.data_dir / KEY_FILE).exists()


def test_a_malformed_configured_key_is_refused() -> None:
    for text in ("nonsense", base64.b64encode(bytes(31)).decode(), "-----BEGIN junk"):
        with pytest.raises(KeyFormatError):
            ServiceKey.from_text(text)


def test_the_public_key_is_published_openly(
    client: TestClient[Litestar], settings: Settings
) -> None:
    response = client.get("/v1/audit/public-key", headers={"Authorization": ""})
    assert response.status_code == 200
    body = response.json()
    key = service_key(settings)
    assert (body["key_id"], body["public_key"]) == (key.key_id, key.public_key)
    assert body["pem"].startswith("-----BEGIN PUBLIC KEY-----")


def test_a_checkpoint_on_demand_is_signed_and_verifiable_by_anyone(
    client: TestClient[Litestar],
) -> None:
    client.post("/v1/projects", json={"name": "x"})
    made = client.post("/v1/audit/checkpoints")
    assert made.status_code == 201
    checkpoint = made.json()
    public = client.get("/v1/audit/public-key").json()
    message = (
        "stoat-audit-checkpoint-v1\n"
        f"position={checkpoint['position']}\n"
        f"head={checkpoint['head']}\n"
        f"signed_at={checkpoint['signed_at']}\n"
        f"key_id={checkpoint['key_id']}"
    ).encode()
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public["public_key"]))
    key.verify(base64.b64decode(checkpoint["signature"]), message)
    assert checkpoint["recorded_at"] == checkpoint["position"] + 1
    # Nothing new since: the same checkpoint again, and no new event.
    again = client.post("/v1/audit/checkpoints")
    assert again.status_code == 200
    assert again.json() == checkpoint
    events = client.get("/v1/events", params={"types": "CheckpointSigned"}).json()["items"]
    assert [e["data"]["head"] for e in events] == [checkpoint["head"]]
    assert events[0]["actor_name"] == "admin"


def test_two_signers_of_one_head_collide_and_one_gives_way(runtime: Runtime) -> None:
    app, key = runtime.services.app, service_key(runtime.settings)
    position, head = chain_recorder(app).chain_head()
    app.save(AuditCheckpoint.sign(key, position, head, {}))
    with pytest.raises(IntegrityError):
        app.save(AuditCheckpoint.sign(key, position, head, {}))
    document, made = sign_checkpoint(app, key)
    assert not made
    assert document["position"] == position


def test_the_message_format_is_stable() -> None:
    assert checkpoint_message(7, GENESIS.hex(), "2026-01-01T00:00:00+00:00", "abcd") == (
        b"stoat-audit-checkpoint-v1\nposition=7\nhead="
        + b"0" * 64
        + b"\nsigned_at=2026-01-01T00:00:00+00:00\nkey_id=abcd"
    )


@pytest.fixture
def signing_runtime(settings: Settings, request: pytest.FixtureRequest) -> Iterator[Runtime]:
    every_events, every_seconds = request.param
    configured = msgspec.structs.replace(
        settings, audit_checkpoint_events=every_events, audit_checkpoint_seconds=every_seconds
    )
    runtime = Runtime(configured)
    runtime.provision_admin_key()
    runtime.start()
    try:
        yield runtime
    finally:
        runtime.stop()


def _checkpoints(client: TestClient[Litestar]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        "/v1/events", params={"types": "CheckpointSigned"}
    ).json()["items"]
    return items


def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("signing_runtime", [(5, 0)], indirect=True)
def test_the_checkpointer_signs_every_n_events(signing_runtime: Runtime) -> None:
    with TestClient(create_app(signing_runtime.services)) as client:
        client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        project = client.post("/v1/projects", json={"name": "counted"}).json()
        for _ in range(3):
            client.post(
                f"/v1/projects/{project['id']}/edits",
                json={"edits": [{"op": "add_track", "kind": "audio"}]},
            )
        # Admin key, project, 3 edits: five events, so one checkpoint of position 5.
        _wait_for(lambda: len(_checkpoints(client)) == 1)
        assert _checkpoints(client)[0]["data"]["position"] == 5
        time.sleep(0.3)
        assert len(_checkpoints(client)) == 1  # a checkpoint does not count itself
        assert client.get("/v1/audit/verify").json()["checkpoints"] == 1


@pytest.mark.parametrize("signing_runtime", [(0, 0.2)], indirect=True)
def test_the_checkpointer_signs_on_a_timer_while_events_arrive(signing_runtime: Runtime) -> None:
    with TestClient(create_app(signing_runtime.services)) as client:
        client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        _wait_for(lambda: len(_checkpoints(client)) == 1)  # the admin key's event
        client.post("/v1/projects", json={"name": "timed"})
        _wait_for(lambda: len(_checkpoints(client)) == 2)
        # An idle log gets no more: each checkpoint would only vouch for the last one.
        time.sleep(0.6)
        assert len(_checkpoints(client)) == 2
        report = client.get("/v1/audit/verify").json()
        assert report["ok"] is True
        assert report["checkpoints"] == 2
