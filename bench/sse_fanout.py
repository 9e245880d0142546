"""SSE fan-out: events per second delivered to 100 subscribers, and append-to-receipt latency.

Run from the repository root (not part of the test suite)::

    PYTHONPATH=src .venv/bin/python bench/sse_fanout.py

Starts ``stoat serve`` in a subprocess (a temporary data dir, loopback only), then opens
``--subscribers`` concurrent ``GET /v1/events/stream`` connections, spread over
``--client-processes`` processes (one asyncio loop each, on bare sockets). Once every
stream is live it appends, over HTTP (``POST /v1/projects``, one event each):

- paced: ``--paced`` events at ``--rate`` per second from one writer, for latency;
- burst: ``--burst`` events as fast as ``--writers`` concurrent writers can, for
  throughput: events delivered per second over all subscribers (burst events x
  subscribers / time from the first append to the last receipt).

Latency is measured per event and subscriber, from the event's own timestamp (taken by
the server when the command creates the event, before the commit) to the moment the
subscriber's process has the event's ``data`` line; both clocks are this machine's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Event

ADMIN_KEY = "stoat_bench-admin-key-0123456789abcdefghijklmnopqrstuv"
STOP = "stop"


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy_seconds() -> float:
    """CPU time spent by the whole machine so far, idle and iowait excluded (Linux)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "STOAT_ADMIN_KEY": ADMIN_KEY,
        "STOAT_LOG_LEVEL": "WARNING",
        # Checkpoint events would be fanned out too; keep the stream to what we append.
        "STOAT_AUDIT_CHECKPOINT_EVENTS": "0",
        "STOAT_AUDIT_CHECKPOINT_SECONDS": "0",
    }
    command = [sys.executable, "-m", "stoat.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).is_success:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    msg = "stoat serve did not become ready"
    raise RuntimeError(msg)


# -- subscribers (in child processes) --------------------------------------------------


STOP_MARK = b'"name":"' + STOP.encode() + b'"'


async def _subscribe(port: int, ready: list[int], received: list[tuple[float, bytes]]) -> None:
    """One SSE stream on a bare socket: HTTP/1.1, chunked, the data lines timestamped.

    A bare client keeps the subscribers' own CPU cost low, so that on a small machine
    the figures say more about the server than about the client library.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
    writer.write(
        (
            "GET /v1/events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {ADMIN_KEY}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )
    status = await reader.readline()
    assert b" 200 " in status, status
    chunked = False
    while (line := await reader.readline()) not in {b"\r\n", b""}:
        chunked = chunked or line.lower().replace(b" ", b"") == b"transfer-encoding:chunked\r\n"
    ready.append(1)
    pending = b""
    try:
        while True:
            if chunked:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    return
                data = (await reader.readexactly(size + 2))[:-2]
            else:
                data = await reader.read(2**16)
                if not data:
                    return
            now = time.time()
            *lines, pending = (pending + data).split(b"\n")
            for line in lines:
                if line.startswith(b"data:"):
                    received.append((now, line[5:]))
                    if STOP_MARK in line:
                        return
    finally:
        writer.close()


def _client_process(
    port: int, streams: int, ready: Event, results: Queue[list[list[tuple[float, bytes]]]]
) -> None:
    async def main() -> list[list[tuple[float, bytes]]]:
        received: list[list[tuple[float, bytes]]] = [[] for _ in range(streams)]
        connected: list[int] = []
        tasks = [
            asyncio.create_task(_subscribe(port, connected, received[i])) for i in range(streams)
        ]
        while len(connected) < streams:
            await asyncio.sleep(0.01)
        ready.set()
        await asyncio.gather(*tasks)
        return received

    results.put(asyncio.run(main()))


# -- writers ---------------------------------------------------------------------------


def _create(client: httpx.Client, name: str) -> int:
    response = client.post("/v1/projects", json={"name": name})
    response.raise_for_status()
    return int(response.json()["position"])


def _append_paced(base: str, count: int, rate: float) -> tuple[int, int]:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as client:
        start = time.monotonic()
        positions = []
        for i in range(count):
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            positions.append(_create(client, f"paced {i}"))
    return min(positions), max(positions)


def _append_burst(base: str, count: int, writers: int) -> tuple[int, int, float]:
    local = threading.local()
    clients: list[httpx.Client] = []

    def create(i: int) -> int:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {ADMIN_KEY}"}
            )
            clients.append(client)
        return _create(client, f"burst {i}")

    started = time.time()
    with ThreadPoolExecutor(writers) as pool:
        positions = list(pool.map(create, range(count)))
    for client in clients:
        client.close()
    return min(positions), max(positions), started


# -- the run ---------------------------------------------------------------------------


def _percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return (
        f"p50 {cut[49] * 1000:.1f} ms, p95 {cut[94] * 1000:.1f} ms, "
        f"p99 {cut[98] * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms"
    )


def _run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="stoat-sse-") as tmp:
        port = _free_port()
        server = _serve(Path(tmp) / "data", port)
        base = f"http://127.0.0.1:{port}"
        context = multiprocessing.get_context("spawn")
        results: Queue[list[list[tuple[float, bytes]]]] = context.Queue()
        per_process = [
            args.subscribers // args.client_processes
            + (1 if i < args.subscribers % args.client_processes else 0)
            for i in range(args.client_processes)
        ]
        readies = [context.Event() for _ in per_process]
        children = [
            context.Process(
                target=_client_process,
                args=(port, streams, ready, results),
            )
            for streams, ready in zip(per_process, readies, strict=True)
        ]
        try:
            for child in children:
                child.start()
            for ready in readies:
                assert ready.wait(120), "subscribers did not connect"
            time.sleep(0.5)
            paced = _append_paced(base, args.paced, args.rate)
            time.sleep(1.0)
            cpu = (_cpu_seconds(server.pid), _machine_busy_seconds())
            burst_first, burst_last, burst_started = _append_burst(base, args.burst, args.writers)
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN_KEY}"}) as c:
                _create(c, STOP)
            streams = [stream for _ in children for stream in results.get(timeout=600)]
            burst_wall = time.time() - burst_started
            used = (_cpu_seconds(server.pid) - cpu[0], _machine_busy_seconds() - cpu[1])
            for child in children:
                child.join(60)
        finally:
            for child in children:
                if child.is_alive():
                    child.kill()
            server.terminate()
            server.wait(30)
    _report(args, streams, paced, (burst_first, burst_last, burst_started))
    print(
        f"CPU during the burst ({burst_wall:.1f} s x {os.cpu_count()} CPUs): the server "
        f"{used[0]:.1f} s, the machine {used[1]:.1f} s (subscribers, writers, others)"
    )


def _report(
    args: argparse.Namespace,
    streams: list[list[tuple[float, bytes]]],
    paced: tuple[int, int],
    burst: tuple[int, int, float],
) -> None:
    paced_latency: list[float] = []
    burst_latency: list[float] = []
    last_burst_receipt = 0.0
    complete = 0
    for stream in streams:
        seen: set[int] = set()
        ordered, last = True, 0
        for received_at, data in stream:
            document: dict[str, Any] = json.loads(data)
            position = int(document["id"])
            ordered, last = ordered and position > last, position
            seen.add(position)
            latency = received_at - datetime.fromisoformat(document["timestamp"]).timestamp()
            if paced[0] <= position <= paced[1]:
                paced_latency.append(latency)
            elif burst[0] <= position <= burst[1]:
                burst_latency.append(latency)
                last_burst_receipt = max(last_burst_receipt, received_at)
        expected = set(range(paced[0], paced[1] + 1)) | set(range(burst[0], burst[1] + 1))
        complete += ordered and expected <= seen
    burst_events = burst[1] - burst[0] + 1
    elapsed = last_burst_receipt - burst[2]
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"subscribers: {len(streams)} in {args.client_processes} processes; "
        f"{complete} received every event, in order, without gaps"
    )
    print(
        f"paced: {paced[1] - paced[0] + 1} events at {args.rate}/s: "
        f"latency {_percentiles(paced_latency)}"
    )
    print(
        f"burst: {burst_events} events from {args.writers} writers, delivered to every "
        f"subscriber in {elapsed:.2f} s: {burst_events / elapsed:,.0f} events/s appended and "
        f"fanned out, {burst_events * len(streams) / elapsed:,.0f} deliveries/s; "
        f"latency {_percentiles(burst_latency)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--paced", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=4)
    _run(parser.parse_args())


if __name__ == "__main__":
    main()
