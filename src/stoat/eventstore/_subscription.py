"""Subscriptions to the notification log: catch up, then block for new events."""

from __future__ import annotations

import threading
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Final

import apsw
from eventsourcing.persistence import InterfaceError, Subscription

from stoat.eventstore._database import connect
from stoat.eventstore._errors import translate_error

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import Notification

    from stoat.eventstore._recorders import ApswApplicationRecorder

# Same page size as the library's ListenNotifySubscription.
BATCH_SIZE: Final = 500


class ApswSubscription(Subscription["ApswApplicationRecorder"]):
    """Iterates over notifications after ``gt``, then blocks until more are committed.

    No background thread: ``__next__`` reads a batch at a time in the calling thread.
    When it has caught up, it waits on the datastore's commit signal, which every commit
    made by this process wakes at once, and every ``poll_interval`` it asks a private
    connection for ``PRAGMA data_version``, which changes when another process commits.
    :meth:`stop` (from any thread) wakes it, and iteration ends with ``StopIteration``.
    """

    def __init__(
        self,
        recorder: ApswApplicationRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        self._datastore = recorder.datastore
        self._batch: Sequence[Notification] = ()
        self._index = 0
        # The data_version connection is opened lazily by the iterating thread and
        # closed on stop or exit; the lock keeps a close from racing with a poll.
        self._monitor_lock = threading.Lock()
        self._monitor: apsw.Connection | None = None
        self._data_version: int | None = None

    def stop(self) -> None:
        """Stop the subscription; a blocked ``__next__`` returns promptly."""
        super().stop()
        self._datastore.wake_waiters()

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._close_monitor()

    def __next__(self) -> Notification:
        while not self._has_been_stopped:
            if self._index < len(self._batch):
                notification = self._batch[self._index]
                self._index += 1
                return notification
            self._fetch_or_wait()
        self._close_monitor()
        raise StopIteration

    def _fetch_or_wait(self) -> None:
        # Note where the log stands *before* reading it, so a commit that lands
        # between the read and the wait is not missed.
        generation = self._datastore.commit_generation
        self._remember_data_version()
        position = self._last_notification_id or 0
        # With a topic filter, rows of other topics never come back; remembering the
        # maximum seen lets the next read skip past them.
        max_id = self._recorder.max_notification_id() if self._topics else None
        batch = self._recorder.select_notifications(
            start=position,
            limit=BATCH_SIZE,
            topics=self._topics,
            inclusive_of_start=False,
        )
        if batch:
            self._batch, self._index = batch, 0
            position = batch[-1].id
        if max_id is not None and len(batch) < BATCH_SIZE:
            position = max(position, max_id)
        self._last_notification_id = position
        if not batch:
            self._wait(generation)

    def _wait(self, generation: int) -> None:
        while not self._has_been_stopped:
            if self._datastore.closed:
                msg = "The subscribed recorder's datastore was closed"
                raise InterfaceError(msg)
            if self._datastore.wait_for_commit(generation, self._datastore.poll_interval):
                return
            if self._data_version_changed():
                return

    # Commits by other processes.

    def _remember_data_version(self) -> None:
        if self._datastore.in_memory:
            return  # Nobody outside this process can write to it.
        with self._monitor_lock:
            if self._monitor is None:
                self._monitor = connect(self._datastore.db_name, self._datastore.busy_timeout_ms)
            self._data_version = self._read_data_version(self._monitor)

    def _data_version_changed(self) -> bool:
        with self._monitor_lock:
            if self._monitor is None:
                return False
            return self._read_data_version(self._monitor) != self._data_version

    @staticmethod
    def _read_data_version(monitor: apsw.Connection) -> int:
        # PRAGMA data_version changes when any *other* connection commits; this one
        # never writes, so every commit counts. It reads the WAL index, not the tables.
        try:
            row = monitor.execute("PRAGMA data_version").fetchall()[0]
        except apsw.Error as error:
            raise translate_error(error) from error
        return int(row[0])  # type: ignore[arg-type]

    def _close_monitor(self) -> None:
        with self._monitor_lock:
            if self._monitor is not None:
                self._monitor.close(force=True)
                self._monitor = None

    def __del__(self) -> None:
        with suppress(Exception):
            self._close_monitor()
