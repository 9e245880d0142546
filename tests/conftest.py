"""Shared fixtures: generated media, a running Stoat runtime and an HTTP client."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from litestar.testing import TestClient

from stoat.http.app import create_app
from stoat.runtime import Runtime
from stoat.settings import Settings
from tests.media import make_clip
from tests.servers import fresh_database, fresh_namespace, server_urls

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from litestar import Litestar

    from tests.webhooks._receiver import Receiver


ADMIN_KEY = "stoat_test-admin-key-0123456789abcdefghijklmnopqrstuv"


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three 3-second clips: red and green with a tone, blue without audio."""
    root = tmp_path_factory.mktemp("media")
    make_clip(root / "red.mp4", color="red", seconds=3)
    make_clip(root / "green.mp4", color="lime", seconds=3, tone=880)
    make_clip(root / "blue.mp4", color="blue", seconds=3, tone=None)
    (root / "notes.txt").write_text("not a video")
    return root


SCALE_OUT = os.environ.get("STOAT_TEST_SCALE_OUT") == "1"
"""Run the suite in scale-out mode: the log on PostgreSQL, the jobs on Redis."""


@pytest.fixture
def settings(tmp_path: Path, media_dir: Path) -> Iterator[Settings]:
    base = Settings(
        data_dir=tmp_path / "data",
        media_roots=(media_dir,),
        sqlite_synchronous="NORMAL",
        read_wait_seconds=10.0,
        admin_key=ADMIN_KEY,
    )
    if not SCALE_OUT:
        yield base
        return
    postgres, redis = server_urls()
    with fresh_database(postgres) as database, fresh_namespace(redis) as namespace:
        yield msgspec.structs.replace(
            base,
            event_store_url=database,
            broker_url=redis,
            broker_namespace=namespace,
            postgres_pool_size=4,
        )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime(settings)
    runtime.provision_admin_key()
    runtime.start()
    try:
        yield runtime
    finally:
        runtime.stop()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient[Litestar]]:
    """An HTTP client authenticated with the admin key."""
    with TestClient(create_app(runtime.services)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        yield test_client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook endpoint on loopback (see ``tests/webhooks/_receiver.py``)."""
    from tests.webhooks._receiver import Receiver

    receiver = Receiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


def wait_for_render(
    client: TestClient[Litestar], accepted: dict[str, Any], timeout: float = 120.0
) -> dict[str, Any]:
    """Polls a render (from its 202 response) until it reaches a terminal status."""
    deadline = time.monotonic() + timeout
    url, after = f"/v1/renders/{accepted['id']}", {"X-Stoat-After": str(accepted["position"])}
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(url, headers=after).json()
        if body.get("status") in {"completed", "failed", "cancelled"}:
            return body
        time.sleep(0.2)
    raise AssertionError(f"render {accepted['id']} did not finish in {timeout} s")


@pytest.fixture
def live_server(runtime: Runtime) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, for streaming clients."""
    import socket
    import threading

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(runtime.services), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        thread.join(10)
