"""Webhook subscriptions and their deliveries.

Every route needs the ``admin`` scope: a subscription sends every event of the chosen
types, from every project, to a URL of the caller's choosing, and makes the server
open connections on the caller's behalf. That is more than ``edit`` grants.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from stoat.commands._webhook_secrets import secret_box
from stoat.commands.results import WriteResult
from stoat.commands.webhooks import create_webhook, delete_webhook, enable_webhook
from stoat.domain.api_key import Scope
from stoat.domain.webhook import WebhookStatus
from stoat.http.context import ServicesDep, await_position, event_context
from stoat.http.projects import After
from stoat.projections import webhook_views

ADMIN = {"scope": Scope.ADMIN.value}
Limit = Annotated[int, QueryParameter(ge=1, le=500)]
DeliveryStatus = Literal["delivered", "retrying", "failed"]


class CreateWebhook(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Send events of ``event_types`` (``["*"]``: all) to ``url``, signed with ``secret``
    (a ``whsec_`` secret; made for you when left out)."""

    url: str
    event_types: list[str]
    secret: str | None = None


@post("/v1/webhooks", status_code=HTTP_201_CREATED, sync_to_thread=True, opt=ADMIN)
def create(
    request: Request[Any, Any, Any], data: JSONBody[CreateWebhook], services: ServicesDep
) -> Response[Any]:
    """Subscribe a URL. The signing ``secret`` is in this response only: store it now."""
    settings = services.settings
    secret, result = create_webhook(
        services.app,
        secret_box(settings.data_dir, settings.webhook_secrets_key),
        url=data.url,
        event_types=data.event_types,
        secret=data.secret,
        allow_private=settings.webhooks_allow_private,
        context=event_context(request, data),
    )
    created = result.events[0].data
    body = {
        "id": result.id,
        "version": result.version,
        "position": result.position,
        "url": created["url"],
        "event_types": created["event_types"],
        "status": WebhookStatus.ACTIVE.value,
        "secret": secret,
    }
    return Response(
        body,
        status_code=HTTP_201_CREATED,
        headers={"Location": f"/v1/webhooks/{result.id}", "ETag": f'"{result.version}"'},
    )


@get("/v1/webhooks", sync_to_thread=True, opt=ADMIN)
def list_webhooks(
    services: ServicesDep,
    after: After,
    limit: Limit = 50,
    cursor: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """Subscriptions (never their secrets), newest first."""
    await_position(services, after)
    items, next_cursor = webhook_views.list_webhooks(services.views, limit=limit, cursor=cursor)
    return {"items": items, "next": next_cursor}


@get("/v1/webhooks/{webhook_id:str}", sync_to_thread=True, opt=ADMIN)
def read_webhook(webhook_id: FromPath[str], services: ServicesDep, after: After) -> dict[str, Any]:
    """A subscription: its status, cursor, failures in a row and next retry."""
    await_position(services, after)
    return webhook_views.webhook(services.views, webhook_id)


@delete("/v1/webhooks/{webhook_id:str}", status_code=200, sync_to_thread=True, opt=ADMIN)
def remove(
    request: Request[Any, Any, Any], webhook_id: FromPath[str], services: ServicesDep
) -> dict[str, Any]:
    """Delete a subscription: nothing more is sent to it, retries included."""
    result = delete_webhook(services.app, webhook_id, event_context(request))
    if result is None:
        return {"id": webhook_id, "deleted": True}
    return {**_written(result), "deleted": True}


@post("/v1/webhooks/{webhook_id:str}/enable", status_code=200, sync_to_thread=True, opt=ADMIN)
def enable(
    request: Request[Any, Any, Any], webhook_id: FromPath[str], services: ServicesDep
) -> dict[str, Any]:
    """Resume a disabled subscription where it stopped: the event it failed on first."""
    result = enable_webhook(services.app, webhook_id, event_context(request))
    status = WebhookStatus.ACTIVE.value
    if result is None:
        return {"id": webhook_id, "status": status}
    return {**_written(result), "status": status}


@get("/v1/webhooks/{webhook_id:str}/deliveries", sync_to_thread=True, opt=ADMIN)
def list_deliveries(  # noqa: PLR0917 - the filters are query parameters
    webhook_id: FromPath[str],
    services: ServicesDep,
    after: After,
    limit: Limit = 50,
    cursor: FromQuery[str | None] = None,
    status: FromQuery[DeliveryStatus | None] = None,
) -> dict[str, Any]:
    """Deliveries, newest event first: each attempt's time, status code, latency and
    error, and when the next attempt is due."""
    await_position(services, after)
    items, next_cursor = webhook_views.list_deliveries(
        services.views, webhook_id, limit=limit, cursor=cursor, status=status
    )
    return {"items": items, "next": next_cursor}


def _written(result: WriteResult) -> dict[str, Any]:
    return {"id": result.id, "version": result.version, "position": result.position}


ROUTES = [create, list_webhooks, read_webhook, remove, enable, list_deliveries]
