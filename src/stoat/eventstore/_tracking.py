"""Tracking and process recorders, and the hook projections use for exactly-once views.

A projection keeps its read-model tables in the same database as its tracking table and
writes each view update together with its tracking record in one transaction: if the
transaction commits, both are there; if the tracking insert fails (the notification was
already processed), neither is. Subclass :class:`ApswTrackingRecorder`::

    class ProjectsView(ApswTrackingRecorder):
        def construct_create_table_statements(self) -> list[str]:
            return [
                *super().construct_create_table_statements(),
                "CREATE TABLE IF NOT EXISTS projects (id TEXT PRIMARY KEY, name TEXT)",
            ]

        def project_created(self, project_id: str, name: str, tracking: Tracking) -> None:
            with self.tracked(tracking) as cursor:
                cursor.execute("INSERT INTO projects VALUES (?, ?)", (project_id, name))

        def project_name(self, project_id: str) -> str | None:
            row = self.datastore.fetchone("SELECT name FROM projects WHERE id = ?", (project_id,))
            return None if row is None else str(row[0])

Use :meth:`ApswTrackingRecorder.transaction` with :meth:`_insert_tracking` instead of
:meth:`tracked` when the tracking record must come after the view writes.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import partial
from time import monotonic
from typing import TYPE_CHECKING, Any, Final, cast

from eventsourcing.persistence import (
    IntegrityError,
    ProcessRecorder,
    Tracking,
    TrackingRecorder,
    WaitInterruptedError,
)

from stoat.eventstore._recorders import ApswApplicationRecorder, ApswRecorder, quote_identifier

# Seconds: how late wait() may notice that its interrupt event was set.
INTERRUPT_CHECK_INTERVAL: Final = 0.05

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from contextlib import AbstractContextManager
    from threading import Event

    import apsw
    from eventsourcing.persistence import StoredEvent

    from stoat.eventstore._datastore import ApswDatastore


class ApswTrackingRecorder(ApswRecorder, TrackingRecorder):
    """Records, per upstream application, the last notification id processed.

    One row per upstream application name; a tracking record must move the position
    forward, so recording the same (or an earlier) notification twice raises the
    library's ``IntegrityError``. That is the exactly-once guard for projections.
    """

    def __init__(
        self,
        datastore: ApswDatastore,
        *,
        tracking_table_name: str = "notification_tracking",
        **kwargs: Any,
    ) -> None:
        self.tracking_table_name = tracking_table_name
        self.tracking_table = quote_identifier(tracking_table_name)
        super().__init__(datastore, **kwargs)
        table = self.tracking_table
        self.insert_tracking_statement = (
            f"INSERT INTO {table} (application_name, notification_id) VALUES (?, ?) "  # noqa: S608
            "ON CONFLICT (application_name) DO UPDATE "
            "SET notification_id = excluded.notification_id "
            f"WHERE {table}.notification_id < excluded.notification_id "
            "RETURNING notification_id"
        )
        self.select_max_tracking_id_statement = (
            f"SELECT notification_id FROM {table} WHERE application_name = ?"  # noqa: S608
        )

    def construct_create_table_statements(self) -> list[str]:
        """Extend in subclasses to create read-model tables with the tracking table."""
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.tracking_table} ("
            "application_name TEXT PRIMARY KEY, "
            "notification_id INTEGER NOT NULL"
            ") STRICT, WITHOUT ROWID",
        ]

    # The hook for projections.

    def transaction(self) -> AbstractContextManager[apsw.Cursor]:
        """A write transaction on this recorder's database (``BEGIN IMMEDIATE`` held).

        Yields an apsw cursor; everything executed on it commits together on normal
        exit and rolls back on an exception. Call :meth:`_insert_tracking` with the
        cursor to record the position in the same transaction.
        """
        return self.datastore.transaction()

    @contextmanager
    def tracked(self, tracking: Tracking) -> Iterator[apsw.Cursor]:
        """A write transaction that records ``tracking`` first, then runs the block.

        Raises the library's ``IntegrityError`` before the block runs if the position
        has been recorded already, so a redelivered notification changes nothing.
        """
        with self.datastore.transaction() as cursor:
            self._insert_tracking(cursor, tracking)
            yield cursor

    def _insert_tracking(self, cursor: apsw.Cursor, tracking: Tracking) -> None:
        """Record ``tracking`` inside the open transaction of ``cursor``.

        Raises ``IntegrityError`` unless it moves the application's position forward.
        """
        rows = cursor.execute(
            self.insert_tracking_statement,
            (tracking.application_name, tracking.notification_id),
        ).fetchall()
        if not rows:
            msg = (
                f"Tracking for {tracking.application_name!r} is already at or past "
                f"notification {tracking.notification_id}"
            )
            raise IntegrityError(msg)

    # TrackingRecorder.

    def insert_tracking(self, tracking: Tracking) -> None:
        """Record ``tracking`` on its own (``IntegrityError`` if not a step forward)."""
        self.datastore.write(partial(self._insert_tracking, tracking=tracking))

    def max_tracking_id(self, application_name: str) -> int | None:
        """The last notification id recorded for ``application_name``, or None."""
        row = self.datastore.fetchone(self.select_max_tracking_id_statement, (application_name,))
        return None if row is None else cast("int", row[0])

    def wait(
        self,
        application_name: str,
        notification_id: int | None,
        timeout: float = 1.0,
        interrupt: Event | None = None,
        behind: Callable[[], None] | None = None,
    ) -> None:
        """Block until ``notification_id`` of ``application_name`` has been recorded.

        Unlike the library's backing-off poll, a commit in this process wakes the
        waiter at once (read-your-writes latency is one commit, not up to 800 ms);
        commits from other processes are noticed within the poll interval.

        Raises ``TimeoutError`` after ``timeout`` seconds, and the library's
        ``WaitInterruptedError`` once ``interrupt`` is set (noticed within 50 ms).
        ``behind`` is called once, the first time the position is found not yet
        recorded (to wake whoever records it, in another process).
        """
        deadline = monotonic() + timeout
        while True:
            generation = self.datastore.commit_generation
            if self.has_tracking_id(application_name, notification_id):
                return
            if behind is not None:
                behind()
                behind = None
            if interrupt is not None and interrupt.is_set():
                raise WaitInterruptedError
            remaining = deadline - monotonic()
            if remaining <= 0:
                msg = (
                    f"Timed out waiting for notification {notification_id} "
                    f"from application '{application_name}' to be processed"
                )
                raise TimeoutError(msg)
            pause = min(remaining, self.datastore.poll_interval)
            if interrupt is not None:
                # Nothing can wait on an Event and a Condition at once: look at the
                # interrupt at least this often.
                pause = min(pause, INTERRUPT_CHECK_INTERVAL)
            self.datastore.wait_for_commit(generation, pause)


class ApswProcessRecorder(ApswTrackingRecorder, ApswApplicationRecorder, ProcessRecorder):
    """Records new events together with the tracking record of what caused them."""

    def __init__(
        self,
        datastore: ApswDatastore,
        *,
        events_table_name: str = "stored_events",
        tracking_table_name: str = "notification_tracking",
    ) -> None:
        super().__init__(
            datastore,
            tracking_table_name=tracking_table_name,
            events_table_name=events_table_name,
        )

    def _insert_events(
        self, cursor: apsw.Cursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        # Tracking first: a redelivered notification fails before any event is written.
        tracking: Tracking | None = kwargs.get("tracking")
        if tracking is not None:
            self._insert_tracking(cursor, tracking)
        return super()._insert_events(cursor, stored_events, **kwargs)
