"""`stoat serve` as a user runs it: a live server on loopback, then a clean shutdown."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_and_shuts_down(tmp_path: Path, media_dir: Path) -> None:
    port = free_port()
    env = {**os.environ, "STOAT_MEDIA_ROOTS": str(media_dir)}
    env.pop("STOAT_ADMIN_KEY", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stoat.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            time.sleep(0.2)
        key_file = tmp_path / "data" / "admin.key"
        assert key_file.stat().st_mode & 0o777 == 0o600
        admin = {"Authorization": f"Bearer {key_file.read_text().strip()}"}
        assert httpx.post(f"{base}/v1/projects", json={"name": "x"}).status_code == 401
        created = httpx.post(f"{base}/v1/projects", json={"name": "live"}, headers=admin)
        assert created.status_code == 201
        position = created.json()["position"]
        listed = httpx.get(f"{base}/v1/projects", headers={**admin, "X-Stoat-After": str(position)})
        assert [item["name"] for item in listed.json()["items"]] == ["live"]
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    assert output.count("stoat_") == 1, "the admin key is printed once, on the first start"
    assert (tmp_path / "data" / "events.db").exists()
