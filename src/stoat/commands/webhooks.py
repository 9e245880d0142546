"""Webhook commands: subscribe, delete, re-enable; and which events can be delivered.

A subscription starts after the log position current when it is created: it receives
what happens from then on, never the history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import RecordConflictError

from stoat.commands._webhook_secrets import check_secret, new_secret
from stoat.commands._webhook_targets import check_url
from stoat.commands.idempotency import creation_id, key_reused, replay
from stoat.commands.results import write_result
from stoat.domain.webhook import ALL_EVENTS, DELIVERY_RECORDS, WebhookSubscription
from stoat.errors import ErrorItem, NotFound, Rejected, StoreUnavailable, error_item
from stoat.projections.event_json import event_topics

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from stoat.commands._webhook_secrets import SecretBox
    from stoat.commands.application import StoatApplication
    from stoat.commands.results import WriteResult
    from stoat.domain.context import EventContext

MAX_EVENT_TYPES = 200
CHANGE_ATTEMPTS = 5


def deliverable_topics() -> dict[str, str]:
    """Event type name -> topic, for every event a webhook can receive.

    The records of deliveries themselves are left out: delivering them would record
    more deliveries, without end.
    """
    return {name: topic for name, topic in event_topics().items() if name not in DELIVERY_RECORDS}


def topics_of(subscription: WebhookSubscription) -> list[str]:
    """The topics of the events ``subscription`` receives."""
    topics = deliverable_topics()
    if ALL_EVENTS in subscription.event_types:
        return sorted(topics.values())
    return [topics[name] for name in subscription.event_types if name in topics]


def create_webhook(
    app: StoatApplication,
    box: SecretBox,
    *,
    url: str,
    event_types: Sequence[str],
    secret: str | None,
    allow_private: bool,
    context: EventContext,
) -> tuple[str, WriteResult]:
    """Subscribes ``url``; returns the signing secret (shown once) and the write result.

    Raises :class:`Rejected` naming every bad field, and appends nothing then.
    """
    types, errors = _check_types(event_types)
    url_error = check_url(url, allow_private)
    secret_error = None if secret is None else check_secret(secret)
    errors = [error for error in (url_error, *errors, secret_error) if error is not None]
    if errors:
        raise Rejected(errors)
    secret = secret or new_secret()
    webhook_id = creation_id(context, "webhook") or uuid4()
    subscription = WebhookSubscription.create(
        webhook_id=webhook_id,
        url=url.strip(),
        event_types=types,
        secret_sealed=box.seal(secret, str(webhook_id)),
        after=app.recorder.max_notification_id() or 0,
        context=dict(context),
    )
    try:
        return secret, write_result(str(webhook_id), app.save(subscription))
    except RecordConflictError:
        # The id came from the idempotency key: a retry, or the key reused for another body.
        (created,) = app.events.get(webhook_id, lte=1)
        key = str(context.get("idempotency_key"))
        if created.context.get("request_hash") != context.get("request_hash"):  # type: ignore[attr-defined]
            raise key_reused(key) from None
        first_secret = box.open(created.secret_sealed, str(webhook_id))  # type: ignore[attr-defined]
        return first_secret, replay(app, webhook_id, 1, 1)


def delete_webhook(
    app: StoatApplication, webhook_id: str, context: EventContext
) -> WriteResult | None:
    """Deletes a subscription; None if it was deleted already."""
    return _change(app, webhook_id, lambda s: s.delete(dict(context)), deleted=True)


def enable_webhook(
    app: StoatApplication, webhook_id: str, context: EventContext
) -> WriteResult | None:
    """Resumes deliveries to a disabled subscription; None if it was active."""
    return _change(app, webhook_id, lambda s: s.enable(dict(context)))


def load_webhook(
    app: StoatApplication, webhook_id: str, *, deleted: bool = False
) -> WebhookSubscription:
    """Loads a subscription, or raises :class:`NotFound` (also when deleted, unless
    ``deleted``)."""
    try:
        found: object = app.repository.get(UUID(webhook_id))
    except (ValueError, AggregateNotFoundError):
        raise NotFound("webhook", webhook_id) from None
    if not isinstance(found, WebhookSubscription) or (found.deleted and not deleted):
        raise NotFound("webhook", webhook_id)
    return found


def _change(
    app: StoatApplication,
    webhook_id: str,
    change: Callable[[WebhookSubscription], None],
    *,
    deleted: bool = False,
) -> WriteResult | None:
    # A delivery job may record an attempt between our load and save: the change does
    # not depend on what it recorded, so it is made again on the new version.
    for _ in range(CHANGE_ATTEMPTS):
        subscription = load_webhook(app, webhook_id, deleted=deleted)
        change(subscription)
        try:
            recordings = app.save(subscription)
        except RecordConflictError:
            continue
        return write_result(webhook_id, recordings) if recordings else None
    raise StoreUnavailable(f"webhook {webhook_id} kept changing; try again")


def _check_types(event_types: Sequence[str]) -> tuple[list[str], list[ErrorItem]]:
    if not event_types:
        hint = f"name event types such as RenderCompleted, or {ALL_EVENTS!r} for all of them"
        return [], [error_item("event_types_empty", ("event_types",), "no event types", hint)]
    if len(event_types) > MAX_EVENT_TYPES:
        return [], [
            error_item(
                "too_many_event_types",
                ("event_types",),
                f"at most {MAX_EVENT_TYPES} event types",
                f"use {ALL_EVENTS!r} for all of them",
            )
        ]
    known = deliverable_topics()
    errors = [
        error_item(
            "unknown_event_type",
            ("event_types", index),
            f"{name!r} is not an event type that webhooks deliver",
            f"use {ALL_EVENTS!r} or names such as {', '.join(sorted(known)[:4])}, ...; "
            "GET /v1/events shows the types in use",
        )
        for index, name in enumerate(event_types)
        if name != ALL_EVENTS and name not in known
    ]
    if ALL_EVENTS in event_types:
        return [ALL_EVENTS], errors
    return list(dict.fromkeys(event_types)), errors
