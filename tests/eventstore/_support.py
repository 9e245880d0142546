"""Shared helpers for the event store tests: temporary databases and stored events."""

from __future__ import annotations

import hashlib
import multiprocessing
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import TestCase
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent

from stoat.eventstore import ApswApplicationRecorder, ApswDatastore, ApswFactory

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from multiprocessing.context import SpawnContext


def spawn_context() -> SpawnContext:
    """Child processes start fresh (no inherited SQLite connections across fork)."""
    return multiprocessing.get_context("spawn")


def stored_events(
    originator_id: UUID | None = None, count: int = 1, *, first_version: int = 1, topic: str = "t"
) -> list[StoredEvent]:
    """``count`` consecutive events of one aggregate."""
    oid = originator_id or uuid4()
    return [
        StoredEvent(
            originator_id=oid,
            originator_version=first_version + i,
            topic=topic,
            state=b'{"n":%d}' % i,
        )
        for i in range(count)
    ]


class TempDatabaseTestCase(TestCase):
    """Gives each test its own directory, and closes what the test opened."""

    def setUp(self) -> None:
        super().setUp()
        self._tmp = tempfile.TemporaryDirectory(prefix="stoat-eventstore-")
        self.tmp_path = Path(self._tmp.name)
        self.db_name = str(self.tmp_path / "events.db")
        self._to_close: list[ApswDatastore | ApswFactory] = []

    def tearDown(self) -> None:
        for closeable in reversed(self._to_close):
            closeable.close()
        self._tmp.cleanup()
        super().tearDown()

    def datastore(self, db_name: str | None = None, **kwargs: Any) -> ApswDatastore:
        """A datastore on this test's database, closed at tear-down."""
        datastore = ApswDatastore(db_name or self.db_name, **kwargs)
        self._to_close.append(datastore)
        return datastore

    def open_factory(self, **env: str) -> ApswFactory:
        """A factory on this test's database (override keys with ``env``)."""
        factory = ApswFactory({"APSW_DBNAME": self.db_name, **env})
        self._to_close.append(factory)
        return factory


def recompute_chain(rows: Iterable[Sequence[Any]]) -> list[bytes]:
    """The chain hashes of ``rows`` (id, originator id, version, topic, state), from the
    genesis, written out from the specification rather than with ``chain_hash``."""
    previous, hashes = bytes(32), []
    for notification_id, originator_id, version, topic, state in rows:
        oid, name = originator_id.encode(), topic.encode()
        previous = hashlib.sha256(
            previous
            + notification_id.to_bytes(8, "big")
            + version.to_bytes(8, "big")
            + len(oid).to_bytes(4, "big")
            + oid
            + len(name).to_bytes(4, "big")
            + name
            + state
        ).digest()
        hashes.append(previous)
    return hashes


def assert_chain_intact(recorder: ApswApplicationRecorder) -> int:
    """Every stored row's ``chain_hash`` is the recomputed one; returns the row count."""
    rows = recorder.datastore.fetchall(
        "SELECT notification_id, originator_id, originator_version, topic, state, chain_hash "
        f"FROM {recorder.events_table} ORDER BY notification_id"
    )
    expected = recompute_chain(row[:5] for row in rows)
    assert [row[5] for row in rows] == expected, "the stored chain does not recompute"
    assert [row[0] for row in rows] == list(range(1, len(rows) + 1))
    return len(rows)
