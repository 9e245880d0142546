"""The ``Stoat-Signature`` header on edits: read the raw body, verify, answer 401 if bad.

``POST /v1/projects/{id}/edits`` takes :data:`SIGNED_ROUTE` (the raw body as a
dependency and the 401 handler) and calls :func:`signed_context`; the format is in
:mod:`stoat.audit.requests`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Final

from litestar.di import Provide
from litestar.params import HeaderParameter

from stoat.audit.requests import SignatureRejected, sign_edits_context
from stoat.http.context import ServicesDep, principal
from stoat.http.problems import problem

if TYPE_CHECKING:
    from litestar import Request, Response

    from stoat.domain.context import EventContext

SIGNATURE_DESCRIPTION: Final = """\
Optional unless the API key registered its public key with `required: true`: an Ed25519
signature of the request by the key registered at `PUT /v1/keys/me/public-key`, as
`ed25519=<standard base64 of the 64-byte signature>`. It signs these bytes (UTF-8, lines
joined by `\\n`, no trailing newline):

```
stoat-edits-v1
POST
<the request path without the query, e.g. /v1/projects/<id>/edits>
<the Idempotency-Key header, which a signed request must carry>
<SHA-256 of the raw request body bytes, 64 lowercase hex digits>
```

A missing (when required), malformed or wrong signature is a 401 problem naming the
header, and nothing is appended. A valid one is stored in the context of every event
the request appends (`signature`: scheme, key id, public key, value, path and body
SHA-256), so anyone can check it later."""

SignatureHeader = Annotated[
    str | None,
    HeaderParameter(name="Stoat-Signature", required=False, description=SIGNATURE_DESCRIPTION),
]


async def _raw_body(request: Request[Any, Any, Any], services: ServicesDep) -> bytes:
    # Already read to decode ``data``: this returns the cached bytes. It takes
    # ``services`` only to be resolved after it: Litestar resolves independent
    # dependencies together in an anyio task group, which costs every edit more than
    # both dependencies do.
    del services
    return await request.body()


def on_signature_rejected(
    _: Request[Any, Any, Any], exc: SignatureRejected
) -> Response[dict[str, Any]]:
    return problem(
        401,
        exc.code,
        "The request signature was not accepted",
        exc.message,
        errors=[
            {
                "path": f"headers.{exc.header}",
                "code": exc.code,
                "message": exc.message,
                "hint": exc.hint,
            }
        ],
    )


SIGNED_ROUTE: Final[dict[str, Any]] = {
    "dependencies": {"raw_body": Provide(_raw_body)},
    "exception_handlers": {SignatureRejected: on_signature_rejected},
}
"""Keyword arguments for the route decorator of a signable request."""


def signed_context(
    request: Request[Any, Any, Any], context: EventContext, raw_body: bytes, header: str | None
) -> EventContext:
    """``context`` with the request's verified signature (``SignatureRejected`` if bad)."""
    return sign_edits_context(
        context,
        principal(request),
        path=request.scope["path"],
        header=header,
        idempotency_key=request.headers.get("idempotency-key"),
        body=raw_body,
    )
