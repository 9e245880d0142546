"""The audit log read model: one row per event, who did what, filterable.

The table lives in the shared :class:`~stoat.projections.views.ViewStore` (its DDL
appends :data:`AUDIT_TABLES`), so each row commits with the views' tracking position.
Every event gets a row, library and checkpoint events included; the projection reads
only the event's envelope (time, context, a render's project), straight from the stored
JSON, without building the domain event. A render's later events find their project in
``render_views``, which its first event filled.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import msgspec

from stoat.errors import Rejected, error_item
from stoat.projections.cursors import decode_cursor, encode_cursor

if TYPE_CHECKING:
    import apsw
    from eventsourcing.persistence import Mapper, Notification

    from stoat.projections.views import ViewStore

AUDIT_TABLES: Final = (
    """CREATE TABLE IF NOT EXISTS audit_log (
        position INTEGER PRIMARY KEY,
        at_us INTEGER NOT NULL,
        type TEXT NOT NULL,
        aggregate_id TEXT NOT NULL,
        project_id TEXT,
        actor TEXT,
        request_id TEXT,
        document BLOB NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS audit_log_project ON audit_log (project_id, position)",
    "CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor, position)",
    "CREATE INDEX IF NOT EXISTS audit_log_request ON audit_log (request_id, position)",
    "CREATE INDEX IF NOT EXISTS audit_log_type ON audit_log (type, position)",
    "CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (at_us)",
)
AUDIT_RESET: Final = ("DELETE FROM audit_log",)

_PROJECT_TYPE: Final = "Project"
_RENDER_TYPE: Final = "RenderJob"


class _Stamp(msgspec.Struct):
    data: str = msgspec.field(name="_data_")


class _Envelope(msgspec.Struct):
    """The parts of a stored event (eventsourcing's JSON transcoding) the log needs."""

    timestamp: _Stamp
    context: dict[str, Any] | None = None
    project_id: str | None = None


_envelope = msgspec.json.Decoder(_Envelope)
_encode = msgspec.json.encode
_decode = msgspec.json.decode


def project_audit(cursor: apsw.Cursor, notification: Notification, mapper: Mapper[Any]) -> None:
    """Adds the audit row of one event (inside the views' transaction)."""
    timestamp, context, project_id = _read_envelope(notification, mapper)
    module_and_class = notification.topic.rpartition(":")[2]
    aggregate_type, _, event_type = module_and_class.rpartition(".")
    aggregate_id = str(notification.originator_id)
    if aggregate_type == _PROJECT_TYPE:
        project_id = aggregate_id
    elif aggregate_type == _RENDER_TYPE and project_id is None:
        project_id = _project_of(cursor, aggregate_id)
    elif aggregate_type != _RENDER_TYPE:
        project_id = None
    signature = context.get("signature")
    document = {
        "position": notification.id,
        "type": event_type,
        "aggregate_type": aggregate_type,
        "aggregate_id": aggregate_id,
        "version": notification.originator_version,
        "project_id": project_id,
        "timestamp": timestamp.isoformat(),
        "actor": context.get("actor"),
        "actor_name": context.get("actor_name"),
        "request_id": context.get("request_id") or None,
        "idempotency_key": context.get("idempotency_key"),
        "signature": signature if isinstance(signature, dict) else None,
    }
    cursor.execute(
        "INSERT INTO audit_log (position, at_us, type, aggregate_id, project_id, actor, "
        "request_id, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (position) DO NOTHING",
        (
            notification.id,
            _micros(timestamp),
            event_type,
            aggregate_id,
            project_id,
            document["actor"],
            document["request_id"],
            _encode(document),
        ),
    )


def _read_envelope(
    notification: Notification, mapper: Mapper[Any]
) -> tuple[datetime, dict[str, Any], str | None]:
    try:
        envelope = _envelope.decode(notification.state)
        return (
            datetime.fromisoformat(envelope.timestamp.data),
            envelope.context or {},
            envelope.project_id,
        )
    except (msgspec.DecodeError, ValueError):
        # Not the plain JSON transcoding (compressed or encrypted): decode it fully.
        event: Any = mapper.to_domain_event(notification)
        return event.timestamp, getattr(event, "context", None) or {}, None


def _project_of(cursor: apsw.Cursor, render_id: str) -> str | None:
    # The render's own view, made from its first event (which names the project).
    row = cursor.execute(
        "SELECT project_id FROM render_views WHERE id = ?", (render_id,)
    ).fetchone()
    return None if row is None else row[0]


def _micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


# -- queries ------------------------------------------------------------------------


class AuditFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What ``GET /v1/audit`` narrows the log to; every field is optional."""

    project_id: str | None = None
    actor: str | None = None
    request_id: str | None = None
    type: str | None = None
    since_us: int | None = None
    until_us: int | None = None


def list_audit(
    views: ViewStore, where: AuditFilter, *, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    """Newest first; the cursor is the opaque position of the last item seen."""
    clauses: list[str] = ["position < ?"]
    args: list[str | int] = [decode_cursor(cursor)]
    for column, value in (
        ("project_id", where.project_id),
        ("actor", where.actor),
        ("request_id", where.request_id),
        ("type", where.type),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            args.append(value)
    if where.since_us is not None:
        clauses.append("at_us >= ?")
        args.append(where.since_us)
    if where.until_us is not None:
        clauses.append("at_us < ?")
        args.append(where.until_us)
    with views.read() as db:
        rows = list(
            db.execute(
                f"SELECT position, document FROM audit_log WHERE {' AND '.join(clauses)} "  # noqa: S608
                "ORDER BY position DESC LIMIT ?",
                (*args, limit + 1),
            )
        )
    items = [_decode(document) for _, document in rows[:limit]]
    return items, encode_cursor(rows[limit - 1][0]) if len(rows) > limit else None


def parse_time(value: str, field: str) -> int:
    """A time filter: Unix seconds (a number) or ISO 8601; in microseconds since 1970."""
    text = value.strip()
    try:
        return round(float(text) * 1_000_000)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Rejected(
            [
                error_item(
                    "invalid_time",
                    ("query", field),
                    f"{field} must be Unix seconds or an ISO 8601 time, not {value!r}",
                    "send e.g. 1767225600 or 2026-01-01T00:00:00Z",
                )
            ]
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _micros(moment)
