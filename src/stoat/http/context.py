"""Small helpers every write or read handler shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Response
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from stoat.commands.idempotency import request_hash
from stoat.commands.keys import Principal
from stoat.domain.context import EventContext
from stoat.errors import Rejected, error_item
from stoat.services import Services

if TYPE_CHECKING:
    from litestar import Request

    from stoat.commands.results import WriteResult

PRINCIPAL_KEY = "stoat_principal"

# Handlers name the services they are given explicitly, as Litestar 3 requires.
ServicesDep = NamedDependency[Services]


def request_id(request: Request[Any, Any, Any]) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def principal(request: Request[Any, Any, Any]) -> Principal:
    """The caller, as authenticated by the guard (every non-public route has one)."""
    found = request.scope.get("state", {}).get(PRINCIPAL_KEY)
    if not isinstance(found, Principal):  # pragma: no cover - the guard ran first
        raise NotAuthorizedException("no authenticated caller")
    return found


def event_context(request: Request[Any, Any, Any], body: object = None) -> EventContext:
    """Who and why, recorded on every event the request causes.

    With an ``Idempotency-Key``, the fingerprint of the (decoded) body goes along, so a
    retry can be told from a different request that reuses the key.
    """
    caller = principal(request)
    key = request.headers.get("idempotency-key")
    return EventContext(
        actor=caller.key_id,
        actor_name=caller.name,
        request_id=request_id(request),
        idempotency_key=key,
        request_hash=request_hash([request.url.path, body]) if key else None,
    )


def expected_version(request: Request[Any, Any, Any], from_body: int | None) -> int | None:
    """``If-Match: "3"`` wins over ``expected_version`` in the body."""
    header = request.headers.get("if-match")
    if header is None:
        return from_body
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise Rejected(
            [
                error_item(
                    "invalid_if_match",
                    ("headers", "If-Match"),
                    f'If-Match must be a version in quotes, like "3", not {header!r}',
                    "send the ETag of the version you last read",
                )
            ]
        )
    return int(tag)


def await_position(services: Services, position: int | None) -> None:
    """Read-your-writes: wait (bounded) until the read models reach ``position``."""
    if position is not None:
        services.views.wait(position, timeout=services.settings.read_wait_seconds)


def write_response(
    result: WriteResult, status: int = 200, location: str | None = None
) -> Response[Any]:
    headers = {"ETag": f'"{result.version}"'}
    if location is not None:
        headers["Location"] = location
    return Response(msgspec.to_builtins(result), status_code=status, headers=headers)
