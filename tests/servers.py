"""The PostgreSQL and Redis servers of the scale-out tests: a fresh database and a fresh
key namespace per test, on the servers that ``scripts/test`` starts on loopback.

``STOAT_TEST_POSTGRES_URL`` and ``STOAT_TEST_REDIS_URL`` name the servers. Without them
the scale-out tests skip, unless ``STOAT_TEST_REQUIRE_SERVERS=1`` (as in CI), where a
missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator


def server_urls() -> tuple[str, str]:
    """The admin URLs of the test servers, or a skip (a failure where they are required)."""
    postgres = os.environ.get("STOAT_TEST_POSTGRES_URL", "")
    redis = os.environ.get("STOAT_TEST_REDIS_URL", "")
    if postgres and redis:
        return postgres, redis
    reason = "STOAT_TEST_POSTGRES_URL and STOAT_TEST_REDIS_URL are not set (scripts/test sets them)"
    if os.environ.get("STOAT_TEST_REQUIRE_SERVERS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    import psycopg

    name = f"stoat_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_namespace(redis_url: str) -> Iterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards."""
    import redis

    namespace = f"stoat-test-{uuid.uuid4().hex[:12]}"
    try:
        yield namespace
    finally:
        client = redis.Redis.from_url(redis_url)
        try:
            keys = list(client.scan_iter(match=f"{namespace}:*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()
