"""Restarts, duplicate jobs and rebuilds: deliveries stay at-least-once and in order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient

from stoat.commands.webhooks import load_webhook
from stoat.domain.context import system_context
from stoat.domain.webhook import WebhookCursorError, WebhookInactiveError
from stoat.http.app import create_app
from stoat.runtime import Runtime
from tests.conftest import ADMIN_KEY
from tests.webhooks.conftest import make_project, read_when, subscribe

if TYPE_CHECKING:
    from collections.abc import Iterator

    from litestar import Litestar

    from stoat.settings import Settings
    from tests.webhooks._receiver import Receiver


def _serve(runtime: Runtime) -> TestClient[Litestar]:
    client = TestClient(create_app(runtime.services))
    client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
    return client


@pytest.fixture
def restartable(settings: Settings) -> Iterator[list[Runtime]]:
    """Runtimes started on one data directory, one after another; all stopped at the end."""
    runtimes: list[Runtime] = []
    try:
        yield runtimes
    finally:
        for runtime in runtimes:
            if runtime.webhooks.worker is not None:
                runtime.stop()


def _start(settings: Settings, runtimes: list[Runtime]) -> tuple[Runtime, TestClient[Litestar]]:
    runtime = Runtime(settings)
    runtime.provision_admin_key()
    runtime.start()
    runtimes.append(runtime)
    return runtime, _serve(runtime)


def test_subscriptions_survive_a_restart(
    settings: Settings, receiver: Receiver, restartable: list[Runtime]
) -> None:
    first, client = _start(settings, restartable)
    with client:
        subscribe(client, receiver)
        make_project(client, "before")
        receiver.wait_accepted(1)
    first.stop()
    _, client = _start(settings, restartable)
    with client:
        project = make_project(client, "after")
        accepted = receiver.wait_accepted(2)
    assert accepted[-1].payload["id"] == project["position"]
    assert len(receiver.snapshot()) == 2  # nothing delivered twice


def test_a_pending_retry_survives_a_restart(
    settings: Settings, receiver: Receiver, restartable: list[Runtime]
) -> None:
    first, client = _start(settings, restartable)
    with client:
        webhook = subscribe(client, receiver)
        receiver.fail_next = 1
        project = make_project(client, "interrupted")
        receiver.wait_for(lambda rs: len(rs) == 1)
        read_when(
            client,
            f"/v1/webhooks/{webhook['id']}",
            lambda body: body["consecutive_failures"] == 1,
        )
    first.stop()  # the retry is a delayed message in the queue, not a timer in memory
    _, client = _start(settings, restartable)
    with client:
        (accepted,) = receiver.wait_accepted(1)
    assert accepted.payload["id"] == project["position"]
    assert [r.status for r in receiver.snapshot()] == [500, 204]


def test_duplicate_jobs_send_nothing_twice(
    client: TestClient[Litestar], receiver: Receiver, runtime: Runtime
) -> None:
    webhook = subscribe(client, receiver)
    projects = [make_project(client, f"dup{i}") for i in range(3)]
    receiver.wait_accepted(3)
    for _ in range(10):  # redelivered messages, as after a lost lease
        runtime.webhooks.actor.send(webhook["id"], 0)
    runtime.webhooks.deliverer.run(webhook["id"])
    runtime.broker.join("webhooks", timeout=10_000)
    assert [r.payload["id"] for r in receiver.snapshot()] == [p["position"] for p in projects]


def test_a_stale_job_cannot_record_an_old_delivery(
    client: TestClient[Litestar], receiver: Receiver, runtime: Runtime
) -> None:
    webhook = subscribe(client, receiver)
    project = make_project(client, "once")
    receiver.wait_accepted(1)
    app = runtime.services.app
    read_when(client, f"/v1/webhooks/{webhook['id']}", lambda b: b["delivered_through"] > 0)
    subscription = load_webhook(app, webhook["id"])
    context: dict[str, Any] = dict(system_context())
    with pytest.raises(WebhookCursorError):
        subscription.record_delivered(
            position=project["position"],
            event_type="ProjectCreated",
            message_id="msg_x",
            status_code=200,
            latency_us=1,
            context=context,
        )
    subscription.delete(context)
    with pytest.raises(WebhookInactiveError):
        subscription.record_delivered(
            position=project["position"] + 100,
            event_type="ProjectCreated",
            message_id="msg_x",
            status_code=200,
            latency_us=1,
            context=context,
        )


def test_a_rebuild_gives_the_same_webhook_views(
    client: TestClient[Litestar], receiver: Receiver, runtime: Runtime
) -> None:
    webhook = subscribe(client, receiver)
    receiver.fail_next = 2
    last = [make_project(client, f"rebuilt{i}") for i in range(2)][-1]["position"]
    receiver.wait_accepted(2)
    url = f"/v1/webhooks/{webhook['id']}"
    # Wait until the view has recorded the delivery of the last event, not just any success.
    before = read_when(
        client,
        url,
        lambda b: (
            b["consecutive_failures"] == 0
            and b["last_status_code"] == 204
            and b["delivered_through"] >= last
        ),
    )
    deliveries = client.get(f"{url}/deliveries").json()
    assert [d["attempt_count"] for d in deliveries["items"]] == [1, 3]
    runtime.projector.stop()
    runtime.rebuild_projections()
    assert client.get(url).json() == before
    assert client.get(f"{url}/deliveries").json() == deliveries
