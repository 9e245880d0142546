"""Append throughput on PostgreSQL: our chained recorder against eventsourcing's own.

Run from the repository root with a PostgreSQL server (``scripts/test`` starts one on
loopback; not part of the test suite)::

    PYTHONPATH=src .venv/bin/python bench/append_postgres.py \\
        --url postgresql://stoat:stoat@127.0.0.1:5432/stoat

Each cell is (writer threads, events per save) on a fresh database per module and round;
every save is a new aggregate through the application recorder's ``insert_events``.
Rounds alternate which module goes first. Reported per cell: events per second over the
wall time from the start barrier to the last writer's end, and the p50 latency of one
save; medians of the rounds. "ratio" is ours / library. Both take the same EXCLUSIVE table
lock per append; ours also reads the chain head and hashes each row, in the transaction.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import InfrastructureFactory, StoredEvent

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import fresh_database

from stoat.settings import Settings

MODULES = {"stoat (chained)": "stoat.eventstore.postgres", "eventsourcing.postgres": None}


def _env(url: str, module: str | None) -> dict[str, str]:
    env = Settings(event_store_url=url).environment()
    if module is None:
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
    return env


def run_cell(url: str, module: str | None, threads: int, per_save: int, saves: int) -> Any:
    with fresh_database(url) as database:
        factory = InfrastructureFactory.construct(env=_env(database, module))
        recorder = factory.application_recorder()
        state = b'{"name": "clip", "start": 0, "duration": 2.5}' * 4
        work = [
            [
                [StoredEvent(uuid4(), v, "bench.Event", state) for v in range(1, per_save + 1)]
                for _ in range(saves // threads)
            ]
            for _ in range(threads)
        ]
        latencies: list[float] = []
        lock = threading.Lock()
        barrier = threading.Barrier(threads + 1)

        def writer(batches: list[list[StoredEvent]]) -> None:
            mine = []
            barrier.wait()
            for batch in batches:
                started = time.perf_counter()
                recorder.insert_events(batch)
                mine.append(time.perf_counter() - started)
            with lock:
                latencies.extend(mine)

        pool = [threading.Thread(target=writer, args=(w,)) for w in work]
        for thread in pool:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in pool:
            thread.join()
        elapsed = time.perf_counter() - started
        factory.close()
    events = threads * (saves // threads) * per_save
    return events / elapsed, statistics.median(latencies) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("STOAT_TEST_POSTGRES_URL"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--saves", type=int, default=400)
    args = parser.parse_args()
    if not args.url:
        parser.error("--url (or STOAT_TEST_POSTGRES_URL) is required")
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    cells = [(1, 1), (8, 1), (1, 100)]
    columns = ["writers", "events/save", "ours ev/s", "library ev/s", "ratio"]
    columns += ["ours p50 ms", "library p50 ms"]
    print("| " + " | ".join(columns) + " |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for threads, per_save in cells:
        saves = args.saves if per_save == 1 else args.saves // 10
        results: dict[str, list[Any]] = {name: [] for name in MODULES}
        for round_ in range(args.rounds):
            order = list(MODULES.items())
            if round_ % 2:
                order.reverse()
            for name, module in order:
                results[name].append(run_cell(args.url, module, threads, per_save, saves))
        ours = [r[0] for r in results["stoat (chained)"]]
        theirs = [r[0] for r in results["eventsourcing.postgres"]]
        ours_p50 = statistics.median(r[1] for r in results["stoat (chained)"])
        theirs_p50 = statistics.median(r[1] for r in results["eventsourcing.postgres"])
        print(
            f"| {threads} | {per_save} | {statistics.median(ours):,.0f} | "
            f"{statistics.median(theirs):,.0f} | "
            f"{statistics.median(ours) / statistics.median(theirs):.2f} | "
            f"{ours_p50:.2f} | {theirs_p50:.2f} |"
        )
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
