"""Admin endpoints for API keys."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from stoat.commands.keys import create_key, revoke_key
from stoat.domain.api_key import Scope
from stoat.http.context import ServicesDep, await_position, event_context
from stoat.http.projects import After

ADMIN = {"scope": Scope.ADMIN.value}


class CreateKey(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str
    scopes: list[str]


@post("/v1/keys", status_code=HTTP_201_CREATED, sync_to_thread=True, opt=ADMIN)
def create(
    request: Request[Any, Any, Any], data: JSONBody[CreateKey], services: ServicesDep
) -> Response[Any]:
    """Create a key. Its secret (``key``) is in this response only: store it now."""
    token, result = create_key(
        services.app, name=data.name, scopes=data.scopes, context=event_context(request)
    )
    body = {
        **msgspec.to_builtins(result),
        "key": token,
        "name": data.name,
        "scopes": sorted(set(data.scopes)),
    }
    return Response(
        body, status_code=HTTP_201_CREATED, headers={"Location": f"/v1/keys/{result.id}"}
    )


@get("/v1/keys", sync_to_thread=True, opt=ADMIN)
def list_keys(
    services: ServicesDep,
    after: After,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    cursor: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """List keys (never their secrets), newest first."""
    await_position(services, after)
    items, next_cursor = services.views.list_keys(limit=limit, cursor=cursor)
    return {"items": items, "next": next_cursor}


@delete("/v1/keys/{key_id:str}", status_code=200, sync_to_thread=True, opt=ADMIN)
def revoke(
    request: Request[Any, Any, Any], key_id: FromPath[str], services: ServicesDep
) -> dict[str, Any]:
    """Revoke a key; requests with it fail with 401 from now on."""
    result = revoke_key(services.app, key_id, event_context(request))
    services.keys.forget()
    if result is None:
        return {"id": key_id, "revoked": True}
    return {**msgspec.to_builtins(result), "revoked": True}


ROUTES = [create, list_keys, revoke]
