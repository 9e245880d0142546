"""The WebhookSubscription aggregate: an endpoint, the events it wants, and its cursor.

Deliveries are recorded on the subscription, never on what they deliver: a delivery
must not bump a project's version. The subscription's state is also the delivery
cursor: ``delivered_through`` is the log position of the last event delivered, so a
delivery job resumes exactly where the last success left it, and the event store's
version check makes two jobs racing over one subscription harmless (one loses).

The signing secret is kept sealed (``secret_sealed``, see
``stoat.commands._webhook_secrets``); the aggregate never sees it in clear.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from uuid import UUID

ALL_EVENTS = "*"
"""In ``event_types``: every event type that can be delivered."""

DELIVERY_RECORDS = frozenset({"WebhookDelivered", "WebhookDeliveryFailed"})
"""Events that record deliveries: never delivered themselves (that would never end)."""


class WebhookStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    DELETED = "deleted"


class WebhookSubscription(Aggregate):
    """An endpoint that receives the events of the given types, in log order."""

    class Event(Aggregate.Event):
        class_version = 1
        context: dict[str, Any]

    class WebhookCreated(Event, Aggregate.Created):
        """Deliver events of ``event_types`` appended after log position ``after`` to
        ``url``, signed with the sealed secret."""

        url: str
        event_types: list[str]
        secret_sealed: str
        after: int

    class WebhookDelivered(Event):
        """The event at log ``position`` reached the endpoint (a 2xx answer)."""

        position: int
        event_type: str
        message_id: str
        attempt: int
        status_code: int
        latency_us: int

        def apply(self, aggregate: Any) -> None:
            aggregate.delivered_through = self.position
            aggregate.failures = 0
            aggregate.attempt = 0
            aggregate.retry_at_ms = None
            aggregate.failure_version = None

    class WebhookDeliveryFailed(Event):
        """An attempt to deliver the event at ``position`` failed; the next attempt is due
        at ``retry_at_ms`` (Unix milliseconds). ``status_code`` is None when no answer
        came (refused, timed out, reset)."""

        position: int
        event_type: str
        message_id: str
        attempt: int
        status_code: int | None
        error: str
        response: str
        latency_us: int
        retry_at_ms: int

        def apply(self, aggregate: Any) -> None:
            aggregate.failures += 1
            aggregate.attempt = self.attempt
            aggregate.retry_at_ms = self.retry_at_ms
            aggregate.failure_version = self.originator_version

    class WebhookDisabled(Event):
        """Deliveries stopped: ``failures`` attempts in a row failed, or the endpoint
        answered 410 Gone. Undelivered events wait for a re-enable."""

        reason: str
        failures: int

        def apply(self, aggregate: Any) -> None:
            aggregate.status = WebhookStatus.DISABLED.value
            aggregate.retry_at_ms = None

    class WebhookEnabled(Event):
        """Deliveries resume from the cursor, with a fresh count of failures."""

        def apply(self, aggregate: Any) -> None:
            aggregate.status = WebhookStatus.ACTIVE.value
            aggregate.failures = 0
            aggregate.attempt = 0
            aggregate.retry_at_ms = None
            aggregate.failure_version = None

    class WebhookDeleted(Event):
        """The subscription is gone; nothing more is delivered."""

        def apply(self, aggregate: Any) -> None:
            aggregate.status = WebhookStatus.DELETED.value
            aggregate.retry_at_ms = None

    def __init__(self, url: str, event_types: list[str], secret_sealed: str, after: int) -> None:
        self.url = url
        self.event_types = list(event_types)
        self.secret_sealed = secret_sealed
        self.status = WebhookStatus.ACTIVE.value
        self.delivered_through = after
        self.failures = 0
        """Failed attempts in a row, over every event."""
        self.attempt = 0
        """Failed attempts at the event after the cursor."""
        self.retry_at_ms: int | None = None
        self.failure_version: int | None = None
        """The version of the failure whose retry is pending."""

    @classmethod
    def create(
        cls,
        *,
        webhook_id: UUID,
        url: str,
        event_types: list[str],
        secret_sealed: str,
        after: int,
        context: dict[str, Any],
    ) -> WebhookSubscription:
        return cls._create(
            cls.WebhookCreated,
            id=webhook_id,
            url=url,
            event_types=list(event_types),
            secret_sealed=secret_sealed,
            after=after,
            context=context,
        )

    @property
    def active(self) -> bool:
        return self.status == WebhookStatus.ACTIVE.value

    @property
    def deleted(self) -> bool:
        return self.status == WebhookStatus.DELETED.value

    def wants(self, event_type: str) -> bool:
        return ALL_EVENTS in self.event_types or event_type in self.event_types

    def record_delivered(
        self,
        *,
        position: int,
        event_type: str,
        message_id: str,
        status_code: int,
        latency_us: int,
        context: dict[str, Any],
    ) -> None:
        self._require_next(position)
        self.trigger_event(
            self.WebhookDelivered,
            position=position,
            event_type=event_type,
            message_id=message_id,
            attempt=self.attempt + 1,
            status_code=status_code,
            latency_us=latency_us,
            context=context,
        )

    def record_failed(
        self,
        *,
        position: int,
        event_type: str,
        message_id: str,
        status_code: int | None,
        error: str,
        response: str,
        latency_us: int,
        retry_at_ms: int,
        context: dict[str, Any],
    ) -> None:
        self._require_next(position)
        self.trigger_event(
            self.WebhookDeliveryFailed,
            position=position,
            event_type=event_type,
            message_id=message_id,
            attempt=self.attempt + 1,
            status_code=status_code,
            error=error,
            response=response,
            latency_us=latency_us,
            retry_at_ms=retry_at_ms,
            context=context,
        )

    def disable(self, reason: str, context: dict[str, Any]) -> None:
        self._require_not_deleted()
        if self.active:
            self.trigger_event(
                self.WebhookDisabled, reason=reason, failures=self.failures, context=context
            )

    def enable(self, context: dict[str, Any]) -> None:
        self._require_not_deleted()
        if not self.active:
            self.trigger_event(self.WebhookEnabled, context=context)

    def delete(self, context: dict[str, Any]) -> None:
        if not self.deleted:
            self.trigger_event(self.WebhookDeleted, context=context)

    def retry_pending(self, now_ms: int, due_version: int) -> bool:
        """Whether a failed delivery waits for its retry, so nothing may be sent now.

        The delayed message scheduled for that retry names the failure it retries
        (``due_version``): it may go ahead even if clocks disagree on the time.
        """
        if self.retry_at_ms is None or self.failure_version == due_version:
            return False
        return now_ms < self.retry_at_ms

    def _require_next(self, position: int) -> None:
        if not self.active:
            raise WebhookInactiveError(str(self.id), self.status)
        if position <= self.delivered_through:
            raise WebhookCursorError(str(self.id), position, self.delivered_through)

    def _require_not_deleted(self) -> None:
        if self.deleted:
            raise WebhookInactiveError(str(self.id), self.status)


class WebhookInactiveError(Exception):
    """A delivery was recorded for a subscription that is disabled or deleted."""

    def __init__(self, webhook_id: str, status: str) -> None:
        super().__init__(f"webhook {webhook_id} is {status}")
        self.status = status


class WebhookCursorError(Exception):
    """A delivery was recorded for an event at or before the cursor (a stale job)."""

    def __init__(self, webhook_id: str, position: int, cursor: int) -> None:
        super().__init__(
            f"webhook {webhook_id} already delivered through {cursor}, not before {position}"
        )
