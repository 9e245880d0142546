"""Rate limiting per API key: a token bucket each, kept in memory per process.

A bucket holds up to ``burst`` tokens and refills at ``rate`` tokens per second; each
request takes one. Responses carry the IETF draft headers (draft-ietf-httpapi-
ratelimit-headers, the separate-field form): ``RateLimit-Limit`` (the burst),
``RateLimit-Remaining`` (whole tokens left) and ``RateLimit-Reset`` (seconds until the
bucket is full again), with ``RateLimit-Policy: <burst>;w=<seconds to refill>``. An
empty bucket answers 429 problem+json with ``Retry-After``. Open routes (health,
metrics, the schema) are not limited.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec
from litestar.enums import ScopeType

from stoat.observability.metrics import RATE_LIMITED

if TYPE_CHECKING:
    from collections.abc import Callable

    from litestar.types import ASGIApp, Message, Receive, Scope, Send

MAX_BUCKETS = 10_000
"""Buckets kept at most; the least recently used go first (full buckets lose nothing)."""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    retry_after_seconds: int

    def headers(self, window: int) -> list[tuple[bytes, bytes]]:
        values = {
            b"ratelimit-limit": self.limit,
            b"ratelimit-remaining": self.remaining,
            b"ratelimit-reset": self.reset_seconds,
        }
        pairs = [(name, str(value).encode()) for name, value in values.items()]
        pairs.append((b"ratelimit-policy", f"{self.limit};w={window}".encode()))
        if not self.allowed:
            pairs.append((b"retry-after", str(self.retry_after_seconds).encode()))
        return pairs


class RateLimiter:
    """Token buckets by key; thread-safe."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limiter needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def window(self) -> int:
        """Seconds an empty bucket takes to refill."""
        return math.ceil(self.burst / self.rate)

    def take(self, key: str) -> Decision:
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        return Decision(
            allowed=allowed,
            limit=self.burst,
            remaining=int(tokens),
            reset_seconds=math.ceil((self.burst - tokens) / self.rate),
            retry_after_seconds=0 if allowed else max(1, math.ceil((1.0 - tokens) / self.rate)),
        )


def client_key(scope: Scope) -> str:
    """The bucket: a digest of the bearer key, or the client address without one."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, token = value.partition(b" ")
            if kind.lower() == b"bearer" and token.strip():
                return "key:" + hashlib.sha256(token.strip()).hexdigest()[:32]
    client = scope.get("client")
    return f"addr:{client[0] if client else 'unknown'}"


class RateLimitMiddleware:
    """Pure ASGI middleware (after routing, so open routes can be told apart)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if scope["type"] != ScopeType.HTTP or (handler is not None and handler.opt.get("public")):
            await self.app(scope, receive, send)
            return
        decision = self.limiter.take(client_key(scope))
        headers = decision.headers(self.limiter.window)
        if not decision.allowed:
            RATE_LIMITED.inc()
            await _refuse(send, headers, decision, self.limiter.rate)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _refuse(
    send: Send, headers: list[tuple[bytes, bytes]], decision: Decision, rate: float
) -> None:
    body = msgspec.json.encode(
        {
            "type": "https://stoat.dev/problems/rate_limited",
            "status": 429,
            "title": "Too Many Requests",
            "detail": (
                f"this API key may make {decision.limit} requests in a burst and "
                f"{rate:g} a second after that; retry after {decision.retry_after_seconds} s"
            ),
            "code": "rate_limited",
            "errors": [],
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
