"""One webhook attempt over HTTP: resolve, check, connect to the checked address, POST.

The standard library's ``http.client`` is driven by hand so the connection goes to an
address :func:`~stoat.commands._webhook_targets.resolve` has just allowed, while the
``Host`` header and TLS (SNI and certificate checks) use the URL's host name. Redirects
are not followed (a 3xx is a failure, as Standard Webhooks asks).
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from stoat.commands._webhook_targets import Target, TargetRefused, parse_target, resolve

MAX_RESPONSE = 512
"""Characters of a response body kept with a delivery attempt (for debugging)."""


@dataclass(frozen=True)
class Answer:
    """What came of one attempt."""

    status_code: int | None
    """None when no HTTP answer came (refused, timed out, reset)."""
    latency_us: int
    error: str
    """Empty on success."""
    response: str
    retry_after: float | None = None
    """Seconds the endpoint asked us to wait (``Retry-After``)."""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> Answer:
    """POSTs ``body`` to ``url``; never raises for network or HTTP failures."""
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1_000_000)

    connection: http.client.HTTPConnection | None = None
    try:
        target = parse_target(url)
        addresses = resolve(target, allow_private)
        connection = _connect(target, addresses, timeout)
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = _read_some(response, time.monotonic() + timeout)
        status = response.status
        latency = elapsed()
        error = "" if 200 <= status < 300 else f"HTTP {status} {response.reason}".strip()
        return Answer(status, latency, error, text, _retry_after(response.getheader("retry-after")))
    except TargetRefused as refused:
        return Answer(None, elapsed(), f"refused: {refused}", "")
    except (OSError, http.client.HTTPException, ssl.SSLError) as failure:
        return Answer(None, elapsed(), _describe(failure), "")
    finally:
        if connection is not None:
            connection.close()


def _connect(target: Target, addresses: list[str], timeout: float) -> http.client.HTTPConnection:
    last: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection((address, target.port), timeout=timeout)
        except OSError as error:
            last = error
            continue
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            context = ssl.create_default_context()
            try:
                sock = context.wrap_socket(sock, server_hostname=target.host)
            except BaseException:
                sock.close()
                raise
            connection = http.client.HTTPSConnection(
                target.host, target.port, timeout=timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
        connection.sock = sock  # connect() is skipped: the socket is already there
        return connection
    raise last or OSError("no address to connect to")


def _read_some(response: http.client.HTTPResponse, deadline: float) -> str:
    """The start of the answer's body, read for at most until ``deadline``: an endpoint
    that trickles its answer cannot hold a delivery thread for long."""
    wanted, chunks, size = MAX_RESPONSE * 4, [], 0
    while size < wanted and time.monotonic() < deadline:
        chunk = response.read1(wanted - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks).decode("utf-8", "replace")[:MAX_RESPONSE]


def _describe(failure: BaseException) -> str:
    if isinstance(failure, TimeoutError):
        return "timed out"
    text = str(failure) or type(failure).__name__
    return f"{type(failure).__name__}: {text}"


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
