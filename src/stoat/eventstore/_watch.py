"""Commits by other processes, seen within a millisecond while anyone waits for one.

A commit through this process's writer wakes its waiters at once (``notify_commit``).
A commit by another process is only visible in ``PRAGMA data_version``, which waiters
otherwise read every ``poll_interval`` (50 ms). When the read models of ``stoat serve``
are written by its companion process, every read with ``X-Stoat-After`` would wait
that long for an edit made a millisecond before. So a database whose writes come from
elsewhere gets this watcher: one thread, on a connection of its own, that asks for
``data_version`` every :data:`INTERVAL` while at least one thread waits for a commit,
turns a change into the process's commit signal, and sleeps while nobody waits.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final

import apsw
import structlog

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

log = structlog.get_logger(__name__)

INTERVAL: Final = 0.001
"""Seconds between two looks at ``data_version`` while a thread waits."""


class CommitWatcher:
    """Calls ``notify`` when another connection commits to ``db_name``, while watched."""

    def __init__(
        self, db_name: str, notify: Callable[[], None], *, interval: float = INTERVAL
    ) -> None:
        self._db_name = db_name
        self._notify = notify
        self._interval = interval
        self._waiters = 0
        self._state = threading.Condition(threading.Lock())
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="stoat-commit-watch", daemon=True)
        self._thread.start()

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Watch (at the short interval) for as long as the block runs."""
        with self._state:
            self._waiters += 1
            self._state.notify()
        try:
            yield
        finally:
            with self._state:
                self._waiters -= 1

    def stop(self, timeout: float = 5.0) -> None:
        with self._state:
            self._stopping = True
            self._state.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        conn: apsw.Connection | None = None
        seen: int | None = None
        try:
            while self._idle_until_watched():
                try:
                    if conn is None:
                        conn = apsw.Connection(self._db_name, flags=apsw.SQLITE_OPEN_READONLY)
                        seen = None
                    version = _data_version(conn)
                except apsw.Error:
                    # The file is being replaced or is not there yet: try again later.
                    log.warning("commit_watch_failed", db=self._db_name, exc_info=True)
                    if conn is not None:
                        conn.close(force=True)
                    conn = None
                    time.sleep(0.1)
                    continue
                if version != seen:
                    # The first look, too: a commit may have come since the waiter's
                    # own check, and an early wake-up only costs it another check.
                    self._notify()
                seen = version
                time.sleep(self._interval)
        finally:
            if conn is not None:
                conn.close(force=True)

    def _idle_until_watched(self) -> bool:
        """Blocks while nobody waits; False once stopping."""
        with self._state:
            while self._waiters == 0 and not self._stopping:
                self._state.wait()
            return not self._stopping


def _data_version(conn: apsw.Connection) -> int:
    row = conn.execute("PRAGMA data_version").fetchall()[0]
    return int(row[0])  # type: ignore[arg-type]
