"""Scale-out as an operator runs it: two API processes and two worker processes, each
with its own data directory and read models, sharing the log on PostgreSQL and the jobs
on Redis. Edits go through both APIs, renders are picked up by both workers, and both
nodes' read models end equal."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.conftest import ADMIN_KEY
from tests.servers import fresh_database, fresh_namespace, server_urls
from tests.webhooks._receiver import Receiver

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

from tests.e2e.test_serve import free_port

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
RENDERS = 6


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


@pytest.fixture
def cluster(tmp_path: Path, media_dir: Path) -> Iterator[tuple[list[str], list[Node]]]:
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
            for name in ("api-a", "api-b"):
                port = free_port()
                nodes.append(
                    Node(
                        ["serve", "--port", str(port), "--data-dir", str(tmp_path / name)],
                        {**env, "STOAT_RUN_JOBS": "false"},
                        tmp_path / f"{name}.log",
                    )
                )
                urls.append(f"http://127.0.0.1:{port}")
            for name in ("worker-a", "worker-b"):
                nodes.append(
                    Node(
                        ["worker", "--data-dir", str(tmp_path / name)],
                        env,
                        tmp_path / f"{name}.log",
                    )
                )
            for url, node in zip(urls, nodes, strict=False):
                _wait_ready(url, node)
            for node in nodes[2:]:
                _wait_for_line(node, "worker running")
            yield urls, nodes
        finally:
            codes = [node.stop() for node in nodes]
        assert codes == [0, 0, 0, 0], "\n\n".join(node.output()[-3000:] for node in nodes)


def _wait_ready(url: str, node: Node) -> None:
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


def _wait_for_line(node: Node, text: str) -> None:
    deadline = time.monotonic() + 60
    while text not in node.output():
        assert node.process.poll() is None, node.output()
        assert time.monotonic() < deadline, f"{node.log.name} did not start:\n{node.output()}"
        time.sleep(0.2)


def _post(url: str, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = httpx.post(url, json=body, headers={**AUTH, **headers}, timeout=30)
    assert response.status_code in {200, 201, 202}, response.text
    return dict(response.json())


def _get(url: str, after: int) -> Any:
    response = httpx.get(url, headers={**AUTH, "X-Stoat-After": str(after)}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _clip(media_dir: Path, n: int) -> dict[str, Any]:
    colour = ("red", "green", "blue")[n % 3]
    return {
        "op": "add_clip",
        "clip_id": f"clip-{n}",
        "source": str(media_dir / f"{colour}.mp4"),
        "in": 0,
        "out": 1,
    }


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.mark.slow
def test_edits_and_renders_through_two_api_and_two_worker_processes(
    cluster: tuple[list[str], list[Node]], media_dir: Path, receiver: Receiver
) -> None:
    (api_a, api_b), nodes = cluster
    # A webhook subscribed on one API node; a worker (another process) seals nothing of
    # its own: it opens the secret with the deployment's key and signs each delivery.
    hook = _post(f"{api_b}/v1/webhooks", {"url": receiver.url, "event_types": ["RenderCompleted"]})
    receiver.secret = hook["secret"]
    project = _post(
        f"{api_a}/v1/projects",
        {"name": "scaled", "output": {"width": 160, "height": 120, "fps": "25"}},
    )
    project_id, version = project["id"], project["version"]
    # Edits alternate between the two API nodes, each checking the version the other wrote.
    for n in range(6):
        api = (api_a, api_b)[n % 2]
        written = _post(
            f"{api}/v1/projects/{project_id}/edits",
            {"edits": [_clip(media_dir, n)], "expected_version": version},
        )
        assert written["version"] == version + 1
        version = written["version"]
    renders = [
        _post(f"{(api_a, api_b)[n % 2]}/v1/projects/{project_id}/renders", {"preset": "preview"})
        for n in range(RENDERS)
    ]
    finished = [_wait_for_render(api_b if n % 2 else api_a, r) for n, r in enumerate(renders)]
    assert [r["status"] for r in finished] == ["completed"] * RENDERS, finished
    assert {r["project_version"] for r in finished} == {version}
    # Both workers rendered: each logs the jobs it ran.
    for worker in nodes[2:]:
        ran = [r["id"] for r in renders if r["id"] in worker.output()]
        assert ran, f"{worker.log.name} ran no render:\n{worker.output()[-3000:]}"
    # Every completion reached the webhook, signed with the secret API b handed out.
    deadline = time.monotonic() + 60
    while len(receiver.accepted) < RENDERS and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(receiver.accepted) >= RENDERS, [r.error for r in receiver.requests]
    # Every output exists once, and either API node serves it.
    for render in finished:
        for api in (api_a, api_b):
            download = httpx.get(f"{api}{render['output']['url']}", headers=AUTH, timeout=30)
            assert download.status_code == 200
            assert len(download.content) == render["output"]["size"]
    # The two nodes' read models agree, as of the same log position.
    position = max(r["position"] for r in renders)
    last = _get(f"{api_a}/v1/events?limit=1000", position)
    head = max(event["id"] for event in last["items"])
    for path in (
        f"/v1/projects/{project_id}",
        f"/v1/projects/{project_id}/timeline",
        f"/v1/projects/{project_id}/history",
        "/v1/projects",
        *(f"/v1/renders/{r['id']}" for r in renders),
    ):
        assert _get(f"{api_a}{path}", head) == _get(f"{api_b}{path}", head), path


def _wait_for_render(api: str, accepted: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        body: dict[str, Any] = _get(f"{api}/v1/renders/{accepted['id']}", accepted["position"])
        if body.get("status") in {"completed", "failed", "cancelled"}:
            return body
        time.sleep(0.3)
    raise AssertionError(f"render {accepted['id']} did not finish")
