"""Webhook deliveries: a dispatcher that wakes a subscription's job, and the job itself.

Order per subscription comes from a cursor, not from the queue. The subscription
aggregate's ``delivered_through`` is the log position of the last event its endpoint
accepted; a delivery job (one dramatiq message names one subscription) reads the log
after the cursor, in order, through the subscription's event types, and sends each
event, recording each outcome on the subscription. A failure records the next retry's
time and ends the job, so no later event can overtake the failing one; the retry comes
as a delayed message that the dispatcher enqueues, exactly once, from the failure event.

The dispatcher follows the whole log and keeps, in memory, which subscriptions want
which event types (rebuilt from the log on start). For each batch it enqueues one job
per subscription that has something new, committing the messages with its tracking
position (exactly-once enqueue with the embedded broker). Duplicate jobs are harmless:
one process runs one job per subscription at a time, and across processes the event
store's version check lets one writer record an attempt, so a duplicate costs at most
a repeated delivery with the same ``webhook-id`` (at-least-once).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import dramatiq
import msgspec
import structlog
from dramatiq.common import dq_name
from eventsourcing.persistence import RecordConflictError
from eventsourcing.utils import get_topic

from stoat import __version__
from stoat.commands._webhook_secrets import SealError, secret_box, secret_key, sign
from stoat.commands.webhooks import load_webhook, topics_of
from stoat.domain.context import system_context
from stoat.domain.webhook import ALL_EVENTS, DELIVERY_RECORDS, WebhookSubscription
from stoat.errors import NotFound
from stoat.projections.event_json import event_document
from stoat.projections.follower import LogFollower
from stoat.workers._webhook_http import Answer, post

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import Notification

    from stoat.services import Services
    from stoat.settings import Settings
    from stoat.workers.dispatcher import JobBroker

log = structlog.get_logger(__name__)

WEBHOOK_QUEUE = "webhooks"
WEBHOOK_TRACKING = "stoat-webhooks"
"""The dispatcher's tracking name in the broker."""
DRAIN_BATCH = 100
DRAIN_SECONDS = 60.0
"""A job hands over to a fresh message after this long, so no job runs for hours."""
TRACK_EVERY = 1000
"""Log positions the dispatcher may pass without recording its position when it has
nothing to enqueue (a restart re-reads at most this many)."""
JITTER = 0.1

_LIFECYCLE = tuple(
    get_topic(cls)
    for cls in (
        WebhookSubscription.WebhookCreated,
        WebhookSubscription.WebhookDisabled,
        WebhookSubscription.WebhookEnabled,
        WebhookSubscription.WebhookDeleted,
    )
)
_FAILED = get_topic(WebhookSubscription.WebhookDeliveryFailed)
_Created = WebhookSubscription.WebhookCreated


def _event_type(topic: str) -> str:
    return topic.rpartition(":")[2].rpartition(".")[2]


class WebhookDispatcher:
    """Follows the log; enqueues delivery jobs and scheduled retries, exactly once."""

    def __init__(self, services: Services, broker: JobBroker, actor: dramatiq.Actor[..., None]):
        self._app = services.app
        self._broker = broker
        self._actor = actor
        self._types: dict[str, frozenset[str]] = {}
        self._wanted: dict[str, frozenset[str]] = {}
        """The event types of each active subscription."""
        self._position = 0
        self._recorded = 0
        self.follower = LogFollower(
            "stoat-webhook-dispatcher",
            self._app.recorder,
            position=lambda: self._position,
            handle=self._handle,
        )

    def start(self) -> None:
        self._load()
        self.follower.start()

    def stop(self) -> None:
        self.follower.stop()

    def _load(self) -> None:
        """The subscriptions as of the recorded position, read from the log."""
        self._position = self._recorded = self._broker.max_tracking_id(WEBHOOK_TRACKING) or 0
        self._types.clear()
        self._wanted.clear()
        start = 1
        while start <= self._position and (
            batch := self._app.recorder.select_notifications(
                start=start, limit=500, stop=self._position, topics=_LIFECYCLE
            )
        ):
            for notification in batch:
                self._track(notification)
            start = batch[-1].id + 1

    def _track(self, notification: Notification) -> bool:
        """Applies a lifecycle event; True when the subscription may have work now."""
        event = self._app.mapper.to_domain_event(notification)
        webhook_id = str(event.originator_id)
        if isinstance(event, _Created):
            self._types[webhook_id] = frozenset(event.event_types)
        if isinstance(event, _Created | WebhookSubscription.WebhookEnabled):
            self._wanted[webhook_id] = self._types.get(webhook_id, frozenset())
            return True
        self._wanted.pop(webhook_id, None)
        if isinstance(event, WebhookSubscription.WebhookDeleted):
            self._types.pop(webhook_id, None)
        return False

    def _handle(self, notifications: Sequence[Notification]) -> None:
        wake: dict[str, None] = {}
        retries = []
        for notification in notifications:
            if notification.topic in _LIFECYCLE:
                if self._track(notification):
                    wake[str(notification.originator_id)] = None
                continue
            if notification.topic == _FAILED:
                retries.append(self._retry(notification))
                continue
            name = _event_type(notification.topic)
            if name in DELIVERY_RECORDS:
                continue
            for webhook_id, types in self._wanted.items():
                if ALL_EVENTS in types or name in types:
                    wake[webhook_id] = None
        last = notifications[-1].id
        messages = [self._actor.message(webhook_id, 0) for webhook_id in wake]
        messages += retries
        if messages or last - self._recorded >= TRACK_EVERY:
            self._broker.enqueue_with_tracking(messages, WEBHOOK_TRACKING, last)
            self._recorded = last
        self._position = last

    def _retry(self, notification: Notification) -> dramatiq.Message[Any]:
        """A delayed job, due when the failed attempt said, that retries that failure."""
        event: Any = self._app.mapper.to_domain_event(notification)
        message = self._actor.message(str(event.originator_id), event.originator_version)
        eta = int(event.retry_at_ms)
        return message.copy(queue_name=dq_name(message.queue_name), options={"eta": eta})


@dataclass
class _Running:
    again: bool = False
    due_version: int = 0


class WebhookDeliverer:
    """The delivery job: drains one subscription's backlog, in order."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._settings = services.settings
        self._guard = threading.Lock()
        self._running: dict[str, _Running] = {}
        self.actor: dramatiq.Actor[[str, int], None] | None = None

    def run(self, webhook_id: str, due_version: int = 0) -> None:
        """The actor: at most one job per subscription runs at a time in a process;
        a job arriving meanwhile makes the running one look again before it ends."""
        with self._guard:
            running = self._running.get(webhook_id)
            if running is not None:
                running.again = True
                running.due_version = max(running.due_version, due_version)
                return
            running = self._running[webhook_id] = _Running(due_version=due_version)
        try:
            while True:
                running.again = False
                self._drain(webhook_id, running.due_version)
                with self._guard:
                    if not running.again:
                        return
        finally:
            with self._guard:
                self._running.pop(webhook_id, None)

    def _drain(self, webhook_id: str, due_version: int) -> None:
        app = self._services.app
        try:
            subscription = load_webhook(app, webhook_id, deleted=True)
        except NotFound:
            return
        if not subscription.active or subscription.retry_pending(_now_ms(), due_version):
            return
        try:
            box = secret_box(self._settings.data_dir, self._settings.webhook_secrets_key)
            key = secret_key(box.open(subscription.secret_sealed, webhook_id))
        except SealError:
            log.exception("webhook_secret_unusable", webhook_id=webhook_id)
            return
        topics = topics_of(subscription)
        deadline = time.monotonic() + DRAIN_SECONDS
        while batch := app.recorder.select_notifications(
            start=subscription.delivered_through + 1, limit=DRAIN_BATCH, topics=topics
        ):
            for notification in batch:
                if not self._deliver(subscription, key, notification):
                    return
                if time.monotonic() > deadline:
                    self._hand_over(webhook_id)
                    return

    def _deliver(
        self, subscription: WebhookSubscription, key: bytes, notification: Notification
    ) -> bool:
        """Sends one event and records the outcome; False when the job must stop."""
        settings = self._settings
        event = self._services.app.mapper.to_domain_event(notification)
        document = event_document(notification.id, event)
        body = msgspec.json.encode(document)
        message_id = message_id_for(subscription.id, notification.id)
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": f"Stoat-Webhooks/{__version__}",
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(key, message_id, timestamp, body),
        }
        answer = post(
            subscription.url,
            body,
            headers,
            timeout=settings.webhooks_timeout_seconds,
            allow_private=settings.webhooks_allow_private,
        )
        context = dict(system_context(request_id=f"webhook:{subscription.id}"))
        fields: dict[str, Any] = {
            "position": notification.id,
            "event_type": document["type"],
            "message_id": message_id,
            "latency_us": answer.latency_us,
            "context": context,
        }
        if answer.ok:
            assert answer.status_code is not None
            subscription.record_delivered(status_code=answer.status_code, **fields)
        else:
            self._failed(subscription, answer, fields)
        try:
            self._services.app.save(subscription)
        except RecordConflictError:
            log.info("webhook_job_lost_race", webhook_id=str(subscription.id))
            return False
        log.info(
            "webhook_attempt",
            webhook_id=str(subscription.id),
            position=notification.id,
            status_code=answer.status_code,
            ok=answer.ok,
        )
        return answer.ok

    def _failed(
        self, subscription: WebhookSubscription, answer: Answer, fields: dict[str, Any]
    ) -> None:
        settings = self._settings
        delay = backoff(subscription.attempt + 1, settings, answer.retry_after)
        subscription.record_failed(
            status_code=answer.status_code,
            error=answer.error,
            response=answer.response,
            retry_at_ms=_now_ms() + round(delay * 1000),
            **fields,
        )
        if answer.status_code == 410:
            subscription.disable("the endpoint answered 410 Gone", fields["context"])
        elif subscription.failures >= settings.webhooks_disable_after_failures:
            subscription.disable(
                f"{subscription.failures} delivery attempts failed in a row", fields["context"]
            )

    def _hand_over(self, webhook_id: str) -> None:
        if self.actor is not None:
            self.actor.send(webhook_id, 0)


def message_id_for(webhook_id: uuid.UUID, position: int) -> str:
    """The ``webhook-id`` of an event sent to a subscription: the same on every attempt."""
    return "msg_" + uuid.uuid5(webhook_id, str(position)).hex


def backoff(attempt: int, settings: Settings, retry_after: float | None = None) -> float:
    """Seconds before attempt ``attempt + 1``: doubling from the base, with up to 10%
    jitter, never beyond the cap; at least what the endpoint's ``Retry-After`` asked."""
    base = settings.webhooks_retry_base_seconds
    cap = settings.webhooks_retry_max_seconds
    delay: float = min(cap, base * 2.0 ** min(attempt - 1, 62))
    delay = min(cap, delay * (1 + JITTER * random.random()))  # noqa: S311 - not for secrets
    if retry_after is not None:
        delay = max(delay, min(cap, retry_after))
    return delay


def _now_ms() -> int:
    return int(time.time() * 1000)


class WebhookJobs:
    """The delivery actor, its dispatcher and its worker."""

    def __init__(self, services: Services, broker: JobBroker) -> None:
        self._services = services
        self._settings = services.settings
        self._broker = broker
        self.deliverer = WebhookDeliverer(services)
        self.actor: dramatiq.Actor[[str, int], None] = dramatiq.actor(
            actor_name="deliver_webhooks",
            queue_name=WEBHOOK_QUEUE,
            broker=broker,
            # Delivery failures are recorded and retried by the job itself; this only
            # covers the unexpected (a busy database), with dramatiq's own backoff.
            max_retries=5,
            time_limit=int((DRAIN_SECONDS + 4 * services.settings.webhooks_timeout_seconds) * 1000),
        )(self.deliverer.run)
        self.deliverer.actor = self.actor
        self.worker: dramatiq.Worker | None = None

    def dispatcher(self) -> WebhookDispatcher:
        """A new dispatcher for the delivery jobs (see ``leadership``)."""
        return WebhookDispatcher(self._services, self._broker, self.actor)

    def start(self) -> None:
        """Starts the delivery worker (the dispatcher runs apart, under the leader)."""
        self.worker = dramatiq.Worker(
            self._broker,
            queues={WEBHOOK_QUEUE},
            worker_threads=max(1, self._settings.webhooks_workers),
            worker_timeout=100,
        )
        self.worker.start()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop(timeout=30_000)
            self.worker = None
