"""RFC 9457 problem+json responses for every error Stoat returns.

Each problem has a stable machine ``code`` and ``errors: [{path, code, message, hint}]``
whose ``path`` names the offending field as ``edits[2].out``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import structlog
from eventsourcing.persistence import OperationalError
from litestar import Response
from litestar.exceptions import ClientException, HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from stoat.errors import (
    NotFound,
    PathForbidden,
    ReadTimeout,
    Rejected,
    StoreUnavailable,
    VersionConflict,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from litestar import Request
    from litestar.types import ExceptionHandlersMap

PROBLEM_JSON = "application/problem+json"

log = structlog.get_logger(__name__)


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"https://stoat.dev/problems/{code}",
        "status": status,
        "title": title,
        "detail": detail,
        "code": code,
        "errors": list(errors),
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def format_path(loc: Sequence[str | int]) -> str:
    """``("edits", 2, "out")`` -> ``edits[2].out``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def on_rejected(_: Request[Any, Any, Any], exc: Rejected) -> Response[dict[str, Any]]:
    errors: list[dict[str, Any]] = [
        {
            "path": format_path(item["loc"]),
            "code": item["code"],
            "message": item["msg"],
            "hint": item["hint"],
            **({"context": item["ctx"]} if item["ctx"] else {}),
        }
        for item in exc.errors()
    ]
    first = errors[0]["code"] if len(errors) == 1 else "validation_failed"
    detail = "; ".join(f"{e['path'] or 'request'}: {e['message']}" for e in errors)
    return problem(HTTP_422_UNPROCESSABLE_ENTITY, first, exc.title, detail, errors=errors)


_FIELD = re.compile(r"field `([^`]+)`")


def on_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    """msgspec decoding errors: wrong types, unknown or missing fields, bad tags."""
    errors: list[dict[str, Any]] = []
    for message in exc.extra if isinstance(exc.extra, list) else []:
        text = str(message.get("message", "")) if isinstance(message, dict) else str(message)
        key = str(message.get("key", "")) if isinstance(message, dict) else ""
        code, path = _classify(text, key)
        errors.append({"path": path, "code": code, "message": text, "hint": _HINTS.get(code)})
    if not errors:
        errors.append({"path": "", "code": "invalid_request", "message": exc.detail, "hint": None})
    detail = "; ".join(f"{e['path'] or 'request'}: {e['message']}" for e in errors)
    code = errors[0]["code"] if len(errors) == 1 else "invalid_request"
    return problem(
        HTTP_422_UNPROCESSABLE_ENTITY, code, "The request is not valid", detail, errors=errors
    )


_HINTS = {
    "unknown_field": "remove the field; GET /schema/openapi.json lists the accepted ones",
    "missing_field": "add the field; GET /schema/openapi.json lists the required ones",
    "wrong_type": "send the type the schema names",
    "unknown_op": "use one of the ops listed in the OpenAPI schema",
}


def _classify(text: str, key: str) -> tuple[str, str]:
    # Litestar names the request body "data"; clients know only the body's own fields.
    key = key.removeprefix("data").removeprefix(".")
    field = _FIELD.search(text)
    if text.startswith("Object contains unknown field") and field:
        return "unknown_field", _join(key, field.group(1))
    if text.startswith("Object missing required field") and field:
        return "missing_field", _join(key, field.group(1))
    if text.startswith("Invalid value") and key.endswith(".op"):
        return "unknown_op", key
    if text.startswith("Expected"):
        return "wrong_type", key
    return "invalid_value", key


def _join(key: str, field: str) -> str:
    return f"{key}.{field}" if key else field


def on_not_found(_: Request[Any, Any, Any], exc: NotFound) -> Response[dict[str, Any]]:
    return problem(HTTP_404_NOT_FOUND, f"{exc.kind}_not_found", "Not found", str(exc))


def on_path_forbidden(_: Request[Any, Any, Any], exc: PathForbidden) -> Response[dict[str, Any]]:
    hint = "use a path under one of the allowed media roots (STOAT_MEDIA_ROOTS)"
    error = {"path": format_path(exc.loc), "code": "path_outside_roots", "message": str(exc)}
    return problem(
        403,
        "path_outside_roots",
        "Path outside the allowed media roots",
        f"{exc}; nothing was read. Allowed: {', '.join(exc.roots) or 'none configured'}",
        errors=[{**error, "hint": hint}],
    )


def on_conflict(request: Request[Any, Any, Any], exc: VersionConflict) -> Response[dict[str, Any]]:
    # A stale If-Match precondition is a 412; a stale body or a lost race is a 409.
    if request.headers.get("if-match") is not None:
        status, title = HTTP_412_PRECONDITION_FAILED, "Precondition failed"
    else:
        status, title = HTTP_409_CONFLICT, "Version conflict"
    return problem(
        status,
        "version_conflict",
        title,
        str(exc),
        headers={"ETag": f'"{exc.current}"'},
        current_version=exc.current,
    )


def on_read_timeout(_: Request[Any, Any, Any], exc: ReadTimeout) -> Response[dict[str, Any]]:
    return problem(
        HTTP_503_SERVICE_UNAVAILABLE,
        "read_models_behind",
        "The read models have not caught up yet",
        f"waited for log position {exc.position}; the read models are at {exc.reached}",
        headers={"Retry-After": "1"},
    )


# What an operator does about each way the storage refuses writes.
_STORAGE_HINTS = {
    "disk_full": "free disk space where the data directory lives, then retry",
    "read_only": "make the database file and its folder writable by the service, then retry",
    "io_error": "check the disk holding the data directory (space, mount, errors), then retry",
    "cannot_open": "check that the data directory exists and is writable, then retry",
}


def on_unavailable(
    _: Request[Any, Any, Any], exc: StoreUnavailable | OperationalError
) -> Response[dict[str, Any]]:
    # The event store's StorageUnavailableError names why; the write was not committed.
    reason = getattr(exc, "reason", None)
    if reason is None:
        errors: list[dict[str, Any]] = []
        detail, retry_after = str(exc) or type(exc).__name__, "5"
    else:
        message = f"the event store cannot take writes: {exc}"
        hint = f"{_STORAGE_HINTS.get(reason, 'retry later')}; resend with the same Idempotency-Key"
        errors = [{"path": "", "code": reason, "message": message, "hint": hint}]
        detail, retry_after = f"{message}; the write was rolled back", "30"
    return problem(
        HTTP_503_SERVICE_UNAVAILABLE,
        "store_unavailable",
        "The event store cannot take writes",
        detail,
        errors=errors,
        headers={"Retry-After": retry_after},
        **({"reason": reason} if reason else {}),
    )


def on_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    code = {
        HTTP_400_BAD_REQUEST: "malformed_request",
        401: "unauthorized",
        403: "forbidden",
        HTTP_404_NOT_FOUND: "not_found",
        405: "method_not_allowed",
        413: "body_too_large",
        415: "unsupported_media_type",
    }.get(status, "http_error")
    if type(exc) is ClientException and status == HTTP_400_BAD_REQUEST:
        # Litestar raises a bare ClientException when the body is not valid JSON.
        code = "malformed_json"
    return problem(status, code, _title(status), str(exc.detail), headers=exc.headers or None)


def on_internal(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.error("unhandled_error", exc_info=exc)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        "Internal server error",
        f"an unexpected {type(exc).__name__}; the request id identifies it in the logs",
    )


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    Rejected: on_rejected,
    ValidationException: on_validation,
    NotFound: on_not_found,
    PathForbidden: on_path_forbidden,
    VersionConflict: on_conflict,
    ReadTimeout: on_read_timeout,
    StoreUnavailable: on_unavailable,
    OperationalError: on_unavailable,
    HTTPException: on_http,
    Exception: on_internal,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "problem"]
