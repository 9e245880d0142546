"""Group commit under interruption and under random concurrent load."""

from __future__ import annotations

import tempfile
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import uuid4

from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from hypothesis import given, settings
from hypothesis import strategies as st

from stoat.eventstore import ApswApplicationRecorder, ApswFactory
from stoat.eventstore._groupcommit import Unit
from tests.eventstore._groups import (
    Outcome,
    join_all,
    run_as_one_group,
    start,
    start_queued,
    wait_until,
)
from tests.eventstore._support import assert_chain_intact, stored_events

if TYPE_CHECKING:
    import apsw
    import pytest


class Interrupt(BaseException):
    """Stands in for KeyboardInterrupt, which only the main thread receives."""


# Interruptions.


def test_an_interrupt_while_leading_commits_nothing_and_fails_the_others(
    factory: ApswFactory, recorder: ApswApplicationRecorder
) -> None:
    def interrupted(cursor: apsw.Cursor) -> None:
        recorder._insert_events(cursor, stored_events())
        raise Interrupt

    outcomes = run_as_one_group(
        factory.datastore,
        [
            partial(recorder.insert_events, stored_events()),
            partial(factory.datastore.write, interrupted),
            partial(recorder.insert_events, stored_events()),
        ],
    )
    # The leader's thread (the first caller) runs every unit, so it sees the interrupt.
    assert isinstance(outcomes[0].error, Interrupt)
    assert isinstance(outcomes[1].error, OperationalError)
    assert isinstance(outcomes[2].error, OperationalError)
    assert recorder.max_notification_id() is None
    assert recorder.insert_events(stored_events()) == [1]


def test_an_interrupted_follower_still_queued_is_never_written(
    factory: ApswFactory, recorder: ApswApplicationRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def sleep(unit: Unit[object]) -> None:
        if threading.current_thread().name == "interrupted":
            raise Interrupt
        original(unit)

    original = Unit.sleep
    monkeypatch.setattr(Unit, "sleep", sleep)
    committer = factory.datastore._db.committer
    dropped = stored_events()
    with factory.datastore.transaction():
        leader, first = start_queued(
            factory.datastore, partial(recorder.insert_events, stored_events())
        )
        interrupted, second = start(partial(recorder.insert_events, dropped), "interrupted")
        join_all([interrupted])
        assert committer.queued == 1
        last, third = start_queued(
            factory.datastore, partial(recorder.insert_events, stored_events())
        )
    join_all([leader, last])
    assert isinstance(second.error, Interrupt)
    assert [first.value, third.value] == [[1], [2]]
    assert recorder.select_events(dropped[0].originator_id) == []


def test_an_interrupted_follower_hands_on_the_leadership_it_was_given(
    factory: ApswFactory, recorder: ApswApplicationRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def sleep(unit: Unit[object]) -> None:
        original(unit)
        if threading.current_thread().name == "interrupted" and unit.leads:
            raise Interrupt

    original = Unit.sleep
    monkeypatch.setattr(Unit, "sleep", sleep)
    # Groups of one: the first caller leads, then must hand over to the second.
    factory.datastore._db.committer.max_units = 1
    dropped = stored_events()
    threads: list[threading.Thread] = []
    outcomes: list[Outcome] = []
    with factory.datastore.transaction():
        for call, name in (
            (partial(recorder.insert_events, stored_events()), None),
            (partial(recorder.insert_events, dropped), "interrupted"),
            (partial(recorder.insert_events, stored_events()), None),
        ):
            thread, outcome = start_queued(factory.datastore, call, name)
            threads.append(thread)
            outcomes.append(outcome)
    join_all(threads)
    assert isinstance(outcomes[1].error, Interrupt)
    assert [outcomes[0].value, outcomes[2].value] == [[1], [2]]
    assert recorder.select_events(dropped[0].originator_id) == []
    assert factory.datastore._db.committer.queued == 0


# Random concurrent saves, some clashing: no lost, duplicated or partial save.

# A save: (thread, [(aggregate, version), ...]).
_SAVES = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)), min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=24,
)


@settings(max_examples=30, deadline=None)
@given(_SAVES)
def test_concurrent_saves_leave_exactly_the_successful_ones(
    saves: list[tuple[int, list[tuple[int, int]]]],
) -> None:
    aggregates = [uuid4() for _ in range(3)]
    batches = [
        [
            StoredEvent(aggregates[a], v, "t", f"{index}:{position}".encode())
            for position, (a, v) in enumerate(pairs)
        ]
        for index, (_, pairs) in enumerate(saves)
    ]
    with tempfile.TemporaryDirectory(prefix="stoat-group-") as tmp:
        factory = ApswFactory({"APSW_DBNAME": str(Path(tmp) / "e.db"), "APSW_SYNCHRONOUS": "OFF"})
        try:
            recorder = factory.application_recorder()
            assert isinstance(recorder, ApswApplicationRecorder)
            results = _save_concurrently(factory, recorder, saves, batches)
            notifications = recorder.select_notifications(start=None, limit=1000)
            assert assert_chain_intact(recorder) == len(notifications)
        finally:
            factory.close()
    assert [n.id for n in notifications] == list(range(1, len(notifications) + 1))
    rows: dict[int, list[tuple[int, int]]] = {}  # save -> [(position, id)]
    for n in notifications:
        index, position = (int(part) for part in n.state.decode().split(":"))
        rows.setdefault(index, []).append((position, n.id))
    committed_pairs = {(n.originator_id, n.originator_version) for n in notifications}
    for index, result in enumerate(results):
        pairs = [(e.originator_id, e.originator_version) for e in batches[index]]
        if isinstance(result, IntegrityError):
            assert index not in rows, "a failed save left rows"
            # The clash is real: a pair repeats within the save, or another save has it.
            assert len(set(pairs)) < len(pairs) or set(pairs) & committed_pairs
        else:
            assert result == [i for _, i in sorted(rows[index])]
            assert [p for p, _ in sorted(rows[index])] == list(range(len(pairs)))
            assert result == list(range(result[0], result[0] + len(result)))


def _save_concurrently(
    factory: ApswFactory,
    recorder: ApswApplicationRecorder,
    saves: list[tuple[int, list[tuple[int, int]]]],
    batches: list[list[StoredEvent]],
) -> list[list[int] | IntegrityError]:
    """Each thread makes its saves in order; the first ones queue as one group."""
    results: list[list[int] | IntegrityError] = [[] for _ in saves]
    per_thread: dict[int, list[int]] = {}
    for index, (thread_number, _) in enumerate(saves):
        per_thread.setdefault(thread_number, []).append(index)

    def run(indexes: list[int]) -> None:
        for index in indexes:
            try:
                results[index] = list(recorder.insert_events(batches[index]))
            except IntegrityError as error:
                results[index] = error

    threads = [threading.Thread(target=run, args=(ix,)) for ix in per_thread.values()]
    committer = factory.datastore._db.committer
    with factory.datastore.transaction():
        for thread in threads:
            thread.start()
        # Each thread's first save is queued before any commits: one group at least.
        wait_until(lambda: committer.queued == len(threads))
    join_all(threads)
    return results
