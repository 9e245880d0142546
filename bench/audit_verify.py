"""Audit verification speed (events/s), and what the chain costs an append.

Run from the repository root (not part of the test suite)::

    PYTHONPATH=src .venv/bin/python bench/audit_verify.py

Builds an event store of ``--events`` events in a temporary directory: project-like
events of about ``--state-bytes`` bytes of JSON each, in saves of ``--batch`` events,
with a signed checkpoint every ``--checkpoint-every`` events (``AuditCheckpoint`` events
from the service key, as the runtime's checkpointer makes them). Then, ``--rounds``
times each:

- ``verify_log``: the whole check (checkpoint pass, chain pass, signatures), as
  ``GET /v1/audit/verify`` and ``stoat audit verify`` run it;
- the chain pass alone (reading the rows in pages and recomputing every hash);
- reading the same rows without hashing, to show how the time divides.

Throughput is events / wall time, the median of the rounds. Verification runs on a
reader connection with the page cache warm from the previous round; the first
(cold) round is printed apart.

``--append N`` also measures the chain's cost on the append path: N saves of one event
and N/50 saves of 100 events, through the recorder with the ``chain_hash`` column and
without it (a recorder class
that writes the table the way it was before the chain), at ``synchronous=OFF`` so
that the fsync does not hide the difference.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import apsw
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from stoat.audit.checkpoint import sign_checkpoint
from stoat.audit.signing import ServiceKey
from stoat.audit.verify import PAGE, verify_log
from stoat.commands.application import StoatApplication
from stoat.domain.project import Project
from stoat.eventstore import ApswApplicationRecorder, ApswDatastore, ChainWalk, walk_chain

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from apsw import SQLiteValue


def _recorder(app: StoatApplication) -> ApswApplicationRecorder:
    """The benchmark runs on the embedded store: its recorder, typed as such."""
    recorder = app.recorder
    assert isinstance(recorder, ApswApplicationRecorder)
    return recorder


def _state(size: int, i: int) -> bytes:
    head = (
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-01T00:00:00.000000+00:00"},'
        b'"context":{"actor":"5d0e3c1e-9f6a-5b7e-8c1d-2a3b4c5d6e7f","actor_name":"agent",'
        b'"request_id":"%d","idempotency_key":null,"request_hash":null},"data":{"pad":"' % i
    )
    return head + b"x" * max(0, size - len(head) - 3) + b'"}}'


def build(
    data_dir: Path, events: int, batch: int, state_bytes: int, every: int, key: ServiceKey
) -> StoatApplication:
    env = {
        "PERSISTENCE_MODULE": "stoat.eventstore",
        "APSW_DBNAME": str(data_dir / "events.db"),
        "APSW_SYNCHRONOUS": "OFF",
    }
    app = StoatApplication(env=env)
    recorder = _recorder(app)
    topic = get_topic(Project.TrackAdded)
    written = 0
    while written < events:
        oid = uuid.uuid4()
        size = min(batch, events - written)
        recorder.insert_events(
            [StoredEvent(oid, v + 1, topic, _state(state_bytes, written + v)) for v in range(size)]
        )
        written += size
        if every and written // every != (written - size) // every:
            sign_checkpoint(app, key)
    return app


def _timed(function: Callable[[], Any], rounds: int) -> tuple[float, list[float], Any]:
    times, result = [], None
    for _ in range(rounds + 1):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times[0], times[1:], result


def _chain_only(recorder: ApswApplicationRecorder, stop: int) -> ChainWalk:
    walk = ChainWalk()
    while walk.position < stop:
        assert walk_chain(recorder.select_chain(walk.position, stop, PAGE), walk)
    return walk


def _read_only(recorder: ApswApplicationRecorder, stop: int) -> int:
    position = count = 0
    while position < stop:
        rows = recorder.select_chain(position, stop, PAGE)
        count += len(rows)
        position = rows[-1][0]
    return count


class _Unchained(ApswApplicationRecorder):
    """The recorder as it was before the chain: no head read, no hash, no column."""

    def __init__(self, datastore: ApswDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.insert_events_statement = (
            f"INSERT INTO {self.events_table} "
            "(originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)"
        )

    def _create_events_table(self) -> str:
        return super()._create_events_table().replace("chain_hash BLOB NOT NULL, ", "")

    def _event_rows(
        self,
        cursor: apsw.Cursor,  # noqa: ARG002 - the hook's signature
        stored_events: Sequence[StoredEvent],
    ) -> list[tuple[SQLiteValue, ...]]:
        return [
            (s.originator_id.hex, s.originator_version, s.topic, s.state)  # type: ignore[union-attr]
            for s in stored_events
        ]


def _append_cost(tmp: Path, saves: int, state_bytes: int, rounds: int) -> None:
    topic = get_topic(Project.TrackAdded)
    for size, count in ((1, saves), (100, max(1, saves // 50))):
        for name, cls in (("chained", ApswApplicationRecorder), ("unchained", _Unchained)):
            per_event = []
            for r in range(rounds):
                datastore = ApswDatastore(
                    str(tmp / f"append-{name}-{size}-{r}.db"), synchronous="OFF"
                )
                recorder = cls(datastore)
                recorder.create_table()
                batches = []
                for i in range(count):
                    oid = uuid.uuid4()
                    batches.append(
                        [
                            StoredEvent(oid, v + 1, topic, _state(state_bytes, i))
                            for v in range(size)
                        ]
                    )
                started = time.perf_counter()
                for events in batches:
                    recorder.insert_events(events)
                per_event.append((time.perf_counter() - started) / (count * size))
                datastore.close()
            print(
                f"append, {size} event(s)/save, {name}: "
                f"{statistics.median(per_event) * 1e6:.2f} µs per event "
                f"(median of {rounds} rounds of {count:,} saves, synchronous=OFF)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5)
    parser.add_argument("--state-bytes", type=int, default=600)
    parser.add_argument("--checkpoint-every", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--append", type=int, default=0, help="saves per append round (0: skip)")
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite {apsw.sqlite_lib_version()}"
    )
    key = ServiceKey.generate()
    with tempfile.TemporaryDirectory(prefix="stoat-audit-") as tmp:
        started = time.perf_counter()
        app = build(
            Path(tmp), args.events, args.batch, args.state_bytes, args.checkpoint_every, key
        )
        recorder = _recorder(app)
        stop = recorder.max_notification_id() or 0
        size = (Path(tmp) / "events.db").stat().st_size
        print(
            f"built {stop:,} events ({size / 2**20:.0f} MiB, with the checkpoints) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        trusted = {key.key_id: key.public_key}
        cold, times, report = _timed(lambda: verify_log(app, trusted), args.rounds)
        assert report.ok, report.document()
        print(
            f"verify_log: {stop / statistics.median(times):,.0f} events/s "
            f"({statistics.median(times):.3f} s; cold first round {cold:.3f} s; "
            f"{report.checkpoints} checkpoints checked)"
        )
        _, times, _ = _timed(lambda: _chain_only(recorder, stop), args.rounds)
        print(f"chain pass alone: {stop / statistics.median(times):,.0f} events/s")
        _, times, _ = _timed(lambda: _read_only(recorder, stop), args.rounds)
        print(f"reading the rows alone: {stop / statistics.median(times):,.0f} events/s")
        app.close()
        if args.append:
            _append_cost(Path(tmp), args.append, args.state_bytes, args.rounds)


if __name__ == "__main__":
    main()
