"""Concurrent append throughput: N writer threads, stoat.eventstore against eventsourcing.sqlite.

Run from the repository root (not part of the test suite)::

    PYTHONPATH=src .venv/bin/python bench/append_concurrent.py

Each cell is (threads, events per save): the threads share one factory (as the threads
of one Application would), each makes its share of the cell's saves through the
application recorder's ``insert_events``, every save a new aggregate, on a fresh
database file. Rounds alternate which module goes first. Reported per cell: events per
second over the wall time from the start barrier to the last thread's end, the p50 and
p99 latency of one save (queueing included), and for stoat.eventstore the mean number
of saves per commit (group commit); medians of the rounds. "throughput ratio" is ours /
library, "p50 ratio" library p50 / ours.

Durability is the same for both: WAL and ``synchronous=FULL`` (one fdatasync of the WAL
per commit), read back from each module's writing connection and printed.
``eventsourcing.sqlite`` is used as shipped, which is its best configuration for
threads: its pool hands out one writer connection at a time (a Python lock, fair
queueing), so its writers never meet SQLite's sleeping busy handler; separate factories
per thread would. Its pool timeout (5 s) is far above any wait here.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import uuid4

import apsw

from append_throughput import MODULES, batches, make_factory, pragmas
from stoat.eventstore import ApswFactory

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import ApplicationRecorder, StoredEvent


@dataclass
class Cell:
    """One (threads, size, module) cell: per-round figures."""

    rates: list[float] = field(default_factory=list)
    p50s: list[float] = field(default_factory=list)
    p99s: list[float] = field(default_factory=list)
    per_commit: list[float] = field(default_factory=list)

    def add(self, events: int, wall_s: float, latencies_ns: list[int], commits: int) -> None:
        self.rates.append(events / wall_s)
        ordered = sorted(latencies_ns)
        self.p50s.append(ordered[len(ordered) // 2] / 1e6)
        self.p99s.append(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1e6)
        if commits:
            self.per_commit.append(len(latencies_ns) / commits)


def run_threads(
    recorder: ApplicationRecorder, work: Sequence[Sequence[list[StoredEvent]]]
) -> tuple[float, list[int]]:
    """Each thread saves its batches; returns wall seconds and every save's latency."""
    latencies: list[list[int]] = [[] for _ in work]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(work) + 1)

    def save_all(index: int) -> None:
        mine = latencies[index]
        barrier.wait()
        try:
            for batch in work[index]:
                started = time.perf_counter_ns()
                recorder.insert_events(batch)
                mine.append(time.perf_counter_ns() - started)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=save_all, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    return wall, [latency for per_thread in latencies for latency in per_thread]


def run_cell(
    directory: Path, module: str, synchronous: str, threads: int, size: int, saves: int
) -> tuple[float, list[int], int, int, str]:
    """Wall time, latencies, events, commits (0 if unknown) and the pragmas of one run."""
    factory = make_factory(module, str(directory / f"{uuid4().hex}.db"), synchronous)
    try:
        described = pragmas(factory)
        recorder = factory.application_recorder()
        for batch in batches(10, size):  # Warm-up: tables, statement caches.
            recorder.insert_events(batch)
        per_thread = saves // threads
        work = [batches(per_thread, size) for _ in range(threads)]
        generation = _commits(factory)
        wall, latencies = run_threads(recorder, work)
        commits = _commits(factory) - generation
    finally:
        factory.close()
    return wall, latencies, per_thread * threads * size, commits, described


def _commits(factory: object) -> int:
    # Only ours counts its commits (one per group); 0 means "one per save".
    return factory.datastore.commit_generation if isinstance(factory, ApswFactory) else 0


def fsync_probe(directory: Path, count: int = 200) -> float:
    """Median microseconds of a 4 KiB append plus fdatasync, the cost under every commit."""
    path = directory / "probe"
    timings = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for _ in range(count):
            started = time.perf_counter_ns()
            os.write(fd, b"x" * 4096)
            os.fdatasync(fd)
            timings.append(time.perf_counter_ns() - started)
    finally:
        os.close(fd)
        path.unlink()
    return statistics.median(timings) / 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--saves-1", type=int, default=3000, help="saves per cell, 1 event each")
    parser.add_argument("--saves-100", type=int, default=480, help="saves per cell, 100 events")
    parser.add_argument("--synchronous", default="FULL")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files")
    args = parser.parse_args(argv)

    print(
        f"python {platform.python_version()}, apsw {apsw.apsw_version()} "
        f"(SQLite {apsw.sqlite_lib_version()}), stdlib sqlite3 {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs"
    )
    results: dict[tuple[int, int, str], Cell] = {}
    seen: dict[str, str] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="stoat-bench-") as tmp:
        directory = Path(tmp)
        print(f"fdatasync probe: median {fsync_probe(directory):.0f} µs per 4 KiB append")
        for round_number in range(args.rounds):
            order = MODULES if round_number % 2 == 0 else MODULES[::-1]
            for threads in args.threads:
                for size in args.sizes:
                    saves = args.saves_1 if size == 1 else args.saves_100
                    for module in order:
                        wall, latencies, events, commits, described = run_cell(
                            directory, module, args.synchronous, threads, size, saves
                        )
                        seen[module] = described
                        cell = results.setdefault((threads, size, module), Cell())
                        cell.add(events, wall, latencies, commits)
    print(f"finished in {time.monotonic() - started:.0f} s, {args.rounds} rounds\n")
    for module, described in sorted(seen.items()):
        print(f"- {module}: {described}")
    print()
    print_table(results)
    return 0


def print_table(results: dict[tuple[int, int, str], Cell]) -> None:
    print(
        "| threads | events/save | module | events/s | p50 ms/save | p99 ms/save "
        "| saves/commit | throughput ratio | p50 ratio |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for (threads, size, module), ours in results.items():
        if module != MODULES[1]:
            continue
        library = results[(threads, size, MODULES[0])]
        throughput = statistics.median(ours.rates) / statistics.median(library.rates)
        latency = statistics.median(library.p50s) / statistics.median(ours.p50s)
        for name, cell in ((MODULES[0], library), (module, ours)):
            per_commit = f"{statistics.median(cell.per_commit):.1f}" if cell.per_commit else "1"
            ratios = f"{throughput:.2f}x | {latency:.2f}x" if cell is ours else " | "
            print(
                f"| {threads} | {size} | {name} | {statistics.median(cell.rates):,.0f} "
                f"| {statistics.median(cell.p50s):.3f} | {statistics.median(cell.p99s):.3f} "
                f"| {per_commit} | {ratios} |"
            )


if __name__ == "__main__":
    sys.exit(main())
