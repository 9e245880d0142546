"""Tampering with the stored log, straight in the database file, is found by verify."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stoat.audit.checkpoint import checkpoint_message
from stoat.audit.signing import ServiceKey
from tests.audit._support import (
    EVENTS_TABLE,
    chain_hash_at,
    connect,
    event_state,
    positions_of,
    rechain,
    set_state,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import apsw
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.settings import Settings


def _build_log(client: TestClient[Litestar]) -> dict[str, Any]:
    """A project with edits, a checkpoint, then more edits; the checkpoint."""
    project = client.post("/v1/projects", json={"name": "audited"}).json()
    url = f"/v1/projects/{project['id']}/edits"
    for kind in ("audio", "video", "audio"):
        assert client.post(url, json={"edits": [{"op": "add_track", "kind": kind}]}).is_success
    checkpoint = client.post("/v1/audit/checkpoints")
    assert checkpoint.status_code == 201
    for kind in ("video", "audio"):
        assert client.post(url, json={"edits": [{"op": "add_track", "kind": kind}]}).is_success
    body: dict[str, Any] = checkpoint.json()
    return body


def _verify(client: TestClient[Litestar], **params: Any) -> dict[str, Any]:
    response = client.get("/v1/audit/verify", params=params)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_an_untouched_log_verifies(client: TestClient[Litestar]) -> None:
    checkpoint = _build_log(client)
    report = _verify(client)
    assert report["ok"] is True
    assert report["fault"] is None
    # Admin key, project, 3 edits, checkpoint, 2 edits.
    assert report["count"] == report["head"]["position"] == 8
    assert report["checkpoints"] == 1
    assert report["last_checkpoint"]["head"] == checkpoint["head"]
    assert report["unsigned_events"] == 8 - checkpoint["position"]
    # The head a third party kept checks out too.
    assert _verify(client, position=checkpoint["position"], head=checkpoint["head"])["ok"]


def _change_state(connection: apsw.Connection) -> int:
    state = event_state(connection, 4)
    state["data"]["track"]["name"] = "forged"
    set_state(connection, 4, state)
    return 4


def _delete(connection: apsw.Connection) -> int:
    connection.execute(f"DELETE FROM {EVENTS_TABLE} WHERE notification_id = 3")
    return 3


def _reorder(connection: apsw.Connection) -> int:
    # Events 4 and 5 trade places: each keeps its bytes and chain hash, under the
    # other's position.
    with connection:
        for old, new in ((4, -1), (5, 4), (-1, 5)):
            connection.execute(
                f"UPDATE {EVENTS_TABLE} SET notification_id = ? WHERE notification_id = ?",
                (new, old),
            )
    return 4


def _change_actor(connection: apsw.Connection) -> int:
    state = event_state(connection, 2)
    state["context"]["actor_name"] = "someone else"
    set_state(connection, 2, state)
    return 2


def _change_hash(connection: apsw.Connection) -> int:
    connection.execute(
        f"UPDATE {EVENTS_TABLE} SET chain_hash = zeroblob(32) WHERE notification_id = 7"
    )
    return 7


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (_change_state, "hash_mismatch"),
        (_change_actor, "hash_mismatch"),
        (_delete, "missing_event"),
        (_reorder, "hash_mismatch"),
        (_change_hash, "hash_mismatch"),
    ],
    ids=["change", "change-actor", "delete", "reorder", "change-hash"],
)
def test_a_changed_deleted_or_moved_row_is_found(
    client: TestClient[Litestar],
    settings: Settings,
    tamper: Callable[[apsw.Connection], int],
    code: str,
) -> None:
    _build_log(client)
    connection = connect(settings.events_db)
    try:
        position = tamper(connection)
    finally:
        connection.close()
    report = _verify(client)
    assert report["ok"] is False
    assert report["fault"]["position"] == position
    assert report["fault"]["code"] == code
    assert report["count"] == position - 1


def test_a_forged_checkpoint_signature_is_found(
    client: TestClient[Litestar], settings: Settings
) -> None:
    checkpoint = _build_log(client)
    at = checkpoint["recorded_at"]
    connection = connect(settings.events_db)
    try:
        state = event_state(connection, at)
        # Another head, "signed" with the old signature: a forgery.
        state["head"] = "0" * 64
        set_state(connection, at, state)
        # Edited in place, the row no longer matches its chain hash...
        fault = _verify(client)["fault"]
        assert (fault["position"], fault["code"]) == (at, "hash_mismatch")
        # ...and with the chain recomputed around it, the signature gives it away.
        rechain(connection)
    finally:
        connection.close()
    report = _verify(client)
    assert report["ok"] is False
    assert (report["fault"]["position"], report["fault"]["code"]) == (at, "bad_signature")


def test_a_rewritten_history_with_a_recomputed_chain_fails_the_checkpoint(
    client: TestClient[Litestar], settings: Settings
) -> None:
    checkpoint = _build_log(client)
    connection = connect(settings.events_db)
    try:
        _change_state(connection)
        rechain(connection)
    finally:
        connection.close()
    report = _verify(client)
    assert report["ok"] is False
    fault = report["fault"]
    assert (fault["position"], fault["code"]) == (checkpoint["position"], "checkpoint_mismatch")
    assert f"from 1 to {checkpoint['position']}" in fault["reason"]


def test_a_checkpoint_signed_with_another_key_is_not_trusted(
    client: TestClient[Litestar], settings: Settings
) -> None:
    checkpoint = _build_log(client)
    at = checkpoint["recorded_at"]
    forger = ServiceKey(Ed25519PrivateKey.generate())
    connection = connect(settings.events_db)
    try:
        _change_state(connection)
        rechain(connection)
        # The forger re-signs the rewritten head with a key of its own.
        head = chain_hash_at(connection, checkpoint["position"])
        state = event_state(connection, at)
        state.update(head=head.hex(), key_id=forger.key_id, public_key=forger.public_key)
        message = checkpoint_message(
            checkpoint["position"], state["head"], state["signed_at"], forger.key_id
        )
        state["signature"] = forger.sign(message)
        set_state(connection, at, state)
        rechain(connection)
    finally:
        connection.close()
    report = _verify(client)
    assert (report["fault"]["position"], report["fault"]["code"]) == (at, "untrusted_key")


def test_a_cut_off_tail_is_found_with_a_head_kept_elsewhere(
    client: TestClient[Litestar], settings: Settings
) -> None:
    _build_log(client)
    kept = client.post("/v1/audit/checkpoints").json()  # a third party keeps this one
    connection = connect(settings.events_db)
    try:
        connection.execute(
            f"DELETE FROM {EVENTS_TABLE} WHERE notification_id >= ?",
            (kept["position"],),
        )
    finally:
        connection.close()
    # What is left is a consistent, shorter log: nothing local can tell...
    assert _verify(client)["ok"] is True
    # ...but the head kept outside can.
    report = _verify(client, position=kept["position"], head=kept["head"])
    assert report["ok"] is False
    assert report["fault"]["code"] == "missing_event"


def test_verify_refuses_half_an_expectation(client: TestClient[Litestar]) -> None:
    response = client.get("/v1/audit/verify", params={"position": 3})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "query.head"


def test_every_event_type_verifies_after_a_busy_log(
    client: TestClient[Litestar], settings: Settings
) -> None:
    """Many checkpoints among many events: each one is checked against its position."""
    project = client.post("/v1/projects", json={"name": "busy"}).json()
    url = f"/v1/projects/{project['id']}/edits"
    for round_number in range(5):
        for _ in range(4):
            client.post(url, json={"edits": [{"op": "add_track", "kind": "audio"}]})
        assert client.post("/v1/audit/checkpoints").status_code == 201
        assert _verify(client)["checkpoints"] == round_number + 1
    connection = connect(settings.events_db)
    try:
        assert len(positions_of(connection, "CheckpointSigned")) == 5
    finally:
        connection.close()
    report = _verify(client)
    assert report["ok"] is True
    assert report["unsigned_events"] == 1  # the last checkpoint itself
    assert base64.b64decode(report["last_checkpoint"]["signature"])
