"""Append throughput and latency: stoat.eventstore against eventsourcing.sqlite.

Run from the repository root (not part of the test suite)::

    PYTHONPATH=src .venv/bin/python bench/append_throughput.py

For each durability setting, every round appends through each module's application
recorder (``insert_events``) into a fresh database file: saves of 1 event, then saves
of 100 events, then the same through an ``eventsourcing`` ``Application`` (mapper and
transcoder included). Rounds alternate which module goes first. Reported: events per
second (median of the rounds), p50/p99 latency of one save (median of the rounds'
percentiles), the throughput ratio ours / library, and the p50 ratio library / ours
(throughput is a mean, so a few slow commits, such as a WAL checkpoint landing in one
module's run, move it; the p50 ratio shows the per-save cost without them).

Both modules run on files in WAL mode. ``eventsourcing.sqlite`` sets no
``synchronous``, so it runs with SQLite's default (FULL); "FULL" compares both at FULL.
For "NORMAL", the library's connections are given ``PRAGMA synchronous=NORMAL`` by a
wrapper here (the library has no setting for it), which shows the software overhead
without the fsync that FULL adds to every commit. The pragmas are read back from each
module's connections and printed.
"""

from __future__ import annotations

import argparse
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast
from uuid import UUID, uuid4

import apsw
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, StoredEvent
from eventsourcing.sqlite import SQLiteConnection, SQLiteFactory

from stoat.eventstore import ApswFactory

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from eventsourcing.utils import Environment

# A realistic small event body (an edit with actor, request id and time).
STATE = (
    b'{"actor":"key_01HZX","request_id":"req_7f3a9c","timestamp":"2026-11-21T06:11:17Z",'
    b'"clip_id":"clip_42","track":"v1","in_us":1200000,"out_us":4800000}'
)
MODULES = ("eventsourcing.sqlite", "stoat.eventstore")


@dataclass
class Series:
    """One (setting, workload, module) cell: per-round throughput and latencies."""

    rates: list[float] = field(default_factory=list)
    p50s: list[float] = field(default_factory=list)
    p99s: list[float] = field(default_factory=list)

    def add(self, events: int, latencies_ns: Sequence[int]) -> None:
        self.rates.append(events / (sum(latencies_ns) / 1e9))
        ordered = sorted(latencies_ns)
        self.p50s.append(ordered[len(ordered) // 2] / 1000)
        self.p99s.append(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000)


class Counted(Aggregate):
    """An aggregate whose every event is one small edit."""

    def __init__(self) -> None:
        self.n = 0

    class Edited(Aggregate.Event):
        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Counted)
            aggregate.n += 1


def library_factory(db_name: str, synchronous: str) -> SQLiteFactory:
    """eventsourcing.sqlite as shipped; for NORMAL, its new connections get the pragma."""
    factory = SQLiteFactory({"SQLITE_DBNAME": db_name, "CREATE_TABLE": "y"})
    if synchronous != "FULL":
        pool = factory.datastore.pool
        create = pool._create_connection

        def create_with_pragma() -> SQLiteConnection:
            conn = create()
            conn._sqlite_conn.execute(f"PRAGMA synchronous={synchronous}")
            return conn

        pool._create_connection = create_with_pragma  # type: ignore[method-assign]
    return factory


def our_factory(db_name: str, synchronous: str) -> ApswFactory:
    return ApswFactory({"APSW_DBNAME": db_name, "APSW_SYNCHRONOUS": synchronous})


def make_factory(module: str, db_name: str, synchronous: str) -> SQLiteFactory | ApswFactory:
    if module == "eventsourcing.sqlite":
        return library_factory(db_name, synchronous)
    return our_factory(db_name, synchronous)


def pragmas(factory: SQLiteFactory | ApswFactory) -> str:
    """journal_mode and synchronous as the writing connection reports them."""
    if isinstance(factory, ApswFactory):
        with factory.datastore.transaction() as cursor:
            journal = cursor.execute("PRAGMA journal_mode").fetchall()[0][0]
            sync = cursor.execute("PRAGMA synchronous").fetchall()[0][0]
    else:
        with factory.datastore.transaction(commit=True) as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            sync = cursor.fetchone()[0]
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"journal_mode={journal}, synchronous={names.get(int(str(sync)), sync)}"


def batches(count: int, size: int) -> list[list[StoredEvent]]:
    """``count`` saves of ``size`` new events each (built before timing starts)."""
    result = []
    for _ in range(count):
        originator_id: UUID = uuid4()
        result.append(
            [
                StoredEvent(originator_id, version, "bench:Edited", STATE)
                for version in range(1, size + 1)
            ]
        )
    return result


def time_calls(calls: Sequence[Callable[[], object]]) -> list[int]:
    latencies = []
    for call in calls:
        started = time.perf_counter_ns()
        call()
        latencies.append(time.perf_counter_ns() - started)
    return latencies


def run_recorder(recorder: ApplicationRecorder, saves: int, size: int, warmup: int) -> list[int]:
    for batch in batches(warmup, size):
        recorder.insert_events(batch)
    todo = batches(saves, size)
    return time_calls([partial(recorder.insert_events, batch) for batch in todo])


def run_application(app: Application[UUID], saves: int, size: int, warmup: int) -> list[int]:
    def aggregates(count: int) -> list[Counted]:
        made = []
        for _ in range(count):
            aggregate = Counted()
            for _ in range(size - 1):
                aggregate.trigger_event(Counted.Edited)
            made.append(aggregate)
        return made

    for aggregate in aggregates(warmup):
        app.save(aggregate)
    todo = aggregates(saves)
    return time_calls([partial(app.save, aggregate) for aggregate in todo])


WORKLOADS: dict[str, tuple[str, int]] = {
    "recorder, 1 event/save": ("recorder", 1),
    "recorder, 100 events/save": ("recorder", 100),
    "Application.save, 1 event/save": ("application", 1),
    "Application.save, 100 events/save": ("application", 100),
}


class BenchApplication(Application[UUID]):
    """An Application whose factory is built here, so both modules get the same pragmas."""

    def __init__(self, module: str, db_name: str, synchronous: str) -> None:
        self._bench = (module, db_name, synchronous)
        super().__init__()

    def construct_factory(self, env: Environment) -> InfrastructureFactory:  # noqa: ARG002
        # The generic parameter differs (each module's tracking recorder): irrelevant here.
        return cast("InfrastructureFactory", make_factory(*self._bench))


def run_cell(
    directory: Path, module: str, synchronous: str, workload: str, saves: dict[int, int]
) -> tuple[list[int], int, str]:
    kind, size = WORKLOADS[workload]
    db_name = str(directory / f"{uuid4().hex}.db")
    count = saves[size]
    if kind == "recorder":
        factory = make_factory(module, db_name, synchronous)
        try:
            described = pragmas(factory)
            latencies = run_recorder(factory.application_recorder(), count, size, warmup=10)
        finally:
            factory.close()
    else:
        app = BenchApplication(module, db_name, synchronous)
        try:
            assert isinstance(app.factory, SQLiteFactory | ApswFactory)
            described = pragmas(app.factory)
            latencies = run_application(app, count, size, warmup=10)
        finally:
            app.close()
    return latencies, count * size, described


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--saves-1", type=int, default=1000, help="saves of 1 event per round")
    parser.add_argument("--saves-100", type=int, default=100, help="saves of 100 events per round")
    parser.add_argument("--synchronous", nargs="+", default=["FULL", "NORMAL"])
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files")
    args = parser.parse_args(argv)
    saves = {1: args.saves_1, 100: args.saves_100}

    print(
        f"python {platform.python_version()}, apsw {apsw.apsw_version()} "
        f"(SQLite {apsw.sqlite_lib_version()}), stdlib sqlite3 {sqlite3.sqlite_version}"
    )
    started = time.monotonic()
    results: dict[tuple[str, str, str], Series] = {}
    settings_seen: dict[tuple[str, str], str] = {}
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="stoat-bench-") as tmp:
        for synchronous in args.synchronous:
            for round_number in range(args.rounds):
                order = MODULES if round_number % 2 == 0 else MODULES[::-1]
                for workload in WORKLOADS:
                    for module in order:
                        latencies, events, described = run_cell(
                            Path(tmp), module, synchronous, workload, saves
                        )
                        settings_seen[(synchronous, module)] = described
                        results.setdefault((synchronous, workload, module), Series()).add(
                            events, latencies
                        )
    print(f"finished in {time.monotonic() - started:.0f} s, {args.rounds} rounds\n")
    for (synchronous, module), described in sorted(settings_seen.items()):
        print(f"- {synchronous}: {module}: {described}")
    print()
    print_table(results)
    return 0


def print_table(results: dict[tuple[str, str, str], Series]) -> None:
    print(
        "| setting | workload | module | events/s | p50 ms/save | p99 ms/save "
        "| throughput ratio | p50 ratio |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for (synchronous, workload, module), series in results.items():
        if module != MODULES[1]:
            continue
        library = results.get((synchronous, workload, MODULES[0]))
        for name, cell in ((MODULES[0], library), (module, series)):
            if cell is None:
                continue
            ratios = "| | |"
            if name == module and library is not None:
                throughput = statistics.median(series.rates) / statistics.median(library.rates)
                latency = statistics.median(library.p50s) / statistics.median(series.p50s)
                ratios = f"| {throughput:.2f}x | {latency:.2f}x |"
            print(
                f"| {synchronous} | {workload} | {name} | {statistics.median(cell.rates):,.0f} "
                f"| {statistics.median(cell.p50s) / 1000:.3f} "
                f"| {statistics.median(cell.p99s) / 1000:.3f} {ratios}"
            )


if __name__ == "__main__":
    sys.exit(main())
