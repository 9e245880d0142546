"""Notification ids are contiguous and in commit order, whoever writes them."""

from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING, cast
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError
from hypothesis import given, settings
from hypothesis import strategies as st

from stoat.eventstore import ApswApplicationRecorder, ApswFactory
from tests.eventstore._support import assert_chain_intact, spawn_context, stored_events
from tests.eventstore._workers import append_batches

if TYPE_CHECKING:
    from collections.abc import Sequence
    from multiprocessing.synchronize import Event as EventType
    from pathlib import Path

    from eventsourcing.persistence import StoredEvent


def _recorder(factory: ApswFactory) -> ApswApplicationRecorder:
    recorder = factory.application_recorder()
    assert isinstance(recorder, ApswApplicationRecorder)
    return recorder


def _append_from_threads(
    recorder: ApswApplicationRecorder,
    threads: int,
    batches: int,
    go: threading.Event | EventType,
    until: EventType | None = None,
) -> list[list[int]]:
    """Each thread appends batches of 1 to 5 events; returns every batch's ids.

    Each thread appends ``batches`` batches, and goes on until ``until`` is set if given.
    """
    results: list[list[int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def write(seed: int) -> None:
        rng = random.Random(seed)
        go.wait()
        try:
            written = 0
            while written < batches or (until is not None and not until.is_set()):
                ids = list(recorder.insert_events(stored_events(count=rng.randint(1, 5))))
                written += 1
                with lock:
                    results.append(ids)
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=write, args=(seed,)) for seed in range(threads)]
    for worker in workers:
        worker.start()
    go.set()
    for worker in workers:
        worker.join()
    assert not errors, errors
    return results


def _check_log(recorder: ApswApplicationRecorder, batches: Sequence[Sequence[int]]) -> None:
    all_ids = sorted(i for batch in batches for i in batch)
    assert all_ids == list(range(1, len(all_ids) + 1)), "ids have gaps or duplicates"
    notifications = recorder.select_notifications(start=None, limit=len(all_ids) + 10)
    assert [n.id for n in notifications] == all_ids
    by_id = {n.id: n for n in notifications}
    for batch in batches:
        assert batch == list(range(batch[0], batch[0] + len(batch))), "a batch was interleaved"
        events = [by_id[i] for i in batch]
        # Each batch is one aggregate's consecutive versions, in order.
        assert len({e.originator_id for e in events}) == 1
        assert [e.originator_version for e in events] == list(range(1, len(batch) + 1))
    # Whoever wrote them, the rows form one hash chain in id order.
    assert assert_chain_intact(recorder) == len(all_ids)


def test_ids_are_contiguous_with_concurrent_writer_threads(tmp_path: Path) -> None:
    factory = ApswFactory({"APSW_DBNAME": str(tmp_path / "events.db")})
    try:
        recorder = _recorder(factory)
        batches = _append_from_threads(recorder, threads=8, batches=40, go=threading.Event())
        assert len(batches) == 320
        _check_log(recorder, batches)
    finally:
        factory.close()


def test_ids_are_contiguous_with_a_second_writer_process(tmp_path: Path) -> None:
    db_name = str(tmp_path / "events.db")
    factory = ApswFactory({"APSW_DBNAME": db_name})
    context = spawn_context()
    ready, go, done = context.Event(), context.Event(), context.Event()
    results = context.Queue()
    child = context.Process(
        target=append_batches,
        kwargs={
            "db_name": db_name,
            "batches": 100,
            "batch_size": 3,
            "ready": ready,
            "go": go,
            "done": done,
            "results": results,
            "pause": 0.001,
        },
    )
    try:
        recorder = _recorder(factory)
        child.start()
        assert ready.wait(timeout=60), "child process did not start"
        # Threads here write until the child has finished, so the two processes'
        # appends overlap for the child's whole run.
        thread_batches = _append_from_threads(recorder, threads=3, batches=20, go=go, until=done)
        child_batches = results.get(timeout=60)
        child.join(timeout=30)
        assert child.exitcode == 0
        assert len(child_batches) == 100
        _check_log(recorder, [*thread_batches, *child_batches])
        child_ids = [i for batch in child_batches for i in batch]
        assert any(min(child_ids) < batch[0] < max(child_ids) for batch in thread_batches), (
            "the processes did not interleave"
        )
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        results.close()
        results.join_thread()
        factory.close()


def _try_insert(recorder: ApswApplicationRecorder, batch: list[StoredEvent]) -> bool:
    try:
        recorder.insert_events(batch)
    except IntegrityError:
        return False
    return True


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 3), st.integers(1, 4)), min_size=1, max_size=4),
        min_size=1,
        max_size=15,
    )
)
def test_log_is_the_successful_batches_in_order(batches: list[list[tuple[int, int]]]) -> None:
    """Batches of (aggregate, version) pairs: a clashing batch leaves no trace at all."""
    factory = ApswFactory({"APSW_DBNAME": ":memory:"})
    try:
        recorder = _recorder(factory)
        aggregates = [uuid4() for _ in range(4)]
        stored: set[tuple[int, int]] = set()
        expected: list[tuple[int, int]] = []
        for batch in batches:
            rows = [stored_events(aggregates[a], first_version=v)[0] for a, v in batch]
            clash = len(set(batch)) < len(batch) or any(pair in stored for pair in batch)
            assert _try_insert(recorder, rows) is not clash
            if not clash:
                stored.update(batch)
                expected.extend(batch)
        notifications = recorder.select_notifications(start=None, limit=100)
        assert [n.id for n in notifications] == list(range(1, len(expected) + 1))
        assert [
            (aggregates.index(cast("UUID", n.originator_id)), n.originator_version)
            for n in notifications
        ] == expected
        assert assert_chain_intact(recorder) == len(expected)
    finally:
        factory.close()
