"""Stoat processes on one shared PostgreSQL log and Redis queue, for the scale-out tests."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from tests.conftest import ADMIN_KEY
from tests.e2e.test_serve import free_port
from tests.servers import fresh_database, fresh_namespace, server_urls

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


class Node:
    """One ``stoat`` process, its output in a file (read when the test fails)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._file = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stoat.cli", *args],
            env=env,
            stdout=self._file,
            stderr=subprocess.STDOUT,
        )

    killed = False

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        self.killed = True
        self.process.kill()
        self.process.wait()
        self._file.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._file.close()
        return code


@contextmanager
def cluster(
    tmp_path: Path, media_dir: Path, *, apis: int = 2, workers: int = 2
) -> Iterator[tuple[list[str], list[Node]]]:
    """``apis`` API processes (no jobs) and ``workers`` worker processes, each with its own
    data directory, all on a fresh database and Redis namespace. Yields the API URLs and
    the nodes (APIs first); on exit stops them all and checks they stopped cleanly."""
    postgres, redis = server_urls()
    with fresh_database(postgres) as database, fresh_namespace(redis) as namespace:
        env = {
            **os.environ,
            "STOAT_EVENT_STORE_URL": database,
            "STOAT_BROKER_URL": redis,
            "STOAT_BROKER_NAMESPACE": namespace,
            "STOAT_POSTGRES_POOL_SIZE": "4",
            "STOAT_ADMIN_KEY": ADMIN_KEY,
            # Every node signs checkpoints with the deployment's key, not one of its own.
            "STOAT_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
            "STOAT_WEBHOOK_SECRETS_KEY": base64.b64encode(os.urandom(32)).decode(),
            "STOAT_WEBHOOKS_ALLOW_PRIVATE": "true",
            "STOAT_MEDIA_ROOTS": str(media_dir),
            "STOAT_OUTPUT_DIR": str(tmp_path / "shared-outputs"),
            "STOAT_JOB_LEASE_SECONDS": "5",
            "STOAT_SQLITE_SYNCHRONOUS": "NORMAL",
        }
        nodes: list[Node] = []
        urls = []
        try:
            for name in (f"api-{n}" for n in range(apis)):
                port = free_port()
                nodes.append(
                    Node(
                        ["serve", "--port", str(port), "--data-dir", str(tmp_path / name)],
                        {**env, "STOAT_RUN_JOBS": "false"},
                        tmp_path / f"{name}.log",
                    )
                )
                urls.append(f"http://127.0.0.1:{port}")
            for name in (f"worker-{n}" for n in range(workers)):
                nodes.append(
                    Node(
                        ["worker", "--data-dir", str(tmp_path / name)],
                        env,
                        tmp_path / f"{name}.log",
                    )
                )
            for url, node in zip(urls, nodes, strict=False):
                wait_ready(url, node)
            for node in nodes[apis:]:
                wait_for_line(node, "worker running")
            yield urls, nodes
        finally:
            codes = [node.stop() for node in nodes if not node.killed]
        assert set(codes) <= {0}, "\n\n".join(node.output()[-3000:] for node in nodes)


def wait_ready(url: str, node: Node) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert node.process.poll() is None, node.output()
        assert time.monotonic() < deadline, f"{url} did not become ready:\n{node.output()}"
        time.sleep(0.2)


def wait_for_line(node: Node, text: str) -> None:
    deadline = time.monotonic() + 60
    while text not in node.output():
        assert node.process.poll() is None, node.output()
        assert time.monotonic() < deadline, f"{node.log.name} did not start:\n{node.output()}"
        time.sleep(0.2)


def post(url: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = httpx.post(url, json=body, headers={**AUTH, **headers}, timeout=30)
    assert response.status_code in {200, 201, 202}, response.text
    return dict(response.json())


def get(url: str, after: int) -> Any:
    response = httpx.get(url, headers={**AUTH, "X-Stoat-After": str(after)}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_render(api: str, accepted: dict[str, Any], timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = get(f"{api}/v1/renders/{accepted['id']}", accepted["position"])
        if body.get("status") in {"completed", "failed", "cancelled"}:
            return body
        time.sleep(0.3)
    raise AssertionError(f"render {accepted['id']} did not finish")
