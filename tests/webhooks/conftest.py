"""Webhook fixtures: settings that allow loopback targets and retry fast, a receiver,
and helpers to subscribe and to make events happen."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.settings import Settings
    from tests.webhooks._receiver import Receiver

RETRY_BASE = 0.2
DISABLE_AFTER = 4


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings, with loopback targets allowed (the receiver is on
    127.0.0.1), quick retries and a low bar for disabling."""
    return msgspec.structs.replace(
        settings,
        webhooks_allow_private=True,
        webhooks_timeout_seconds=5.0,
        webhooks_retry_base_seconds=RETRY_BASE,
        webhooks_retry_max_seconds=2.0,
        webhooks_disable_after_failures=DISABLE_AFTER,
    )


def subscribe(
    client: TestClient[Litestar],
    receiver: Receiver,
    event_types: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Subscribes the receiver and tells it the secret to check signatures with."""
    body = {"url": receiver.url, "event_types": event_types or ["ProjectCreated"], **extra}
    response = client.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    receiver.secret = created["secret"]
    # Once the read models have it, later reads (without X-Stoat-After) find it too.
    after = {"X-Stoat-After": str(created["position"])}
    readable = client.get(f"/v1/webhooks/{created['id']}", headers=after)
    assert readable.status_code == 200, readable.text
    return created


def make_project(client: TestClient[Litestar], name: str) -> dict[str, Any]:
    response = client.post("/v1/projects", json={"name": name})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def read_when(
    client: TestClient[Litestar],
    url: str,
    predicate: Any,
    timeout: float = 15.0,
) -> dict[str, Any]:
    """GETs ``url`` until ``predicate(body)`` holds (the views lag the log a little)."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        if predicate(body):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{url} never matched; last: {body}")
