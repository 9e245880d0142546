"""Helpers for the audit tests: an agent with its own Ed25519 key, and a DB tamperer."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any, cast

import apsw
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stoat.eventstore import GENESIS, chain_hash

if TYPE_CHECKING:
    from pathlib import Path

    import httpx
    from litestar import Litestar
    from litestar.testing import TestClient

EVENTS_TABLE = "stoat_events"


class Agent:
    """An API key plus the Ed25519 key pair its holder signs edits with."""

    def __init__(self, client: TestClient[Litestar], *scopes: str, name: str = "agent") -> None:
        created = client.post("/v1/keys", json={"name": name, "scopes": list(scopes)}).json()
        self.client = client
        self.token: str = created["key"]
        self.key_id: str = created["id"]
        self.private_key = Ed25519PrivateKey.generate()
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public_key = base64.b64encode(raw).decode()

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private_key.sign(message)).decode()

    def register(self, *, required: bool = True, proof: str | None = None) -> httpx.Response:
        message = f"stoat-public-key-v1\n{self.key_id}\n{self.public_key}".encode()
        body = {"public_key": self.public_key, "proof": proof or self.sign(message)}
        return self.client.put(
            "/v1/keys/me/public-key", json={**body, "required": required}, headers=self.auth
        )

    def edits(
        self,
        project_id: str,
        edits: list[dict[str, Any]],
        *,
        key: str | None = "k-1",
        signature: str | None = None,
        sign_key: str | None = None,
        sign: bool = True,
    ) -> httpx.Response:
        """POST edits as this agent, signed over the exact body bytes sent."""
        path = f"/v1/projects/{project_id}/edits"
        body = json.dumps({"edits": edits}).encode()
        headers = {**self.auth, "Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        if sign:
            signed_key = sign_key if sign_key is not None else (key or "")
            digest = hashlib.sha256(body).hexdigest()
            message = f"stoat-edits-v1\nPOST\n{path}\n{signed_key}\n{digest}".encode()
            headers["Stoat-Signature"] = signature or f"ed25519={self.sign(message)}"
        return self.client.post(path, content=body, headers=headers)


def connect(events_db: Path) -> apsw.Connection:
    """A connection of our own to the event store file, as a tamperer would open one."""
    connection = apsw.Connection(str(events_db))
    connection.set_busy_timeout(10_000)
    return connection


def event_state(connection: apsw.Connection, position: int) -> dict[str, Any]:
    row = connection.execute(
        f"SELECT state FROM {EVENTS_TABLE} WHERE notification_id = ?",
        (position,),
    ).fetchone()
    assert row is not None
    state: dict[str, Any] = json.loads(bytes(row[0]))
    return state


def set_state(connection: apsw.Connection, position: int, state: dict[str, Any]) -> None:
    connection.execute(
        f"UPDATE {EVENTS_TABLE} SET state = ? WHERE notification_id = ?",
        (json.dumps(state, separators=(",", ":")).encode(), position),
    )


def rechain(connection: apsw.Connection) -> None:
    """Recompute every chain hash, as a tamperer who knows the scheme would."""
    rows = cast(
        "list[tuple[int, str, int, str, bytes]]",
        connection.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {EVENTS_TABLE} ORDER BY notification_id"
        ).fetchall(),
    )
    previous = GENESIS
    with connection:
        for row in rows:
            previous = chain_hash(previous, row)
            connection.execute(
                f"UPDATE {EVENTS_TABLE} SET chain_hash = ? WHERE notification_id = ?",
                (previous, row[0]),
            )


def chain_hash_at(connection: apsw.Connection, position: int) -> bytes:
    row = connection.execute(
        f"SELECT chain_hash FROM {EVENTS_TABLE} WHERE notification_id = ?",
        (position,),
    ).fetchone()
    assert row is not None
    return bytes(cast("bytes", row[0]))


def positions_of(connection: apsw.Connection, event_type: str) -> list[int]:
    return [
        int(row[0])
        for row in connection.execute(
            f"SELECT notification_id FROM {EVENTS_TABLE} WHERE topic LIKE ? "
            "ORDER BY notification_id",
            (f"%.{event_type}",),
        )
    ]
