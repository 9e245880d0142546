"""Logs: JSON lines carrying request id, actor, project id; the request id in messages."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import structlog
from eventsourcing.persistence import Notification

from stoat.observability.context import recorded_request_id
from tests.conftest import ADMIN_KEY

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime

CONFIGURED = """
import logging, structlog
from stoat.logs import configure_logging
configure_logging("DEBUG")
structlog.contextvars.bind_contextvars(request_id="r-1", actor="k-1", job_id="j-1")
structlog.get_logger("t").debug("ffmpeg_argv", argv=["ffmpeg", "-i", "a b.mp4"])
logging.getLogger("dramatiq.worker").info("from the standard library")
configure_logging("INFO")
structlog.get_logger("t").debug("hidden")
"""


def test_configured_logs_are_json_lines_with_the_context() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CONFIGURED], check=True, capture_output=True, text=True, timeout=60
    ).stderr
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2, out
    first, second = lines
    assert first["event"] == "ffmpeg_argv"
    assert first["argv"] == ["ffmpeg", "-i", "a b.mp4"]
    assert (first["level"], first["request_id"], first["actor"], first["job_id"]) == (
        "debug",
        "r-1",
        "k-1",
        "j-1",
    )
    assert first["timestamp"].endswith("Z")
    assert second["event"] == "from the standard library"
    assert (second["logger"], second["request_id"]) == ("dramatiq.worker", "r-1")


def test_request_logs_carry_request_id_actor_and_project(
    client: TestClient[Litestar], runtime: Runtime
) -> None:
    created = client.post("/v1/projects", json={"name": "logged"}).json()
    project = created["id"]
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        response = client.get(
            f"/v1/projects/{project}",
            headers={"X-Request-ID": "req-42", "X-Stoat-After": str(created["position"])},
        )
    assert response.status_code == 200
    entry: MutableMapping[str, Any] = next(e for e in logs if e["event"] == "http_request")
    principal = runtime.services.keys.authenticate(ADMIN_KEY)
    assert principal is not None
    assert entry["request_id"] == "req-42"
    assert entry["actor"] == principal.key_id
    assert entry["project_id"] == project
    assert (entry["route"], entry["status"]) == ("/v1/projects/{project_id}", 200)


def test_the_recorded_request_id_is_read_from_the_event() -> None:
    def note(state: bytes) -> Notification:
        return Notification(
            id=1, originator_id=uuid4(), originator_version=1, topic="t", state=state
        )

    assert recorded_request_id(note(b'{"context": {"request_id": "abc"}, "x": 1}')) == "abc"
    assert recorded_request_id(note(b'{"x": 1}')) == ""
    assert recorded_request_id(note(b"\x00compressed")) == ""
