"""Editing-model targets of issue 3, measured (not a test).

Run from the repository root::

    .venv/bin/python bench/editing.py

1. Through the Python API: validating one edit against a 1,000-clip timeline
   (``Timeline.decide``), and timeline positions for 1,000 clips (``Timeline.layout``).
2. HTTP edit latency on a 100-clip project with one client (a ``stoat serve`` process,
   durable appends: ``synchronous=FULL``), p50 and p99.
3. Accepted edits per second with 16 concurrent clients (4 processes x 4 threads), each
   editing its own 100-clip project, durable appends.
4. Undo, and loading a project with 10,000 events (cold: no aggregate cache; snapshots
   every 100 events), median and p99.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from stoat._core import Timeline

ADMIN = "stoat_bench-admin-key-0123456789abcdefghijklmnop"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(name: str, samples: list[float], target: str) -> None:
    p50, p99 = statistics.median(samples), percentile(samples, 0.99)
    print(f"{name:58s} p50 {p50 * 1e3:8.3f} ms  p99 {p99 * 1e3:8.3f} ms  (target {target})")


def color(clip: str, seconds: float = 1.0) -> dict[str, Any]:
    return {"op": "add_clip", "kind": "color", "clip_id": clip, "color": "red", "duration": seconds}


# -- 1. the Python API ----------------------------------------------------------------
def bench_api() -> None:
    timeline = Timeline()
    for kind, data in Timeline.decide_create("bench", "bench", {}):
        timeline.evolve(kind, data)
    batch = [color(f"c{i}") for i in range(1000)]
    for kind, data in timeline.decide(batch, {}, None):
        timeline.evolve(kind, data)
    edit = [{"op": "update_clip", "clip_id": "c500", "duration": 2.5}]
    decide, layout = [], []
    for _ in range(2000):
        started = time.perf_counter()
        timeline.decide(edit, {}, None)
        decide.append(time.perf_counter() - started)
    for _ in range(500):
        started = time.perf_counter()
        timeline.layout()
        layout.append(time.perf_counter() - started)
    report("decide: 1 edit against 1,000 clips (Python API)", decide, "<= 1 ms")
    report("layout: positions of 1,000 clips (Python API)", layout, "<= 1 ms")


# -- 2 and 3. over HTTP ---------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "STOAT_ADMIN_KEY": ADMIN,
        "STOAT_SQLITE_SYNCHRONOUS": "FULL",
        "STOAT_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stoat.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/health/ready").status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def make_project(http: httpx.Client, clips: int) -> str:
    project = http.post("/v1/projects", json={"name": "bench"}).json()["id"]
    edits = [color(f"c{i}") for i in range(clips)]
    response = http.post(f"/v1/projects/{project}/edits", json={"edits": edits})
    assert response.status_code == 200, response.text
    return str(project)


def retime(http: httpx.Client, project: str, n: int) -> float:
    edit = {
        "edits": [{"op": "update_clip", "clip_id": f"c{n % 100}", "duration": 1.0 + (n % 7) / 10}]
    }
    started = time.perf_counter()
    response = http.post(f"/v1/projects/{project}/edits", json=edit)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


def bench_http_latency(base: str) -> None:
    with httpx.Client(base_url=base, headers=AUTH) as http:
        project = make_project(http, 100)
        for n in range(100):
            retime(http, project, n)
        samples = [retime(http, project, n) for n in range(1000)]
    report(
        "HTTP edit on a 100-clip project, 1 client, durable", samples, "p50 <= 3 ms, p99 <= 15 ms"
    )


def _client_process(base: str, threads: int, seconds: float, queue: Any) -> None:
    counts = [0] * threads

    def work(slot: int) -> None:
        with httpx.Client(base_url=base, headers=AUTH) as http:
            project = make_project(http, 100)
            deadline = time.perf_counter() + seconds
            n = 0
            while time.perf_counter() < deadline:
                retime(http, project, n)
                n += 1
            counts[slot] = n

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put(sum(counts))


def bench_http_concurrency(base: str, processes: int = 4, threads: int = 4) -> None:
    seconds = 10.0
    queue: Any = multiprocessing.get_context("spawn").Queue()
    spawn = multiprocessing.get_context("spawn")
    clients = [
        spawn.Process(target=_client_process, args=(base, threads, seconds, queue))
        for _ in range(processes)
    ]
    for client in clients:
        client.start()
    total = sum(queue.get() for _ in clients)
    for client in clients:
        client.join()
    rate = total / seconds
    print(
        f"{'HTTP edits accepted with 16 concurrent clients, durable':58s} "
        f"{rate:8.0f} edits/s (target >= 1,000)"
    )


# -- 4. undo and loading 10,000 events -------------------------------------------------
def bench_long_history(data_dir: Path) -> None:
    from stoat.commands import projects as commands
    from stoat.commands.application import StoatApplication
    from stoat.domain.context import system_context
    from stoat.settings import Settings

    settings = Settings(data_dir=data_dir, sqlite_synchronous="OFF")
    data_dir.mkdir(parents=True, exist_ok=True)
    app = StoatApplication(env=settings.environment())
    context = system_context("bench")
    project = commands.create_project(app, name="long", output={}, context=context).id
    loaded = commands.load_project(app, project)
    loaded.edit([color(f"c{i}") for i in range(100)], {}, {}, context)
    app.save(loaded)
    for n in range(9_899):
        loaded.edit(
            [{"op": "update_clip", "clip_id": f"c{n % 100}", "duration": 1.0 + (n % 9) / 10}],
            {},
            {},
            context,
        )
        if n % 500 == 0:
            app.save(loaded)
    app.save(loaded)
    version = commands.load_project(app, project).version
    app.close()
    cold = Settings(data_dir=data_dir, sqlite_synchronous="FULL")
    env = {**cold.environment(), "AGGREGATE_CACHE_MAXSIZE": ""}
    app = StoatApplication(env=env)
    loads, undos = [], []
    for _ in range(50):
        started = time.perf_counter()
        commands.load_project(app, project)
        loads.append(time.perf_counter() - started)
    for _ in range(50):
        started = time.perf_counter()
        commands.undo_project(
            app, project_id=project, steps=1, expected_version=None, context=context
        )
        undos.append(time.perf_counter() - started)
    app.close()
    report(f"load a project with {version:,} events (cold, snapshots)", loads, "<= 10 ms")
    report(f"undo one step on a project with {version:,} events (durable)", undos, "<= 10 ms")


def main() -> None:
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    bench_api()
    with tempfile.TemporaryDirectory() as scratch:
        server, base = start_server(Path(scratch) / "http")
        try:
            bench_http_latency(base)
            bench_http_concurrency(base)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        bench_long_history(Path(scratch) / "long")


if __name__ == "__main__":
    main()
