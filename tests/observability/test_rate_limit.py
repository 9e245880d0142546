"""Rate limiting per API key: token buckets, RateLimit headers, 429 with Retry-After."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import msgspec
import pytest
from litestar.testing import TestClient

from stoat.http.app import create_app
from stoat.observability.rate_limit import RateLimiter
from stoat.settings import Settings
from tests.conftest import ADMIN_KEY

if TYPE_CHECKING:
    from collections.abc import Iterator

    from litestar import Litestar

    from stoat.runtime import Runtime


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_the_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    decisions = [limiter.take("a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[0].reset_seconds == 1  # one token short of full, at 2 a second
    assert decisions[3].retry_after_seconds == 1
    assert limiter.take("b").allowed  # another key has its own bucket
    clock.now += 0.5
    assert limiter.take("a").allowed
    assert not limiter.take("a").allowed
    clock.now += 10
    assert limiter.take("a").remaining == 2  # refilled, capped at the burst


def test_retry_after_is_the_wait_for_one_token() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=0.1, burst=1, clock=clock)
    assert limiter.take("a").allowed
    refused = limiter.take("a")
    assert not refused.allowed
    assert refused.retry_after_seconds == 10
    assert limiter.window == 10


def test_a_limiter_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(rate=0, burst=1)


def test_settings_read_the_limits_from_the_environment() -> None:
    settings = Settings.from_env({"STOAT_RATE_LIMIT": "2.5", "STOAT_RATE_LIMIT_BURST": "7"})
    assert (settings.rate_limit, settings.rate_limit_burst) == (2.5, 7)
    assert Settings.from_env({}).rate_limit == 0  # off unless configured


@pytest.fixture
def limited(runtime: Runtime) -> Iterator[TestClient[Litestar]]:
    """The API with 3 requests a burst per key and one more a minute."""
    settings = msgspec.structs.replace(
        runtime.services.settings, rate_limit=1 / 60, rate_limit_burst=3
    )
    services = dataclasses.replace(runtime.services, settings=settings)
    with TestClient(create_app(services)) as client:
        client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        yield client


def test_responses_carry_ratelimit_headers_and_429_when_spent(
    limited: TestClient[Litestar],
) -> None:
    seen = [limited.get("/v1/projects") for _ in range(3)]
    assert [r.status_code for r in seen] == [200, 200, 200]
    assert [r.headers["RateLimit-Remaining"] for r in seen] == ["2", "1", "0"]
    assert all(r.headers["RateLimit-Limit"] == "3" for r in seen)
    assert seen[0].headers["RateLimit-Policy"] == "3;w=180"
    assert int(seen[2].headers["RateLimit-Reset"]) == 180
    refused = limited.post("/v1/projects", json={"name": "x"})
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.headers["Retry-After"] == "60"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["X-Request-ID"]
    body = refused.json()
    assert (body["status"], body["code"]) == (429, "rate_limited")
    assert limited.get("/v1/projects").status_code == 429  # still spent


def test_keys_have_separate_buckets_and_open_routes_are_not_limited(
    limited: TestClient[Litestar],
) -> None:
    for _ in range(3):
        limited.get("/v1/projects")
    assert limited.get("/v1/projects").status_code == 429
    other = limited.get("/v1/projects", headers={"Authorization": "Bearer stoat_unknown"})
    assert other.status_code == 401  # its own bucket: the guard answers, not the limiter
    assert other.headers["RateLimit-Remaining"] == "2"
    for path in ("/health/live", "/metrics", "/schema/openapi.json"):
        response = limited.get(path)
        assert response.status_code == 200, path
        assert "RateLimit-Limit" not in response.headers


def test_without_a_limit_there_are_no_headers(client: TestClient[Litestar]) -> None:
    assert "RateLimit-Limit" not in client.get("/v1/projects").headers
