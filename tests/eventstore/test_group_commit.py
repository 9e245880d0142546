"""Group commit: concurrent saves share commits, and still succeed or fail alone.

Groups are built deterministically with ``run_as_one_group`` (see ``_groups``): the
writer is held while writer threads queue one after another, then released.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING, cast
from uuid import uuid4

import pytest
from eventsourcing.persistence import (
    IntegrityError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
    Tracking,
)

from stoat.eventstore import ApswApplicationRecorder, ApswFactory, ApswProcessRecorder
from tests.eventstore._groups import (
    FaultyVFS,
    join_all,
    run_as_one_group,
    start_queued,
    wait_until,
)
from tests.eventstore._support import assert_chain_intact, stored_events

if TYPE_CHECKING:
    from pathlib import Path
    from uuid import UUID

    import apsw


def test_a_lone_writer_commits_at_once_without_savepoints(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    statements: list[str] = []

    def trace(_cursor: apsw.Cursor, sql: str, _bindings: object) -> bool:
        statements.append(sql)
        return True

    writer = factory.datastore._db.writer
    writer.exec_trace = trace
    try:
        generation = factory.datastore.commit_generation
        assert recorder.insert_events(stored_events(count=2)) == [1, 2]
        assert recorder.insert_events(stored_events()) == [3]
    finally:
        writer.exec_trace = None
    # Nobody else was writing: each save was its own group, committed straight away.
    assert factory.datastore.commit_generation == generation + 2
    # (executemany traces its statement once per row: count each run once.)
    verbs = [sql.split()[0] for sql in statements]
    runs = [verb for i, verb in enumerate(verbs) if i == 0 or verbs[i - 1] != verb]
    # The SELECT reads the last row's id and chain hash, inside the transaction.
    assert runs == ["BEGIN", "SELECT", "INSERT", "COMMIT"] * 2


def test_saves_queued_behind_a_busy_writer_share_one_commit_and_one_fsync(
    factory: ApswFactory, recorder: ApswApplicationRecorder, vfs: FaultyVFS
) -> None:
    batches = [stored_events(count=n) for n in (1, 3, 2, 1)]
    generation = factory.datastore.commit_generation
    syncs = vfs.wal_syncs
    outcomes = run_as_one_group(
        factory.datastore, [partial(recorder.insert_events, batch) for batch in batches]
    )
    assert [o.error for o in outcomes] == [None] * 4
    # Ids in queue order, contiguous.
    assert [o.value for o in outcomes] == [[1], [2, 3, 4], [5, 6], [7]]
    # The held (empty) transaction, then one group.
    assert factory.datastore.commit_generation == generation + 2
    assert vfs.wal_syncs == syncs + 1
    notifications = recorder.select_notifications(start=None, limit=10)
    assert [(n.originator_id, n.originator_version) for n in notifications] == [
        (e.originator_id, e.originator_version) for batch in batches for e in batch
    ]


def test_a_version_clash_in_the_middle_of_a_group_fails_only_that_save(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    existing = stored_events(count=2)
    recorder.insert_events(existing)
    first, middle, last = stored_events(), stored_events(count=2), stored_events()
    clashing = [*middle, existing[1]]  # New events, then one that is stored already.
    # A clash with a save earlier in the same group.
    same_version_as_middle = stored_events(cast("UUID", middle[0].originator_id))
    generation = factory.datastore.commit_generation
    outcomes = run_as_one_group(
        factory.datastore,
        [
            partial(recorder.insert_events, first),
            partial(recorder.insert_events, clashing),
            partial(recorder.insert_events, middle),
            partial(recorder.insert_events, same_version_as_middle),
            partial(recorder.insert_events, last),
        ],
    )
    assert isinstance(outcomes[1].error, IntegrityError)
    assert isinstance(outcomes[3].error, IntegrityError)
    # The others committed, in order, with contiguous ids: the failed saves used none.
    assert [o.value for o in outcomes] == [[3], None, [4, 5], None, [6]]
    assert factory.datastore.commit_generation == generation + 2
    assert recorder.max_notification_id() == 6
    assert [e.originator_version for e in recorder.select_events(middle[0].originator_id)] == [
        1,
        2,
    ]
    # Each unit chained on from the rows committed before it, not from a rolled-back one.
    assert assert_chain_intact(recorder) == 6


def test_an_exception_in_one_unit_reaches_only_its_caller(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    def broken(cursor: apsw.Cursor) -> None:
        recorder._insert_events(cursor, stored_events(count=3))
        raise ValueError("bug in a unit")

    outcomes = run_as_one_group(
        factory.datastore,
        [
            partial(recorder.insert_events, stored_events()),
            partial(factory.datastore.write, broken),
            partial(recorder.insert_events, stored_events()),
        ],
    )
    assert isinstance(outcomes[1].error, ValueError)
    assert [o.value for o in outcomes] == [[1], None, [2]]
    assert recorder.max_notification_id() == 2


def test_a_redelivered_tracking_record_fails_only_its_save(factory: ApswFactory) -> None:
    recorder = factory.process_recorder()
    assert isinstance(recorder, ApswProcessRecorder)
    outcomes = run_as_one_group(
        factory.datastore,
        [
            partial(recorder.insert_events, stored_events(), tracking=Tracking("up", 1)),
            partial(recorder.insert_events, stored_events(), tracking=Tracking("up", 1)),
            partial(recorder.insert_events, stored_events(), tracking=Tracking("up", 2)),
            partial(recorder.insert_tracking, Tracking("other", 7)),
        ],
    )
    assert isinstance(outcomes[1].error, IntegrityError)
    assert [o.value for o in outcomes] == [[1], None, [2], None]
    assert outcomes[3].error is None
    assert recorder.max_tracking_id("up") == 2
    assert recorder.max_tracking_id("other") == 7
    assert recorder.max_notification_id() == 2


def test_the_group_size_is_bounded(factory: ApswFactory, recorder: ApswApplicationRecorder) -> None:
    factory.datastore._db.committer.max_units = 3
    generation = factory.datastore.commit_generation
    outcomes = run_as_one_group(
        factory.datastore, [partial(recorder.insert_events, stored_events()) for _ in range(7)]
    )
    assert [o.value for o in outcomes] == [[i] for i in range(1, 8)]
    # The held transaction, then groups of 3, 3 and 1, each led by the oldest unit left.
    assert factory.datastore.commit_generation == generation + 4


def test_a_failed_commit_fails_every_save_in_the_group_and_writes_nothing(
    factory: ApswFactory, recorder: ApswApplicationRecorder, vfs: FaultyVFS, tmp_path: Path
) -> None:
    recorder.insert_events(stored_events())
    batches = [stored_events(count=n) for n in (2, 1, 3)]

    writer = factory.datastore._db.writer
    begins: list[str] = []

    def trace(_cursor: apsw.Cursor, sql: str, _bindings: object) -> bool:
        if sql.startswith("BEGIN"):
            begins.append(sql)
        return True

    def arm() -> None:
        vfs.fail_wal_writes = True
        writer.exec_trace = trace

    try:
        outcomes = run_as_one_group(
            factory.datastore,
            [partial(recorder.insert_events, batch) for batch in batches],
            while_held=arm,
        )
    finally:
        vfs.fail_wal_writes = False
        writer.exec_trace = None
    errors = [o.error for o in outcomes]
    assert all(isinstance(e, OperationalError) for e in errors), errors
    # The group's statements ran in one transaction, and its COMMIT hit the fault.
    assert all("injected write failure" in str(e) for e in errors), errors
    assert len(begins) == 1
    assert len({id(e) for e in errors}) == 3  # One exception object per caller.
    assert recorder.max_notification_id() == 1
    for batch in batches:
        assert recorder.select_events(batch[0].originator_id) == []
    # The writer recovers, and the failed group used no ids.
    assert recorder.insert_events(batches[0]) == [2, 3]
    # Nor does anything of it come back when the file is opened afresh (WAL recovery).
    factory.close()
    reopened = ApswFactory({"APSW_DBNAME": str(tmp_path / "events.db")})
    try:
        assert reopened.application_recorder().max_notification_id() == 3
    finally:
        reopened.close()


def test_a_unit_that_makes_sqlite_abandon_the_transaction_fails_alone(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    recorder.insert_events(stored_events())
    datastore = factory.datastore
    too_big = [
        StoredEvent(originator_id=uuid4(), originator_version=1, topic="t", state=bytes(5000))
        for _ in range(10)
    ]

    begins: list[str] = []

    def trace(_cursor: apsw.Cursor, sql: str, _bindings: object) -> bool:
        if sql.startswith("BEGIN"):
            begins.append(sql)
        return True

    def limit_pages() -> None:
        # A database that is nearly full: SQLITE_FULL rolls back the whole transaction.
        with datastore.read() as cursor:
            pages = cast("int", cursor.execute("PRAGMA page_count").fetchall()[0][0])
        datastore._db.writer.execute(f"PRAGMA max_page_count = {pages + 2}")
        datastore._db.writer.exec_trace = trace

    small = [stored_events(), stored_events()]
    outcomes = run_as_one_group(
        datastore,
        [
            partial(recorder.insert_events, small[0]),
            partial(recorder.insert_events, too_big),
            partial(recorder.insert_events, small[1]),
        ],
        while_held=limit_pages,
    )
    datastore._db.writer.exec_trace = None
    assert isinstance(outcomes[1].error, OperationalError)
    assert "full" in str(outcomes[1].error)
    # The others ran again in a new transaction and committed.
    assert len(begins) == 2
    assert [o.value for o in outcomes] == [[2], None, [3]]
    assert recorder.max_notification_id() == 3
    # The rerun computed its chain hashes afresh, from the rows really committed.
    assert assert_chain_intact(recorder) == 3


def test_a_write_inside_a_transaction_of_the_same_thread_is_refused(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    with (
        factory.datastore.transaction(),
        pytest.raises(ProgrammingError, match="do not nest"),
    ):
        recorder.insert_events(stored_events())
    assert recorder.max_notification_id() is None


def test_a_leader_that_cannot_get_the_writer_fails_its_group(tmp_path: Path) -> None:
    factory = ApswFactory({"APSW_DBNAME": str(tmp_path / "e.db"), "APSW_BUSY_TIMEOUT": "200"})
    try:
        recorder = factory.application_recorder()
        release = threading.Event()
        holder = threading.Thread(target=_hold_writer, args=(factory, release))
        holder.start()
        wait_until(lambda: factory.datastore._db.writer_thread is not None)
        with pytest.raises(OperationalError, match="Timed out waiting for the writer"):
            recorder.insert_events(stored_events())
        release.set()
        join_all([holder])
        assert recorder.insert_events(stored_events()) == [1]
    finally:
        factory.close()


def _hold_writer(factory: ApswFactory, release: threading.Event) -> None:
    with factory.datastore.transaction():
        release.wait(10)


def test_transaction_blocks_and_grouped_saves_interleave_in_commit_order(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    # A projection-style block commits alone; saves queued meanwhile commit after it.
    threads = []
    with factory.datastore.transaction() as cursor:
        recorder._insert_events(cursor, stored_events(count=2))
        for _ in range(3):
            thread, _outcome = start_queued(
                factory.datastore, partial(recorder.insert_events, stored_events())
            )
            threads.append(thread)
    join_all(threads)
    notifications = recorder.select_notifications(start=None, limit=10)
    assert [n.id for n in notifications] == [1, 2, 3, 4, 5]
    assert len({n.originator_id for n in notifications[:2]}) == 1


def test_ids_stay_contiguous_with_many_threads_sharing_commits(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    saves_per_thread = 30
    results: dict[int, list[list[int]]] = {}
    go = threading.Event()

    def write(thread_index: int) -> None:
        go.wait()
        results[thread_index] = [
            list(recorder.insert_events(stored_events(count=1 + (i + thread_index) % 3)))
            for i in range(saves_per_thread)
        ]

    threads = [threading.Thread(target=write, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    go.set()
    join_all(threads)
    batches = [batch for batch_list in results.values() for batch in batch_list]
    assert len(batches) == 16 * saves_per_thread
    all_ids = sorted(i for batch in batches for i in batch)
    assert all_ids == list(range(1, len(all_ids) + 1))
    by_id = {n.id: n for n in recorder.select_notifications(start=None, limit=len(all_ids))}
    for batch in batches:
        assert batch == list(range(batch[0], batch[0] + len(batch)))
        assert len({by_id[i].originator_id for i in batch}) == 1
    # Each thread's saves are in its own order.
    for batch_list in results.values():
        assert [b[0] for b in batch_list] == sorted(b[0] for b in batch_list)


def test_a_subscription_receives_every_event_of_concurrent_groups_in_order(
    recorder: ApswApplicationRecorder,
) -> None:
    received: list[int] = []
    total = 8 * 20

    def follow() -> None:
        with recorder.subscribe(gt=None) as subscription:
            for notification in subscription:
                received.append(notification.id)
                if len(received) == total:
                    break

    follower = threading.Thread(target=follow)
    follower.start()
    writers = [
        threading.Thread(
            target=lambda: [recorder.insert_events(stored_events()) for _ in range(20)]
        )
        for _ in range(8)
    ]
    for writer in writers:
        writer.start()
    join_all([*writers, follower])
    assert received == list(range(1, total + 1))
