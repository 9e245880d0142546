"""Editing-model targets of issue 3, measured (not a test).

Run from the repository root (``--help`` for the options)::

    .venv/bin/python bench/editing.py

1. Through the Python API: validating one edit against a 1,000-clip timeline
   (``Timeline.decide``), and timeline positions for 1,000 clips (``Timeline.layout``).
2. HTTP edit latency on a 100-clip project with one client (a ``stoat serve`` process,
   durable appends: ``synchronous=FULL``), p50 and p99.
3. Accepted edits per second with 16 concurrent clients (4 processes x 4 threads), each
   editing its own 100-clip project, durable appends.
4. Undo, and loading a project with 10,000 events (cold: no aggregate cache; snapshots
   every 100 events), median and p99.

The HTTP clients of (2) and (3) share the machine with the server, so they are kept
light: each is one keep-alive ``http.client`` connection sending a request encoded
beforehand (a tenth of httpx's CPU per request), so that the figures are the server's.
``--client httpx`` measures with httpx instead.
"""

from __future__ import annotations

import argparse
import http.client
import json
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


class Client:
    """One keep-alive connection to the server; ``post`` returns (status, body)."""

    def __init__(self, base: str, kind: str = "http.client") -> None:
        self.kind = kind
        if kind == "httpx":
            self._httpx = httpx.Client(base_url=base, headers=AUTH)
        else:
            host, _, port = base.removeprefix("http://").partition(":")
            self._conn = http.client.HTTPConnection(host, int(port))
            self._headers = {**AUTH, "Content-Type": "application/json"}

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.kind == "httpx":
            answer = self._httpx.post(
                path, content=body, headers={"content-type": "application/json"}
            )
            return answer.status_code, answer.content
        self._conn.request("POST", path, body, self._headers)
        response = self._conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        if self.kind == "httpx":
            self._httpx.close()
        else:
            self._conn.close()


def make_project(client: Client, clips: int) -> str:
    status, body = client.post("/v1/projects", json.dumps({"name": "bench"}).encode())
    assert status == 201, body
    project = json.loads(body)["id"]
    edits = [color(f"c{i}") for i in range(clips)]
    status, body = client.post(
        f"/v1/projects/{project}/edits", json.dumps({"edits": edits}).encode()
    )
    assert status == 200, body
    return str(project)


def retime_requests(project: str) -> list[tuple[str, bytes]]:
    """The retiming edits, encoded once: clip ``c{n % 100}`` to one of 7 durations."""
    path = f"/v1/projects/{project}/edits"
    return [
        (
            path,
            json.dumps(
                {"edits": [{"op": "update_clip", "clip_id": f"c{n}", "duration": 1.0 + k / 10}]}
            ).encode(),
        )
        for k in range(7)
        for n in range(100)
    ]


def retime(client: Client, requests: list[tuple[str, bytes]], n: int) -> float:
    path, body = requests[(n % 7) * 100 + n % 100]
    started = time.perf_counter()
    status, answer = client.post(path, body)
    elapsed = time.perf_counter() - started
    assert status == 200, answer
    return elapsed


def bench_http_latency(base: str, kind: str, edits: int) -> None:
    client = Client(base, kind)
    requests = retime_requests(make_project(client, 100))
    for n in range(100):
        retime(client, requests, n)
    samples = [retime(client, requests, n) for n in range(edits)]
    client.close()
    report(
        "HTTP edit on a 100-clip project, 1 client, durable", samples, "p50 <= 3 ms, p99 <= 15 ms"
    )


def _client_process(
    base: str, kind: str, threads: int, seconds: float, ready: Any, go: Any, queue: Any
) -> None:
    counts = [0] * threads
    clients = [Client(base, kind) for _ in range(threads)]
    plans = [retime_requests(make_project(client, 100)) for client in clients]
    ready.put(True)
    go.wait()

    def work(slot: int) -> None:
        client, requests = clients[slot], plans[slot]
        deadline = time.perf_counter() + seconds
        n = 0
        while time.perf_counter() < deadline:
            retime(client, requests, n)
            n += 1
        counts[slot] = n

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for client in clients:
        client.close()
    queue.put(sum(counts))


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) that process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_processes(server: int) -> dict[str, int]:
    """The API process and, when it has one, its companion (``stoat background``)."""
    found = {"API": server}
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if parent == server and b"background" in command:
            found["companion"] = int(entry.name)
    return found


def bench_http_concurrency(
    base: str, kind: str, seconds: float, server: int, processes: int = 4, threads: int = 4
) -> float:
    """Edits accepted per second from ``processes`` x ``threads`` closed-loop clients,
    and the server's CPU time per edit (its API process and its companion apart).

    Every client makes its project first; the clock starts when all are ready.
    """
    spawn = multiprocessing.get_context("spawn")
    ready, queue, go = spawn.Queue(), spawn.Queue(), spawn.Event()
    clients = [
        spawn.Process(target=_client_process, args=(base, kind, threads, seconds, ready, go, queue))
        for _ in range(processes)
    ]
    for client in clients:
        client.start()
    for _ in clients:
        ready.get()
    watched = server_processes(server)
    before = {name: cpu_seconds(pid) for name, pid in watched.items()}
    go.set()
    total: int = sum(queue.get() for _ in clients)
    used = {name: cpu_seconds(pid) - before[name] for name, pid in watched.items()}
    for client in clients:
        client.join()
    rate = total / seconds
    name = f"HTTP edits accepted with {processes * threads} concurrent clients, durable"
    print(f"{name:58s} {rate:8.0f} edits/s (target >= 1,000)")
    per_edit = ", ".join(f"{part} {1000 * cpu / total:.2f} ms" for part, cpu in used.items())
    print(f"{'  server CPU per edit':58s} {per_edit}")
    return rate


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        choices=["api", "latency", "concurrency", "history"],
        action="append",
        help="run only these parts (repeatable); default: all",
    )
    parser.add_argument("--client", choices=["http.client", "httpx"], default="http.client")
    parser.add_argument("--edits", type=int, default=1000, help="timed edits of (2)")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of (3)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat (2) and (3)")
    args = parser.parse_args()
    parts = set(args.only or ["api", "latency", "concurrency", "history"])
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        f", load average {os.getloadavg()[0]:.1f}"
    )
    if "api" in parts:
        bench_api()
    with tempfile.TemporaryDirectory() as scratch:
        if parts & {"latency", "concurrency"}:
            server, base = start_server(Path(scratch) / "http")
            try:
                for _ in range(args.rounds):
                    if "latency" in parts:
                        bench_http_latency(base, args.client, args.edits)
                    if "concurrency" in parts:
                        bench_http_concurrency(base, args.client, args.seconds, server.pid)
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(30)
        if "history" in parts:
            bench_long_history(Path(scratch) / "long")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
