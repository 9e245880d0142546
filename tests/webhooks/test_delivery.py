"""Deliveries against a real endpoint on 127.0.0.1: signed, retried, ordered, disabled."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from tests.webhooks.conftest import DISABLE_AFTER, RETRY_BASE, make_project, read_when, subscribe

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime
    from tests.webhooks._receiver import Receiver


def test_an_event_is_delivered_signed(client: TestClient[Litestar], receiver: Receiver) -> None:
    webhook = subscribe(client, receiver)
    project = make_project(client, "first")
    (request,) = receiver.wait_accepted(1)
    assert request.error is None  # the receiver verified the signature
    payload = request.payload
    assert payload["type"] == "ProjectCreated"
    assert payload["aggregate_id"] == project["id"]
    assert payload["id"] == project["position"]
    assert payload["data"]["name"] == "first"
    assert request.headers["content-type"] == "application/json"
    assert request.message_id.startswith("msg_")
    assert "." not in request.message_id
    assert request.headers["webhook-signature"].startswith("v1,")
    deliveries = read_when(
        client,
        f"/v1/webhooks/{webhook['id']}/deliveries",
        lambda body: body["items"] and body["items"][0]["status"] == "delivered",
    )["items"]
    (delivery,) = deliveries
    assert delivery["event_id"] == project["position"]
    assert delivery["event_type"] == "ProjectCreated"
    assert delivery["message_id"] == request.message_id
    assert delivery["attempt_count"] == 1
    assert delivery["status_code"] == 204
    assert delivery["next_retry_at"] is None
    assert 0 < delivery["latency_seconds"] < 5
    (attempt,) = delivery["attempts"]
    assert attempt["status_code"] == 204
    assert attempt["error"] is None


def _deliveries(
    client: TestClient[Litestar], webhook_id: str, predicate: object
) -> list[dict[str, Any]]:
    return list(read_when(client, f"/v1/webhooks/{webhook_id}/deliveries", predicate)["items"])


def test_failures_are_retried_with_backoff_then_succeed(
    client: TestClient[Litestar], receiver: Receiver
) -> None:
    webhook = subscribe(client, receiver)
    receiver.fail_next = 3
    project = make_project(client, "flaky")
    requests = receiver.wait_for(lambda rs: any(r.status == 204 for r in rs))
    assert [r.status for r in requests] == [500, 500, 500, 204]
    assert len({r.message_id for r in requests}) == 1  # one webhook-id for every attempt
    assert len({r.headers["webhook-signature"] for r in requests}) >= 2  # fresh timestamps
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(requests)]
    for attempt, gap in enumerate(gaps, start=1):
        expected = RETRY_BASE * 2 ** (attempt - 1)  # 0.2, 0.4, 0.8 s
        assert gap >= expected * 0.9, (attempt, gaps)
    (delivery,) = _deliveries(
        client, webhook["id"], lambda b: b["items"] and b["items"][0]["status"] == "delivered"
    )
    assert delivery["event_id"] == project["position"]
    assert delivery["attempt_count"] == 4
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 500, 204]
    assert [a["attempt"] for a in delivery["attempts"]] == [1, 2, 3, 4]
    assert all(a["error"] == "HTTP 500 Internal Server Error" for a in delivery["attempts"][:3])
    assert all(a["latency_seconds"] > 0 for a in delivery["attempts"])
    subscription = client.get(f"/v1/webhooks/{webhook['id']}").json()
    assert subscription["consecutive_failures"] == 0
    assert subscription["delivered_through"] == project["position"]


def test_a_failing_delivery_shows_its_next_retry(
    client: TestClient[Litestar], receiver: Receiver
) -> None:
    webhook = subscribe(client, receiver)
    receiver.fail_next = 1000
    receiver.fail_status = 503
    make_project(client, "later")
    (delivery,) = _deliveries(
        client, webhook["id"], lambda b: b["items"] and b["items"][0]["status"] == "retrying"
    )
    assert delivery["status_code"] == 503
    assert delivery["attempts"][-1]["error"] == "HTTP 503 Service Unavailable"
    assert delivery["next_retry_at"] > delivery["last_attempt_at"]
    subscription = client.get(f"/v1/webhooks/{webhook['id']}").json()
    assert subscription["next_retry_at"] >= delivery["next_retry_at"]  # or a later one
    assert subscription["consecutive_failures"] >= delivery["attempt_count"]


def test_events_arrive_in_order_even_when_the_first_fails(
    client: TestClient[Litestar], receiver: Receiver
) -> None:
    subscribe(client, receiver)
    receiver.fail_next = 2
    projects = [make_project(client, f"p{i}") for i in range(5)]
    accepted = receiver.wait_accepted(5)
    positions = [p["position"] for p in projects]
    assert [r.payload["id"] for r in accepted] == positions
    seen = [r.payload["id"] for r in receiver.snapshot()]
    assert seen == sorted(seen), "a later event overtook an earlier one"
    assert seen[:3] == [positions[0]] * 3  # two failures, then the first event succeeds


def test_each_subscription_has_its_own_order_and_failures(
    client: TestClient[Litestar], receiver: Receiver
) -> None:
    from tests.webhooks._receiver import Receiver as Endpoint

    broken = Endpoint(fail_next=1000).start()
    try:
        subscribe(client, broken)
        subscribe(client, receiver)
        projects = [make_project(client, f"q{i}") for i in range(3)]
        accepted = receiver.wait_accepted(3)
        assert [r.payload["id"] for r in accepted] == [p["position"] for p in projects]
        # Same event, other subscription: another webhook-id (dedup is per endpoint).
        broken.wait_for(lambda rs: len(rs) >= 1)
        assert broken.snapshot()[0].message_id != accepted[0].message_id
    finally:
        broken.stop()


def test_an_endpoint_that_keeps_failing_is_disabled(
    client: TestClient[Litestar], receiver: Receiver, runtime: Runtime
) -> None:
    webhook = subscribe(client, receiver)
    receiver.fail_next = 1000
    first = make_project(client, "doomed")
    url = f"/v1/webhooks/{webhook['id']}"
    disabled = read_when(client, url, lambda b: b["status"] == "disabled")
    assert disabled["disabled_reason"] == f"{DISABLE_AFTER} delivery attempts failed in a row"
    assert disabled["consecutive_failures"] == DISABLE_AFTER
    assert disabled["next_retry_at"] is None
    assert len(receiver.snapshot()) == DISABLE_AFTER
    events = client.get("/v1/events", params={"types": "WebhookDisabled"}).json()["items"]
    (event,) = events
    assert event["aggregate_id"] == webhook["id"]
    assert event["data"] == {
        "reason": f"{DISABLE_AFTER} delivery attempts failed in a row",
        "failures": DISABLE_AFTER,
    }
    (delivery,) = _deliveries(client, webhook["id"], lambda b: b["items"][0]["status"] == "failed")
    assert delivery["attempt_count"] == DISABLE_AFTER
    assert delivery["next_retry_at"] is None
    # Disabled: new events wait, nothing is sent.
    second = make_project(client, "waits")
    runtime.services.views.wait(second["position"], timeout=10)
    assert len(receiver.snapshot()) == DISABLE_AFTER
    # Re-enabled: delivery resumes from the event that failed, in order.
    receiver.fail_next = 0
    response = client.post(f"{url}/enable")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    accepted = receiver.wait_accepted(2)
    assert [r.payload["id"] for r in accepted] == [first["position"], second["position"]]
    enabled = read_when(client, url, lambda b: b["consecutive_failures"] == 0)
    assert enabled["status"] == "active"
    assert enabled["disabled_reason"] is None


def test_410_gone_disables_at_once(client: TestClient[Litestar], receiver: Receiver) -> None:
    webhook = subscribe(client, receiver)
    receiver.fail_next = 1000
    receiver.fail_status = 410
    make_project(client, "gone")
    disabled = read_when(client, f"/v1/webhooks/{webhook['id']}", lambda b: b["status"] != "active")
    assert disabled["status"] == "disabled"
    assert "410" in disabled["disabled_reason"]
    assert len(receiver.snapshot()) == 1


def test_a_deleted_webhook_gets_nothing_more(
    client: TestClient[Litestar], receiver: Receiver, runtime: Runtime
) -> None:
    webhook = subscribe(client, receiver)
    make_project(client, "before")
    receiver.wait_accepted(1)
    response = client.delete(f"/v1/webhooks/{webhook['id']}")
    assert response.status_code == 200
    assert response.json()["deleted"] is True
    after = make_project(client, "after")
    runtime.services.views.wait(after["position"], timeout=10)
    assert len(receiver.snapshot()) == 1
    assert client.get(f"/v1/webhooks/{webhook['id']}").status_code == 404
    assert client.get(f"/v1/webhooks/{webhook['id']}/deliveries").status_code == 404
    assert client.delete(f"/v1/webhooks/{webhook['id']}").status_code == 200  # idempotent


def test_all_events_with_a_star(client: TestClient[Litestar], receiver: Receiver) -> None:
    webhook = subscribe(client, receiver, ["*"])
    project = make_project(client, "star")
    client.post(
        f"/v1/projects/{project['id']}/edits",
        json={"edits": [{"op": "add_track", "kind": "video"}]},
    )
    requests = receiver.wait_for(
        lambda rs: {"ProjectCreated", "TrackAdded"} <= {r.payload["type"] for r in rs}
    )
    types = [r.payload["type"] for r in requests]
    assert types.index("ProjectCreated") < types.index("TrackAdded")
    # Its own creation is an event too; its delivery records never are.
    assert not {"WebhookDelivered", "WebhookDeliveryFailed"} & set(types)
    assert webhook["event_types"] == ["*"]
