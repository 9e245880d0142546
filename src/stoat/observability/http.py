"""HTTP request metrics and log context, as pure ASGI middleware after routing.

Requests are counted by route template (``/v1/projects/{project_id}``), never by raw
path, so ids do not multiply the series. Edit batches are counted here, at the edge, by
op and by error code: the request body names each edit's op and a rejection's problem
names each offending edit (``edits[2].out``), so the commands stay free of metrics.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import msgspec
import structlog
from litestar.enums import ScopeType

from stoat._core import EDIT_OPS
from stoat.http.context import PRINCIPAL_KEY
from stoat.observability.metrics import (
    EDITS_ACCEPTED,
    EDITS_REJECTED,
    HTTP_REQUESTS,
    HTTP_SECONDS,
)

if TYPE_CHECKING:
    from litestar import Request
    from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

log = structlog.get_logger("stoat.http")

EDITS_ROUTE = "/v1/projects/{project_id}/edits"
_KNOWN_OPS = frozenset(EDIT_OPS)
_EDIT_INDEX = re.compile(r"^edits\[(\d+)\]")
_MAX_CAPTURE = 1 << 20
"""Edit batches larger than this (bytes) are not inspected for the edit counters."""


class ObservabilityMiddleware:
    """Counts and times every routed request; binds the project id to the log context."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", ""))
        route = scope.get("path_template") or "unmatched"
        project_id = scope.get("path_params", {}).get("project_id")
        edits = _EditCapture() if route == EDITS_ROUTE and method == "POST" else None
        status = 500
        started = time.perf_counter()

        async def receive_and_keep() -> ReceiveMessage:
            message = await receive()
            if edits is not None and message["type"] == "http.request":
                edits.request(message.get("body", b""))
            return message

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif edits is not None and message["type"] == "http.response.body":
                edits.response(message.get("body", b""))
            await send(message)

        context = {"project_id": str(project_id)} if project_id is not None else {}
        try:
            with structlog.contextvars.bound_contextvars(**context):
                await self.app(scope, receive_and_keep, send_and_note)
        finally:
            elapsed = time.perf_counter() - started
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_SECONDS.labels(method, route).observe(elapsed)
            if edits is not None:
                edits.count(status)
            log.info(
                "http_request",
                method=method,
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 3),
                **context,
            )


async def bind_actor(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook: after the guard, the caller's key id joins the log context.

    Async, so the binding is made in the request's task and reaches the handler (sync
    handlers run in a thread with a copy of the context).
    """
    principal = request.scope.get("state", {}).get(PRINCIPAL_KEY)
    if principal is not None:
        structlog.contextvars.bind_contextvars(actor=principal.key_id)


class _EditCapture:
    """Keeps an edit batch's request and (for a rejection) response bodies."""

    def __init__(self) -> None:
        self._request = bytearray()
        self._response = bytearray()

    def request(self, chunk: bytes) -> None:
        if len(self._request) + len(chunk) <= _MAX_CAPTURE:
            self._request += chunk
        else:
            self._request = bytearray(b"!")

    def response(self, chunk: bytes) -> None:
        if len(self._response) + len(chunk) <= _MAX_CAPTURE:
            self._response += chunk

    def count(self, status: int) -> None:
        ops = _ops(bytes(self._request))
        if not ops:
            return
        if 200 <= status < 300:
            for op in ops:
                EDITS_ACCEPTED.labels(op).inc()
            return
        for op, code in _rejections(ops, bytes(self._response)):
            EDITS_REJECTED.labels(op, code).inc()


def _ops(body: bytes) -> list[str]:
    try:
        batch = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return []
    edits = batch.get("edits") if isinstance(batch, dict) else None
    if not isinstance(edits, list):
        return []
    return [_op_label(edit) for edit in edits]


def _op_label(edit: object) -> str:
    op = edit.get("op") if isinstance(edit, dict) else None
    return op if isinstance(op, str) and op in _KNOWN_OPS else "unknown"


def _rejections(ops: list[str], body: bytes) -> list[tuple[str, str]]:
    """(op, code) per rejected edit: its own error codes, or the batch's problem code."""
    try:
        problem = msgspec.json.decode(body)
    except msgspec.DecodeError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    code = str(problem.get("code") or "error")
    named: dict[int, set[str]] = {}
    for error in problem.get("errors") or []:
        match = _EDIT_INDEX.match(str(error.get("path", ""))) if isinstance(error, dict) else None
        if match and int(match.group(1)) < len(ops):
            named.setdefault(int(match.group(1)), set()).add(str(error.get("code") or code))
    if not named:
        return [(op, code) for op in ops]
    out: list[tuple[str, str]] = []
    for index, op in enumerate(ops):
        out += [(op, each) for each in sorted(named.get(index, {"batch_rejected"}))]
    return out
