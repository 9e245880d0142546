"""A webhook endpoint for tests: a threaded HTTP server on 127.0.0.1 that checks each
request's Standard Webhooks signature and can be told to fail.

The verifier is written from the Standard Webhooks specification, apart from Stoat's
signing code, so a test that passes shows the two agree on the spec, not on a shared bug.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

TOLERANCE_SECONDS = 5 * 60


class VerificationError(Exception):
    """The request is not a genuine, fresh webhook from the holder of the secret."""


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: float = TOLERANCE_SECONDS,
) -> Any:
    """Checks a delivery as a Standard Webhooks consumer must; returns the parsed body.

    The timestamp must lie within ``tolerance`` of ``now`` (either way), and one of the
    space-separated ``v1,`` signatures must equal the HMAC-SHA256 of
    ``{id}.{timestamp}.{body}`` keyed with the base64-decoded secret, compared in
    constant time.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    message_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not (message_id and timestamp and signatures):
        raise VerificationError("missing webhook headers")
    if not timestamp.isdigit():
        raise VerificationError("the timestamp is not an integer")
    current = time.time() if now is None else now
    if int(timestamp) < current - tolerance:
        raise VerificationError("the timestamp is too old")
    if int(timestamp) > current + tolerance:
        raise VerificationError("the timestamp is too new")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = hmac.new(key, signed, hashlib.sha256).digest()
    for candidate in signatures.split(" "):
        version, _, encoded = candidate.partition(",")
        if version != "v1":
            continue
        try:
            given = base64.b64decode(encoded, validate=True)
        except ValueError:
            continue
        if hmac.compare_digest(given, expected):
            return json.loads(body)
    raise VerificationError("no matching signature")


@dataclass
class Request:
    """One request the receiver got."""

    headers: dict[str, str]
    body: bytes
    at: float
    """time.monotonic() on arrival."""
    status: int
    """What the receiver answered."""
    error: str | None = None
    """Why the signature check failed, if it did."""

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """Accepts verified webhooks with 204; fails the next ``fail_next`` with
    ``fail_status``; answers 401 to anything that does not verify."""

    secret: str | None = None
    fail_next: int = 0
    fail_status: int = 500
    clock_offset: float = 0.0
    """Added to the receiver's clock: set it to make every timestamp look stale."""
    requests: list[Request] = field(default_factory=list)
    scheme: str = "http"
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def start(self, certfile: str | None = None) -> Receiver:
        """Serves on a free port of 127.0.0.1; over TLS with ``certfile`` (cert and key)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, _ = receiver._judge(dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if certfile is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}/hooks/stoat?source=test"

    def _judge(self, headers: dict[str, str], body: bytes) -> tuple[int, str | None]:
        lowered = {key.lower(): value for key, value in headers.items()}
        error = None
        with self._lock:
            if self.secret is not None:
                try:
                    verify(self.secret, lowered, body, now=time.time() + self.clock_offset)
                except VerificationError as failure:
                    error = str(failure)
            if error is not None:
                status = 401
            elif self.fail_next > 0:
                self.fail_next -= 1
                status = self.fail_status
            else:
                status = 204
            self.requests.append(Request(lowered, body, time.monotonic(), status, error))
        return status, error

    # -- for the tests --------------------------------------------------------------

    @property
    def accepted(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def snapshot(self) -> list[Request]:
        with self._lock:
            return list(self.requests)

    def wait_for(
        self, predicate: Callable[[list[Request]], bool], timeout: float = 15.0
    ) -> list[Request]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            requests = self.snapshot()
            if predicate(requests):
                return requests
            time.sleep(0.02)
        raise AssertionError(f"the receiver did not see that in {timeout} s: {self.snapshot()}")

    def wait_accepted(self, count: int, timeout: float = 15.0) -> list[Request]:
        self.wait_for(lambda rs: sum(200 <= r.status < 300 for r in rs) >= count, timeout)
        return self.accepted
