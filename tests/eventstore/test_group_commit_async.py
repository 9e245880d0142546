"""Appends from an event loop join the group commit without ever blocking the loop.

``insert_events_async`` queues its unit with the threads' units; when it is to lead,
the committer's own thread leads for it, and each group's loop units get their
outcomes in one call on their loop.
"""

from __future__ import annotations

import asyncio
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent

from stoat.eventstore import ApswApplicationRecorder, ApswFactory
from tests.eventstore._groups import FaultyVFS, join_all, start_queued, wait_until
from tests.eventstore._support import assert_chain_intact, stored_events

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


def test_an_append_from_a_loop_returns_its_ids_once_committed(
    recorder: ApswApplicationRecorder,
) -> None:
    async def append() -> list[Sequence[int]]:
        first = await recorder.insert_events_async(stored_events(count=2))
        second = await recorder.insert_events_async(stored_events())
        return [first, second]

    assert asyncio.run(append()) == [[1, 2], [3]]
    assert [n.id for n in recorder.select_notifications(start=None, limit=10)] == [1, 2, 3]


def test_the_loop_runs_on_while_its_appends_wait_for_a_busy_writer(
    factory: ApswFactory, recorder: ApswApplicationRecorder, vfs: FaultyVFS
) -> None:
    """Appends queued behind a held writer share one commit; meanwhile the loop works."""
    batches = [stored_events(count=n) for n in (1, 3, 2)]
    ticks = 0

    async def append_all() -> list[Sequence[int]]:
        nonlocal ticks
        with factory.datastore.transaction():  # the writer is busy
            appends = [asyncio.ensure_future(recorder.insert_events_async(b)) for b in batches]
            committer = factory.datastore._db.committer
            while committer.queued < len(batches):  # each queues without blocking the loop
                await asyncio.sleep(0)
            for _ in range(100):
                ticks += 1
                await asyncio.sleep(0)
            assert not any(append.done() for append in appends)
        return list(await asyncio.gather(*appends))

    generation = factory.datastore.commit_generation
    syncs = vfs.wal_syncs
    assert asyncio.run(append_all()) == [[1], [2, 3, 4], [5, 6]]
    assert ticks == 100
    # The held (empty) transaction, then one group for the three appends.
    assert factory.datastore.commit_generation == generation + 2
    assert vfs.wal_syncs == syncs + 1


def test_loop_and_thread_appends_share_groups_and_keep_ids_contiguous(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    threads_done: list[Sequence[int]] = []

    def thread_appends() -> None:
        for _ in range(50):
            threads_done.append(recorder.insert_events(stored_events(count=2)))

    async def loop_appends() -> list[Sequence[int]]:
        appends = [recorder.insert_events_async(stored_events()) for _ in range(200)]
        return list(await asyncio.gather(*appends))

    writers = [threading.Thread(target=thread_appends) for _ in range(3)]
    for writer in writers:
        writer.start()
    from_loop = asyncio.run(loop_appends())
    join_all(writers)
    ids = sorted(i for batch in [*from_loop, *threads_done] for i in batch)
    assert ids == list(range(1, 200 + 3 * 50 * 2 + 1))
    assert all(batch[1] == batch[0] + 1 for batch in threads_done), "a save stays together"
    assert_chain_intact(recorder)


def test_a_clash_fails_only_its_own_future(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    taken = stored_events()
    recorder.insert_events(taken)
    clash = StoredEvent(
        originator_id=taken[0].originator_id,
        originator_version=taken[0].originator_version,
        topic="t",
        state=b"{}",
    )

    async def append_all() -> list[Any]:
        with factory.datastore.transaction():  # queue all three as one group
            appends = [
                asyncio.ensure_future(recorder.insert_events_async(batch))
                for batch in (stored_events(), [clash], stored_events())
            ]
            await asyncio.sleep(0)
        return list(await asyncio.gather(*appends, return_exceptions=True))

    first, failed, last = asyncio.run(append_all())
    assert (first, last) == ([2], [3])
    assert isinstance(failed, IntegrityError)


def test_a_thread_queued_behind_a_loop_append_is_woken_to_commit(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    """Leadership passes from the committer's thread back to a writing thread."""
    batch = stored_events(count=2)

    async def scenario() -> tuple[Sequence[int], Any]:
        with factory.datastore.transaction():  # both queue behind the held writer
            append = asyncio.ensure_future(recorder.insert_events_async(stored_events()))
            committer = factory.datastore._db.committer
            while committer.queued < 1:
                await asyncio.sleep(0)
            queue_thread = partial(
                start_queued, factory.datastore, partial(recorder.insert_events, batch)
            )
            thread, outcome = await asyncio.to_thread(queue_thread)
        ids = await append
        await asyncio.to_thread(join_all, [thread])
        return ids, outcome

    ids, outcome = asyncio.run(scenario())
    assert (ids, outcome.value, outcome.error) == ([1], [2, 3], None)


def test_closing_the_store_stops_the_committer_thread(tmp_path: Path) -> None:
    factory = ApswFactory({"APSW_DBNAME": str(tmp_path / "events.db")})
    recorder = factory.application_recorder()
    assert isinstance(recorder, ApswApplicationRecorder)
    assert asyncio.run(recorder.insert_events_async(stored_events())) == [1]
    [committer] = [t for t in threading.enumerate() if t.name == "stoat-group-commit"]
    factory.close()
    wait_until(lambda: not committer.is_alive())


def test_a_failed_commit_fails_every_loop_append_of_the_group(
    factory: ApswFactory, recorder: ApswApplicationRecorder, vfs: FaultyVFS
) -> None:
    recorder.insert_events(stored_events())
    batches = [stored_events(count=n) for n in (2, 1)]

    async def append_all() -> list[Any]:
        with factory.datastore.transaction():  # queue both as one group, then the fault
            appends = [asyncio.ensure_future(recorder.insert_events_async(b)) for b in batches]
            while factory.datastore._db.committer.queued < len(batches):
                await asyncio.sleep(0)
            vfs.fail_wal_writes = True
        try:
            return list(await asyncio.gather(*appends, return_exceptions=True))
        finally:
            vfs.fail_wal_writes = False

    errors = asyncio.run(append_all())
    assert all(isinstance(e, OperationalError) for e in errors), errors
    assert all("injected write failure" in str(e) for e in errors), errors
    assert errors[0] is not errors[1]  # one exception object per caller
    assert recorder.max_notification_id() == 1
    # The writer recovers for the next append from the loop.
    assert asyncio.run(recorder.insert_events_async(batches[0])) == [2, 3]
