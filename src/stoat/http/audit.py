"""The audit log, its verification, checkpoints, and the service's public key.

The log and the verification need ``admin``: the log names every caller of every
project, and a verification reads the whole event store. The public key is open, so
that anyone holding a signed checkpoint can check it.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from stoat.audit.checkpoint import SCHEME, sign_checkpoint
from stoat.audit.signing import service_key
from stoat.audit.verify import verify_log
from stoat.domain.api_key import Scope
from stoat.errors import Rejected, error_item
from stoat.http.context import ServicesDep, await_position, event_context
from stoat.http.projects import After
from stoat.projections.audit_views import AuditFilter, list_audit, parse_time
from stoat.projections.event_json import event_topics

ADMIN = {"scope": Scope.ADMIN.value}
PUBLIC = {"public": True}

Text = Annotated[str | None, QueryParameter(required=False)]


@get("/v1/audit", sync_to_thread=True, opt=ADMIN)
def audit_log(  # noqa: PLR0917 - the filters are query parameters
    services: ServicesDep,
    after: After,
    project_id: Text = None,
    actor: Annotated[
        str | None, QueryParameter(description="An API key id (or `system`)", required=False)
    ] = None,
    request_id: Text = None,
    event_type: Annotated[
        str | None,
        QueryParameter(name="type", description="An event type, e.g. ClipAdded", required=False),
    ] = None,
    since: Annotated[
        str | None,
        QueryParameter(
            name="from",
            description="From this time, inclusive: Unix seconds or ISO 8601",
            required=False,
        ),
    ] = None,
    until: Annotated[
        str | None,
        QueryParameter(
            name="to",
            description="Up to this time, exclusive: Unix seconds or ISO 8601",
            required=False,
        ),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    cursor: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """Who did what: one entry per event, newest first, with its actor, request id,
    idempotency key and client signature; a project's entries include its renders'."""
    if event_type is not None and event_type not in event_topics():
        raise Rejected(
            [
                error_item(
                    "unknown_event_type",
                    ("query", "type"),
                    f"unknown event type {event_type!r}",
                    "use an event type name such as ClipAdded or RenderCompleted",
                )
            ]
        )
    where = AuditFilter(
        project_id=project_id,
        actor=actor,
        request_id=request_id,
        type=event_type,
        since_us=None if since is None else parse_time(since, "from"),
        until_us=None if until is None else parse_time(until, "to"),
    )
    await_position(services, after)
    items, next_cursor = list_audit(services.views, where, limit=limit, cursor=cursor)
    return {"items": items, "next": next_cursor}


@get("/v1/audit/verify", sync_to_thread=True, opt=ADMIN)
def verify(
    services: ServicesDep,
    position: Annotated[
        int | None,
        QueryParameter(ge=0, description="A position whose head you kept", required=False),
    ] = None,
    head: Annotated[
        str | None,
        QueryParameter(description="The chain hash you kept for `position` (hex)", required=False),
    ] = None,
) -> dict[str, Any]:
    """Recompute the hash chain and check every signed checkpoint.

    ``ok`` with the number of events and the head, or ``ok: false`` with the first bad
    ``fault.position``, a ``code`` (``missing_event``, ``unexpected_event``,
    ``hash_mismatch``, ``bad_signature``, ``untrusted_key``, ``bad_checkpoint``,
    ``checkpoint_mismatch``) and the reason. Pass ``position`` and ``head`` to check a
    head kept elsewhere too.
    """
    if (position is None) != (head is None):
        raise Rejected(
            [
                error_item(
                    "incomplete_expectation",
                    ("query", "head" if head is None else "position"),
                    "position and head go together",
                    "send both, or neither",
                )
            ]
        )
    key = service_key(services.settings)
    expected = [] if position is None or head is None else [(position, head)]
    report = verify_log(services.app, {key.key_id: key.public_key}, expected=expected)
    return report.document()


@post("/v1/audit/checkpoints", sync_to_thread=True, opt=ADMIN)
def checkpoint(request: Request[Any, Any, Any], services: ServicesDep) -> Response[Any]:
    """Sign the chain head now: 201 with the new checkpoint, or 200 with the last one if
    nothing has been appended since."""
    key = service_key(services.settings)
    document, made = sign_checkpoint(services.app, key, event_context(request))
    return Response(document, status_code=HTTP_201_CREATED if made else HTTP_200_OK)


@get("/v1/audit/public-key", sync_to_thread=True, opt=PUBLIC)
def public_key(services: ServicesDep) -> dict[str, Any]:
    """The Ed25519 key that signs checkpoints (open: no API key needed).

    A checkpoint's ``signature`` covers, in UTF-8 joined by newlines:
    ``stoat-audit-checkpoint-v1``, ``position=<n>``, ``head=<hex>``,
    ``signed_at=<ISO 8601>``, ``key_id=<key_id>``.
    """
    key = service_key(services.settings)
    return {
        "alg": "ed25519",
        "key_id": key.key_id,
        "public_key": key.public_key,
        "pem": key.public_pem,
        "checkpoint_scheme": SCHEME,
    }


ROUTES = [audit_log, verify, checkpoint, public_key]
