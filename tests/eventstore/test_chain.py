"""The hash chain column: computed in the append, and recomputing it finds tampering."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import apsw
import pytest
from eventsourcing.persistence import Tracking

from stoat.eventstore import (
    GENESIS,
    ApswApplicationRecorder,
    ApswFactory,
    ApswProcessRecorder,
    ChainWalk,
    chain_hash,
    walk_chain,
)
from tests.eventstore._support import assert_chain_intact, recompute_chain, stored_events

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def db_name(tmp_path: Path) -> str:
    return str(tmp_path / "events.db")


@pytest.fixture
def factory(db_name: str) -> Iterator[ApswFactory]:
    factory = ApswFactory({"APSW_DBNAME": db_name})
    yield factory
    factory.close()


def _walk(recorder: ApswApplicationRecorder, wanted: set[int] | None = None) -> ChainWalk:
    walk = ChainWalk()
    walk_chain(recorder.select_chain(0, 10**9, 10**6), walk, wanted or set())
    return walk


def test_create_table_makes_the_chain_column(recorder: ApswApplicationRecorder) -> None:
    columns = {
        row[1]: (row[2], row[3])
        for row in recorder.datastore.fetchall(f"PRAGMA table_info({recorder.events_table})")
    }
    assert columns["chain_hash"] == ("BLOB", 1)  # NOT NULL


def test_each_row_hashes_the_previous_hash_and_its_own_bytes(
    recorder: ApswApplicationRecorder,
) -> None:
    assert recorder.chain_head() == (0, GENESIS)
    recorder.insert_events(stored_events(count=2))
    recorder.insert_events(stored_events(count=1, topic="other"))
    rows = recorder.select_chain(0, 100, 100)
    assert [row[5] for row in rows] == recompute_chain(row[:5] for row in rows)
    first = rows[0]
    assert first[5] == chain_hash(GENESIS, first[:5])
    assert recorder.chain_head() == (3, rows[2][5])


def test_the_process_recorder_chains_its_events_too(factory: ApswFactory) -> None:
    recorder = factory.process_recorder()
    assert isinstance(recorder, ApswProcessRecorder)
    recorder.insert_events(stored_events(count=2), tracking=Tracking("upstream", 1))
    recorder.insert_events(stored_events(count=1), tracking=Tracking("upstream", 2))
    assert assert_chain_intact(recorder) == 3


def test_walking_an_untouched_chain_keeps_the_hashes_asked_for(
    recorder: ApswApplicationRecorder,
) -> None:
    for _ in range(5):
        recorder.insert_events(stored_events(count=2))
    walk = _walk(recorder, {3, 10})
    assert walk.broken is None
    assert (walk.count, walk.position) == (10, 10)
    assert walk.head == recorder.chain_head()[1]
    rows = recorder.select_chain(0, 100, 100)
    assert walk.marks == {3: rows[2][5], 10: rows[9][5]}


def test_walking_in_pages_gives_the_same_result(recorder: ApswApplicationRecorder) -> None:
    recorder.insert_events(stored_events(count=7))
    walk = ChainWalk()
    while walk.position < 7:
        assert walk_chain(recorder.select_chain(walk.position, 7, 3), walk)
    assert walk.head == recorder.chain_head()[1]
    assert walk.count == 7


def _tamper(db_name: str, *statements: str) -> None:
    # Another connection, as someone with the file would: not through the recorder.
    connection = apsw.Connection(db_name)
    try:
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("statements", "position", "code"),
    [
        (
            ["UPDATE stored_events SET state = X'7B7D' WHERE notification_id = 3"],
            3,
            "hash_mismatch",
        ),
        (["UPDATE stored_events SET topic = 'x' WHERE notification_id = 4"], 4, "hash_mismatch"),
        (
            ["UPDATE stored_events SET originator_version = 9 WHERE notification_id = 2"],
            2,
            "hash_mismatch",
        ),
        (["DELETE FROM stored_events WHERE notification_id = 3"], 3, "missing_event"),
        (
            # Rows 2 and 3 swap places (their contents trade ids).
            [
                "UPDATE stored_events SET notification_id = -2 WHERE notification_id = 2",
                "UPDATE stored_events SET notification_id = 2 WHERE notification_id = 3",
                "UPDATE stored_events SET notification_id = 3 WHERE notification_id = -2",
            ],
            2,
            "hash_mismatch",
        ),
        (
            ["UPDATE stored_events SET chain_hash = zeroblob(32) WHERE notification_id = 5"],
            5,
            "hash_mismatch",
        ),
    ],
    ids=["state", "topic", "version", "delete", "reorder", "hash"],
)
def test_walking_finds_the_first_tampered_row(
    recorder: ApswApplicationRecorder,
    db_name: str,
    statements: list[str],
    position: int,
    code: str,
) -> None:
    for _ in range(3):
        recorder.insert_events(stored_events(count=2))
    _tamper(db_name, *statements)
    walk = _walk(recorder)
    assert walk.broken is not None
    assert (walk.broken.position, walk.broken.code) == (position, code)
    assert walk.count == position - 1


def test_a_row_appended_after_tampering_chains_on_from_the_stored_head(
    recorder: ApswApplicationRecorder, db_name: str
) -> None:
    recorder.insert_events(stored_events(count=2))
    _tamper(db_name, "UPDATE stored_events SET state = X'00' WHERE notification_id = 1")
    recorder.insert_events(stored_events())
    # The append trusts the stored head (it cannot re-verify the log on every save);
    # the tampered row stays the first fault.
    walk = _walk(recorder)
    assert walk.broken is not None
    assert walk.broken.position == 1
    second, third = recorder.select_chain(1, 3, 2)
    assert third[5] == chain_hash(cast("bytes", second[5]), third[:5])
