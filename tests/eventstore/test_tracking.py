"""The tracking recorder's hook for projections, and its fast wait()."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest
from eventsourcing.persistence import IntegrityError, Tracking, WaitInterruptedError

from stoat.eventstore import ApswFactory, ApswTrackingRecorder
from tests.eventstore._support import spawn_context
from tests.eventstore._workers import insert_tracking_later

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class TitlesView(ApswTrackingRecorder):
    """A read model with its own table, updated together with its tracking record."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS titles (id TEXT PRIMARY KEY, title TEXT NOT NULL)",
        ]

    def title_set(self, project_id: str, title: str, tracking: Tracking) -> None:
        with self.tracked(tracking) as cursor:
            cursor.execute(
                "INSERT INTO titles VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET title = ?",
                (project_id, title, title),
            )

    def title_set_tracking_last(self, project_id: str, title: str, tracking: Tracking) -> None:
        with self.transaction() as cursor:
            cursor.execute(
                "INSERT INTO titles VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET title = ?",
                (project_id, title, title),
            )
            self._insert_tracking(cursor, tracking)

    def title(self, project_id: str) -> str | None:
        row = self.datastore.fetchone("SELECT title FROM titles WHERE id = ?", (project_id,))
        return None if row is None else str(row[0])


@pytest.fixture
def db_name(tmp_path: Path) -> str:
    return str(tmp_path / "views.db")


@pytest.fixture
def factory(db_name: str) -> Iterator[ApswFactory]:
    # A slow poll: only the in-process commit signal can explain a prompt wake-up.
    factory = ApswFactory({"APSW_DBNAME": db_name, "APSW_POLL_INTERVAL": "20000"})
    yield factory
    factory.close()


@pytest.fixture
def view(factory: ApswFactory) -> TitlesView:
    return factory.tracking_recorder(TitlesView)


def test_view_update_and_tracking_commit_together(view: TitlesView) -> None:
    view.title_set("p1", "Intro", Tracking("Stoat", 1))
    assert view.title("p1") == "Intro"
    assert view.max_tracking_id("Stoat") == 1


def test_redelivered_notification_changes_nothing(view: TitlesView) -> None:
    view.title_set("p1", "Intro", Tracking("Stoat", 1))
    with pytest.raises(IntegrityError):
        view.title_set("p1", "Changed", Tracking("Stoat", 1))
    with pytest.raises(IntegrityError):
        view.title_set_tracking_last("p1", "Changed", Tracking("Stoat", 1))
    assert view.title("p1") == "Intro"
    assert view.max_tracking_id("Stoat") == 1


def test_failed_view_update_does_not_advance_tracking(view: TitlesView) -> None:
    def fail_after_tracking() -> None:
        with view.tracked(Tracking("Stoat", 1)) as cursor:
            cursor.execute("INSERT INTO titles VALUES ('p1', 'Intro')")
            cursor.execute("INSERT INTO titles VALUES ('p1', 'Duplicate')")

    with pytest.raises(IntegrityError):
        fail_after_tracking()
    assert view.max_tracking_id("Stoat") is None
    assert view.title("p1") is None
    view.title_set("p1", "Intro", Tracking("Stoat", 1))  # Redelivery now succeeds.
    assert view.title("p1") == "Intro"


def test_each_projection_gets_its_own_tracking_table(db_name: str) -> None:
    factories = [
        ApswFactory({"APSW_DBNAME": db_name, "PROJECT_VIEWS_APSW_DBNAME": db_name}),
        ApswFactory({"APSW_DBNAME": db_name}),
    ]
    factories[0].env.name = "project_views"
    try:
        first = factories[0].tracking_recorder(TitlesView)
        second = factories[1].tracking_recorder(TitlesView)
        first.title_set("p1", "Intro", Tracking("Stoat", 5))
        assert first.tracking_table_name == "project_views_tracking"
        assert second.max_tracking_id("Stoat") is None
    finally:
        for factory in factories:
            factory.close()


def test_wait_returns_at_once_when_this_process_records_the_position(view: TitlesView) -> None:
    recorded: list[float] = []

    def record_later() -> None:
        time.sleep(0.2)
        view.title_set("p1", "Intro", Tracking("Stoat", 3))
        recorded.append(time.monotonic())

    writer = threading.Thread(target=record_later)
    writer.start()
    view.wait("Stoat", 3, timeout=10)
    returned = time.monotonic()
    writer.join()
    # Far below the 20 s poll interval: the commit woke the waiter.
    assert returned - recorded[0] < 2.0


def test_wait_sees_a_position_recorded_by_another_process(db_name: str) -> None:
    factory = ApswFactory({"APSW_DBNAME": db_name})  # Default 50 ms poll interval.
    recorder = factory.tracking_recorder()
    child = spawn_context().Process(
        target=insert_tracking_later,
        kwargs={"db_name": db_name, "tracking": Tracking("Stoat", 7), "delay": 0.3},
    )
    try:
        child.start()
        recorder.wait("Stoat", 7, timeout=60)
        assert recorder.max_tracking_id("Stoat") == 7
        child.join(timeout=30)
        assert child.exitcode == 0
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        factory.close()


def test_wait_times_out_and_can_be_interrupted(view: TitlesView) -> None:
    with pytest.raises(TimeoutError):
        view.wait("Stoat", 1, timeout=0.1)
    interrupt = threading.Event()
    threading.Timer(0.1, interrupt.set).start()
    started = time.monotonic()
    with pytest.raises(WaitInterruptedError):
        view.wait("Stoat", 1, timeout=60, interrupt=interrupt)
    # Noticed promptly, although nothing was committed and the poll interval is 20 s.
    assert time.monotonic() - started < 2.0
