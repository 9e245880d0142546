"""Webhook read models: subscriptions, and deliveries with every attempt.

The tables live in the shared :class:`~stoat.projections.views.ViewStore` (its DDL
appends :data:`WEBHOOK_TABLES`), so they commit with its tracking position. A delivery
is one row per subscription and event, holding the list of its attempts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec

from stoat.domain.webhook import WebhookStatus, WebhookSubscription
from stoat.errors import NotFound
from stoat.projections.cursors import decode_cursor, encode_cursor

if TYPE_CHECKING:
    import apsw

    from stoat.projections.views import ViewStore

WEBHOOK_TABLES = (
    """CREATE TABLE IF NOT EXISTS webhook_views (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        document BLOB NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS webhook_views_seq ON webhook_views (seq)",
    """CREATE TABLE IF NOT EXISTS webhook_deliveries (
        webhook_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL,
        document BLOB NOT NULL,
        PRIMARY KEY (webhook_id, position)
    ) WITHOUT ROWID""",
)
WEBHOOK_RESET = ("DELETE FROM webhook_views", "DELETE FROM webhook_deliveries")

DELIVERED, RETRYING, FAILED = "delivered", "retrying", "failed"
DELIVERY_STATUSES = (DELIVERED, RETRYING, FAILED)

_encode = msgspec.json.encode
_decode = msgspec.json.decode

Subscription = WebhookSubscription


# -- the projection (inside the views' transaction) -----------------------------------


def project_webhook(cursor: apsw.Cursor, position: int, event: Subscription.Event) -> None:
    """Applies one subscription event to the webhook views."""
    webhook_id = str(event.originator_id)
    at = event.timestamp.isoformat()
    if isinstance(event, Subscription.WebhookCreated):
        _put(cursor, position, _new(webhook_id, event))
        return
    document = _get(cursor, webhook_id)
    if document is None:
        return
    if isinstance(event, Subscription.WebhookDeleted):
        cursor.execute("DELETE FROM webhook_views WHERE id = ?", (webhook_id,))
        cursor.execute("DELETE FROM webhook_deliveries WHERE webhook_id = ?", (webhook_id,))
        return
    if isinstance(event, Subscription.WebhookDelivered | Subscription.WebhookDeliveryFailed):
        _attempt(cursor, document, event)
    elif isinstance(event, Subscription.WebhookDisabled):
        document.update(
            status=WebhookStatus.DISABLED.value,
            disabled_at=at,
            disabled_reason=event.reason,
            next_retry_at=None,
        )
        _give_up(cursor, webhook_id)
    elif isinstance(event, Subscription.WebhookEnabled):
        document.update(
            status=WebhookStatus.ACTIVE.value,
            consecutive_failures=0,
            disabled_at=None,
            disabled_reason=None,
        )
    document["updated_at"] = at
    _put(cursor, None, document)


def _new(webhook_id: str, event: Subscription.WebhookCreated) -> dict[str, Any]:
    at = event.timestamp.isoformat()
    return {
        "id": webhook_id,
        "url": event.url,
        "event_types": event.event_types,
        "status": WebhookStatus.ACTIVE.value,
        "created_at": at,
        "created_by": event.context.get("actor"),
        "created_by_name": event.context.get("actor_name"),
        "updated_at": at,
        "delivered_through": event.after,
        "consecutive_failures": 0,
        "last_attempt_at": None,
        "last_status_code": None,
        "next_retry_at": None,
        "disabled_at": None,
        "disabled_reason": None,
    }


def _attempt(
    cursor: apsw.Cursor,
    document: dict[str, Any],
    event: Subscription.WebhookDelivered | Subscription.WebhookDeliveryFailed,
) -> None:
    webhook_id, at = document["id"], event.timestamp.isoformat()
    attempt: dict[str, Any] = {
        "attempt": event.attempt,
        "at": at,
        "status_code": event.status_code,
        "latency_seconds": event.latency_us / 1_000_000,
        "error": None,
        "response": None,
    }
    delivered = isinstance(event, Subscription.WebhookDelivered)
    retry_at = None
    if isinstance(event, Subscription.WebhookDeliveryFailed):
        retry_at = _iso_ms(event.retry_at_ms)
        attempt.update(error=event.error, response=event.response or None)
    row = cursor.execute(
        "SELECT document FROM webhook_deliveries WHERE webhook_id = ? AND position = ?",
        (webhook_id, event.position),
    ).fetchone()
    delivery: dict[str, Any] = (
        dict(_decode(row[0]))
        if row is not None
        else {
            "event_id": event.position,
            "event_type": event.event_type,
            "message_id": event.message_id,
            "first_attempt_at": at,
            "attempts": [],
        }
    )
    delivery["attempts"].append(attempt)
    delivery.update(
        status=DELIVERED if delivered else RETRYING,
        attempt_count=len(delivery["attempts"]),
        status_code=event.status_code,
        latency_seconds=attempt["latency_seconds"],
        last_attempt_at=at,
        next_retry_at=retry_at,
        delivered_at=at if delivered else None,
    )
    _put_delivery(cursor, webhook_id, event.position, delivery)
    document.update(
        consecutive_failures=0 if delivered else document["consecutive_failures"] + 1,
        last_attempt_at=at,
        last_status_code=event.status_code,
        next_retry_at=retry_at,
    )
    if delivered:
        document["delivered_through"] = event.position


def _give_up(cursor: apsw.Cursor, webhook_id: str) -> None:
    """A disabled subscription retries nothing: its failing delivery has failed."""
    rows: list[Any] = cursor.execute(
        "SELECT position, document FROM webhook_deliveries WHERE webhook_id = ? AND status = ?",
        (webhook_id, RETRYING),
    ).fetchall()
    for row in rows:
        delivery: dict[str, Any] = dict(_decode(row[1]))
        delivery.update(status=FAILED, next_retry_at=None)
        _put_delivery(cursor, webhook_id, int(row[0]), delivery)


def _get(cursor: apsw.Cursor, webhook_id: str) -> dict[str, Any] | None:
    query = "SELECT document FROM webhook_views WHERE id = ?"
    row = cursor.execute(query, (webhook_id,)).fetchone()
    return None if row is None else dict(_decode(row[0]))


def _put(cursor: apsw.Cursor, seq: int | None, document: dict[str, Any]) -> None:
    if seq is None:
        query = "UPDATE webhook_views SET document = ? WHERE id = ?"
        cursor.execute(query, (_encode(document), document["id"]))
    else:
        cursor.execute(
            "INSERT INTO webhook_views (id, seq, document) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET document = excluded.document",
            (document["id"], seq, _encode(document)),
        )


def _put_delivery(
    cursor: apsw.Cursor, webhook_id: str, position: int, delivery: dict[str, Any]
) -> None:
    cursor.execute(
        "INSERT INTO webhook_deliveries (webhook_id, position, status, document) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (webhook_id, position) DO UPDATE SET "
        "status = excluded.status, document = excluded.document",
        (webhook_id, position, delivery["status"], _encode(delivery)),
    )


def _iso_ms(unix_ms: int) -> str:
    return datetime.fromtimestamp(unix_ms / 1000, UTC).isoformat()


# -- queries ------------------------------------------------------------------------


def webhook(views: ViewStore, webhook_id: str) -> dict[str, Any]:
    with views.read() as cursor:
        document = _get(cursor, webhook_id)
    if document is None:
        raise NotFound("webhook", webhook_id)
    return document


def list_webhooks(
    views: ViewStore, *, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    """Newest first; the cursor is the opaque position of the last item seen."""
    before = decode_cursor(cursor)
    with views.read() as db:
        rows = list(
            db.execute(
                "SELECT seq, document FROM webhook_views WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                (before, limit + 1),
            )
        )
    items = [_decode(document) for _, document in rows[:limit]]
    return items, encode_cursor(rows[limit - 1][0]) if len(rows) > limit else None


def list_deliveries(
    views: ViewStore, webhook_id: str, *, limit: int, cursor: str | None, status: str | None
) -> tuple[list[Any], str | None]:
    """A subscription's deliveries, newest event first, each with all its attempts."""
    before = decode_cursor(cursor)
    where, args = "webhook_id = ? AND position < ?", [webhook_id, before]
    if status is not None:
        where += " AND status = ?"
        args.append(status)
    with views.read() as db:
        if _get(db, webhook_id) is None:
            raise NotFound("webhook", webhook_id)
        rows = list(
            db.execute(
                f"SELECT position, document FROM webhook_deliveries WHERE {where} "  # noqa: S608
                "ORDER BY position DESC LIMIT ?",
                (*args, limit + 1),
            )
        )
    items = [_decode(document) for _, document in rows[:limit]]
    return items, encode_cursor(rows[limit - 1][0]) if len(rows) > limit else None
