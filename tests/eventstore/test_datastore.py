"""Datastore behaviour: durability settings, transactions, error mapping, sharing."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, cast
from uuid import uuid4

import apsw
import pytest
from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)

from stoat.eventstore import ApswApplicationRecorder, ApswDatastore, ApswFactory, translate_error
from stoat.eventstore._errors import StorageUnavailableError
from tests.eventstore._support import stored_events

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


def _recorder(factory: ApswFactory) -> ApswApplicationRecorder:
    recorder = factory.application_recorder()
    assert isinstance(recorder, ApswApplicationRecorder)
    return recorder


def _pragma(datastore: ApswDatastore, name: str) -> object:
    """Read a pragma on the writer connection (the one that commits)."""
    with datastore.transaction() as cursor:
        row = cursor.execute(f"PRAGMA {name}").fetchone()
    assert row is not None
    return row[0]


# Durability settings.


def test_defaults_are_wal_and_synchronous_full(factory: ApswFactory) -> None:
    assert _pragma(factory.datastore, "journal_mode") == "wal"
    assert _pragma(factory.datastore, "synchronous") == 2  # FULL
    assert _pragma(factory.datastore, "busy_timeout") == 5000


@pytest.mark.parametrize(
    ("setting", "expected"), [("OFF", 0), ("normal", 1), ("FULL", 2), ("Extra", 3)]
)
def test_synchronous_setting_is_applied(db_name: str, setting: str, expected: int) -> None:
    factory = ApswFactory({"APSW_DBNAME": db_name, "APSW_SYNCHRONOUS": setting})
    try:
        assert _pragma(factory.datastore, "synchronous") == expected
    finally:
        factory.close()


def test_busy_timeout_setting_is_applied(db_name: str) -> None:
    factory = ApswFactory({"APSW_DBNAME": db_name, "APSW_BUSY_TIMEOUT": "1234"})
    try:
        assert _pragma(factory.datastore, "busy_timeout") == 1234
    finally:
        factory.close()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("APSW_SYNCHRONOUS", "SOMETIMES"),
        ("APSW_BUSY_TIMEOUT", "soon"),
        ("APSW_BUSY_TIMEOUT", "-1"),
        ("APSW_POLL_INTERVAL", "0"),
        ("ORIGINATOR_ID_TYPE", "int"),
    ],
)
def test_invalid_environment_values_are_refused(db_name: str, key: str, value: str) -> None:
    with pytest.raises(OSError, match=key if key != "APSW_SYNCHRONOUS" else "synchronous"):
        ApswFactory({"APSW_DBNAME": db_name, key: value})


def test_one_file_cannot_be_opened_with_two_synchronous_settings(
    factory: ApswFactory, db_name: str
) -> None:
    # They would share one writer connection: refuse rather than silently ignore one.
    with pytest.raises(ProgrammingError, match="synchronous"):
        ApswDatastore(db_name, synchronous="OFF")


# Transactions.


def test_version_clash_raises_integrity_error_and_writes_nothing(factory: ApswFactory) -> None:
    recorder = _recorder(factory)
    existing = stored_events(count=2)
    assert recorder.insert_events(existing) == [1, 2]
    newcomer = stored_events(count=3)
    clashing = [*newcomer, existing[1]]
    with pytest.raises(IntegrityError):
        recorder.insert_events(clashing)
    assert recorder.max_notification_id() == 2
    assert recorder.select_events(newcomer[0].originator_id) == []
    # The failed batch used no ids: the next append continues the sequence.
    assert recorder.insert_events(newcomer) == [3, 4, 5]


def test_exception_inside_a_transaction_rolls_everything_back(factory: ApswFactory) -> None:
    recorder = _recorder(factory)

    def append_then_fail() -> None:
        with factory.datastore.transaction() as cursor:
            recorder._insert_events(cursor, stored_events(count=3))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        append_then_fail()
    assert recorder.max_notification_id() is None


def test_transactions_do_not_nest(factory: ApswFactory) -> None:
    with (
        factory.datastore.transaction(),
        pytest.raises(ProgrammingError, match="do not nest"),
        factory.datastore.transaction(),
    ):
        pass


def test_readers_do_not_wait_for_an_open_write_transaction(factory: ApswFactory) -> None:
    recorder = _recorder(factory)
    seen: list[int | None] = []
    with factory.datastore.transaction() as cursor:
        recorder._insert_events(cursor, stored_events(count=1))
        reader = threading.Thread(target=lambda: seen.append(recorder.max_notification_id()))
        reader.start()
        reader.join(timeout=10)
    assert seen == [None]  # The snapshot before the commit, read without blocking.
    assert recorder.max_notification_id() == 1


def test_reader_connections_are_read_only(factory: ApswFactory) -> None:
    _recorder(factory)
    with pytest.raises(OperationalError), factory.datastore.read() as cursor:
        cursor.execute("DELETE FROM stored_events")


def test_datastore_inherited_through_fork_refuses_to_work(
    factory: ApswFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = _recorder(factory)
    # As seen from a forked child: the shared connections belong to another process.
    monkeypatch.setattr(factory.datastore._db, "pid", -1)
    with pytest.raises(ProgrammingError, match="fork"):
        recorder.insert_events(stored_events())
    with pytest.raises(ProgrammingError, match="fork"):
        recorder.max_notification_id()


def test_closed_datastore_raises_interface_error(factory: ApswFactory) -> None:
    recorder = _recorder(factory)
    factory.close()
    with pytest.raises(InterfaceError):
        recorder.insert_events(stored_events())
    with pytest.raises(InterfaceError):
        recorder.max_notification_id()
    factory.close()  # Idempotent.


# Databases that cannot take writes: the library's OperationalError (HTTP 503).


def test_read_only_database_raises_operational_error(db_name: str) -> None:
    factory = ApswFactory({"APSW_DBNAME": db_name})
    _recorder(factory).insert_events(stored_events())
    factory.close()
    read_only = ApswFactory({"APSW_DBNAME": f"file:{db_name}?mode=ro", "CREATE_TABLE": "no"})
    try:
        recorder = _recorder(read_only)
        assert recorder.max_notification_id() == 1
        with pytest.raises(OperationalError, match="readonly"):
            recorder.insert_events(stored_events())
    finally:
        read_only.close()


def test_full_database_raises_operational_error_and_the_writer_recovers(
    factory: ApswFactory,
) -> None:
    recorder = _recorder(factory)
    recorder.insert_events(stored_events())
    page_count = cast("int", _pragma(factory.datastore, "page_count"))
    _pragma(factory.datastore, f"max_page_count = {page_count + 2}")
    big = [
        StoredEvent(originator_id=uuid4(), originator_version=1, topic="t", state=bytes(5000))
        for _ in range(10)
    ]
    with pytest.raises(OperationalError, match="full"):
        recorder.insert_events(big)
    assert recorder.max_notification_id() == 1
    _pragma(factory.datastore, "max_page_count = 1000000")
    assert recorder.insert_events(big[:2]) == [2, 3]


def test_busy_timeout_against_a_writer_elsewhere(db_name: str) -> None:
    factory = ApswFactory({"APSW_DBNAME": db_name, "APSW_BUSY_TIMEOUT": "200"})
    recorder = _recorder(factory)
    # A separate connection stands in for another process holding the write lock.
    other = apsw.Connection(db_name)
    try:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            recorder.insert_events(stored_events())
        assert time.monotonic() - started >= 0.15
        other.execute("ROLLBACK")
        assert recorder.insert_events(stored_events()) == [1]
    finally:
        other.close()
        factory.close()


# Error mapping.


@pytest.mark.parametrize(
    ("apsw_error", "expected"),
    [
        (apsw.ConstraintError, IntegrityError),
        (apsw.BusyError, OperationalError),
        (apsw.SQLError, OperationalError),
        (apsw.MismatchError, DataError),
        (apsw.TooBigError, DataError),
        (apsw.InternalError, InternalError),
        (apsw.BindingsError, ProgrammingError),
        (apsw.MisuseError, ProgrammingError),
        (apsw.ConnectionClosedError, InterfaceError),
        (apsw.CorruptError, DatabaseError),
        (apsw.Error, DatabaseError),
    ],
)
def test_apsw_errors_map_to_library_errors(
    apsw_error: type[apsw.Error], expected: type[PersistenceError]
) -> None:
    translated = translate_error(apsw_error("message"))
    assert type(translated) is expected
    assert str(translated) == "message"


@pytest.mark.parametrize(
    ("apsw_error", "reason", "words"),
    [
        (apsw.FullError, "disk_full", "disk holding the database is full"),
        (apsw.ReadOnlyError, "read_only", "read-only"),
        (apsw.IOError, "io_error", "the disk refused a write"),
        (apsw.CantOpenError, "cannot_open", "cannot be opened"),
    ],
)
def test_storage_refusals_say_why(apsw_error: type[apsw.Error], reason: str, words: str) -> None:
    translated = translate_error(apsw_error("message"))
    assert isinstance(translated, StorageUnavailableError)
    assert isinstance(translated, OperationalError)  # a 503 for callers that know no more
    assert translated.reason == reason
    assert words in str(translated)
    assert "message" in str(translated)
    # Group commit hands each caller of a failed commit a copy made from the message.
    assert type(translated)(str(translated)).reason == reason


# Sharing within a process.


def test_datastores_on_one_file_share_the_writer_until_the_last_closes(db_name: str) -> None:
    first = ApswDatastore(db_name)
    second = ApswDatastore(f"file:{db_name}")
    try:
        assert first._db is second._db
        assert first._db.references == 2
        first.close()
        with second.transaction() as cursor:
            cursor.execute("CREATE TABLE t (x)")
    finally:
        first.close()
        second.close()
    assert second._db.closed


def test_named_in_memory_database_is_shared_and_memory_is_private() -> None:
    name = f"file:shared-{uuid4()}?mode=memory"
    one, two = ApswDatastore(name), ApswDatastore(name)
    private = ApswDatastore(":memory:")
    try:
        with one.transaction() as cursor:
            cursor.execute("CREATE TABLE t (x)")
        assert two.fetchall("SELECT name FROM sqlite_schema") == [("t",)]
        assert private.fetchall("SELECT name FROM sqlite_schema") == []
    finally:
        for datastore in (one, two, private):
            datastore.close()
