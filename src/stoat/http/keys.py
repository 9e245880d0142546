"""Admin endpoints for API keys."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from stoat.commands.keys import create_key, revoke_key
from stoat.commands.keys import register_public_key as register_public_key_command
from stoat.domain.api_key import Scope
from stoat.http.context import ServicesDep, await_position, event_context, principal
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


class RegisterPublicKey(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An Ed25519 public key to sign this API key's edits with, and proof of holding it."""

    public_key: str
    """Standard base64 of the raw 32-byte public key."""
    proof: str
    """The key's signature (base64) of ``stoat-public-key-v1\\n<API key id>\\n<public_key>``."""
    required: bool = True
    """Whether every edits request made with this API key must be signed from now on."""


@put("/v1/keys/me/public-key", sync_to_thread=True)
def register_public_key(
    request: Request[Any, Any, Any], data: JSONBody[RegisterPublicKey], services: ServicesDep
) -> dict[str, Any]:
    """Register the Ed25519 key that signs the calling API key's edits (``Stoat-Signature``
    on ``POST /v1/projects/{id}/edits``). A later registration replaces it; edits signed
    before keep their own key in their events."""
    caller = principal(request)
    fingerprint, result = register_public_key_command(
        services.app,
        caller.key_id,
        public_key=data.public_key,
        proof=data.proof,
        required=data.required,
        context=event_context(request),
    )
    services.keys.forget()
    return {
        **msgspec.to_builtins(result),
        "public_key": data.public_key,
        "public_key_id": fingerprint,
        "required": data.required,
    }


ROUTES = [create, list_keys, revoke, register_public_key]
