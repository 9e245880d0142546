"""The PostgreSQL event store: the library's own conformance cases on our chained
recorder, the same chain as the SQLite store, and tampering found by the audit walk."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, cast
from uuid import uuid4

import pytest

pytest.importorskip(
    "Crypto", reason="eventsourcing.tests.persistence imports AESCipher (needs pycryptodome)"
)

import psycopg
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, StoredEvent
from eventsourcing.tests import persistence as lib

from stoat.eventstore import ApswFactory, ChainWalk, walk_chain
from stoat.eventstore.postgres import ChainedPostgresApplicationRecorder, PostgresChainFactory
from stoat.settings import Settings
from tests.servers import fresh_database, server_urls

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def _env(url: str) -> dict[str, str]:
    return Settings(event_store_url=url).environment()


@pytest.fixture
def database() -> Iterator[str]:
    postgres, _ = server_urls()
    with fresh_database(postgres) as url:
        yield url


@pytest.fixture
def factory(database: str) -> Iterator[PostgresChainFactory]:
    factory = cast("PostgresChainFactory", InfrastructureFactory.construct(env=_env(database)))
    yield factory
    factory.close()


@pytest.fixture
def recorder(factory: PostgresChainFactory) -> ChainedPostgresApplicationRecorder:
    recorder = factory.application_recorder()
    assert isinstance(recorder, ChainedPostgresApplicationRecorder)
    return recorder


def _events(n: int, originator: Any = None) -> list[StoredEvent]:
    originator = originator or uuid4()
    return [
        StoredEvent(originator, version, f"topic{version % 3}", f"state {version}".encode())
        for version in range(1, n + 1)
    ]


def _walk(recorder: Any) -> ChainWalk:
    walk = ChainWalk()
    walk_chain(recorder.select_chain(0, 10**9, 10**6), walk)
    return walk


class TestLibraryConformance(lib.ApplicationRecorderTestCase[ChainedPostgresApplicationRecorder]):
    """eventsourcing's application recorder cases, contiguous ids included."""

    def setUp(self) -> None:
        postgres, _ = server_urls()
        self._database = fresh_database(postgres)
        self.url = self._database.__enter__()
        self.factories: list[PostgresChainFactory] = []

    def tearDown(self) -> None:
        for factory in self.factories:
            factory.close()
        self._database.__exit__(None, None, None)

    def create_recorder(self) -> ChainedPostgresApplicationRecorder:
        factory = cast("PostgresChainFactory", InfrastructureFactory.construct(env=_env(self.url)))
        self.factories.append(factory)
        recorder = factory.application_recorder()
        assert isinstance(recorder, ChainedPostgresApplicationRecorder)
        return recorder

    def test_concurrent_throughput(self) -> None:
        pytest.skip("a timing, not a property (timings stay out of tests): see bench/")

    def test_performance(self) -> None:
        pytest.skip("a timing, not a property (timings stay out of tests): see bench/")


def test_the_chain_equals_the_sqlite_stores(
    recorder: ChainedPostgresApplicationRecorder, tmp_path: Path
) -> None:
    events = _events(5) + _events(3)
    sqlite = ApswFactory({"APSW_DBNAME": str(tmp_path / "events.db")})
    try:
        lite = sqlite.application_recorder()
        for batch in (events[:2], events[2:5], events[5:]):
            assert recorder.insert_events(batch) == lite.insert_events(batch)
        assert recorder.select_chain(0, 100, 100) == lite.select_chain(0, 100, 100)  # type: ignore[attr-defined]
        assert recorder.chain_head() == lite.chain_head()  # type: ignore[attr-defined]
    finally:
        sqlite.close()
    walk = _walk(recorder)
    assert walk.broken is None
    assert walk.count == 8


def test_a_clash_writes_nothing_and_leaves_no_gap(
    recorder: ChainedPostgresApplicationRecorder,
) -> None:
    first = _events(2)
    assert recorder.insert_events(first) == [1, 2]
    clash = [*_events(1), first[1]]  # a new aggregate's event, then a stale version
    with pytest.raises(IntegrityError):
        recorder.insert_events(clash)
    assert recorder.insert_events(_events(1)) == [3]
    assert _walk(recorder).broken is None


def test_concurrent_appends_stay_contiguous_and_chained(
    recorder: ChainedPostgresApplicationRecorder,
) -> None:
    def append() -> None:
        for _ in range(10):
            recorder.insert_events(_events(3))

    threads = [threading.Thread(target=append) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    walk = _walk(recorder)
    assert walk.broken is None
    assert walk.count == recorder.max_notification_id() == 120


@pytest.mark.parametrize(
    ("tampering", "found"),
    [
        (
            "UPDATE stored_events SET state = 'forged' WHERE notification_id = 3",
            (3, "hash_mismatch"),
        ),
        ("DELETE FROM stored_events WHERE notification_id = 2", (2, "missing_event")),
    ],
    ids=["changed", "deleted"],
)
def test_the_walk_finds_a_tampered_row(
    recorder: ChainedPostgresApplicationRecorder,
    database: str,
    tampering: str,
    found: tuple[int, str],
) -> None:
    recorder.insert_events(_events(4))
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(tampering)
    walk = _walk(recorder)
    assert walk.broken is not None
    assert (walk.broken.position, walk.broken.code) == found


def test_processes_starting_together_create_the_tables_once(database: str) -> None:
    """Nodes start at once: each creates the tables and types, none trips on another."""
    from stoat.commands.application import StoatApplication

    errors: list[BaseException] = []
    apps: list[StoatApplication] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            apps.append(StoatApplication(env=_env(database)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for app in apps:
        app.close()
    assert errors == []
    assert len(apps) == 4


def test_last_position_of_a_topic(recorder: ChainedPostgresApplicationRecorder) -> None:
    assert recorder.last_position_of("topic1") is None
    recorder.insert_events(_events(5))
    assert recorder.last_position_of("topic1") == 4
    assert recorder.last_position_of("topic0") == 3
