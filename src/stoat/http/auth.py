"""Bearer-key authentication and scope checks, as one guard on the API router.

Each route states the scope it needs in ``opt={"scope": ...}``; without one, reads
need ``read`` and every other method ``edit``. Routes marked ``opt={"public": True}``
(health) are open, as are metrics and the OpenAPI schema, which live outside the router.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.concurrency import sync_to_thread
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from stoat.commands.keys import UNCACHED
from stoat.domain.api_key import Scope
from stoat.http.context import PRINCIPAL_KEY

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

    from stoat.commands.keys import KeyRing

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def required_scope(connection: ASGIConnection[Any, Any, Any, Any], opt: dict[str, Any]) -> str:
    scope = opt.get("scope")
    if scope is not None:
        return str(scope)
    return Scope.READ.value if connection.scope.get("method") in READ_METHODS else Scope.EDIT.value


def bearer_guard(keys: KeyRing) -> Any:
    """The guard: 401 without a valid key, 403 without the route's scope.

    Async, so a key found in the ring's cache is checked on the event loop: a sync guard
    costs every request a round trip through the thread pool. Only a cache miss (a
    read of the log) goes to a thread.
    """

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        if handler.opt.get("public"):
            return
        header = connection.headers.get("authorization", "")
        kind, _, token = header.partition(" ")
        token = token.strip()
        if kind.lower() != "bearer" or not token:
            raise NotAuthorizedException(
                "send an API key as `Authorization: Bearer <key>`",
                headers={"WWW-Authenticate": 'Bearer realm="stoat"'},
            )
        principal = keys.cached(token)
        if principal is UNCACHED:
            principal = await sync_to_thread(keys.authenticate, token)
        if principal is None:
            raise NotAuthorizedException(
                "the API key is unknown or revoked",
                headers={"WWW-Authenticate": 'Bearer realm="stoat", error="invalid_token"'},
            )
        scope = required_scope(connection, handler.opt)
        if not principal.grants(scope):
            raise PermissionDeniedException(
                f"this key lacks the {scope!r} scope; it has {sorted(principal.scopes)}"
            )
        connection.scope.setdefault("state", {})[PRINCIPAL_KEY] = principal

    return guard
