"""X-Request-ID: echoed when the client sent one, generated otherwise."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from uuid import uuid4

import structlog
from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
_ACCEPTABLE = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")


class RequestIdMiddleware:
    """Pure ASGI middleware, so the header is on every response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(HEADER, b"")
        request_id = sent if _ACCEPTABLE.match(sent) else uuid4().hex.encode()
        scope.setdefault("state", {})["request_id"] = request_id.decode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((HEADER, request_id))
                message["headers"] = headers
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id.decode()):
            await self.app(scope, receive, send_with_id)
