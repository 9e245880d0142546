"""Checkpoints off the writer's path: the WAL is copied into the database by a thread.

SQLite's automatic checkpoint runs inside the ``COMMIT`` that takes the WAL past 1,000
pages: the save that happens to cross it waits for a 4 MB copy and an fsync, and after a
large transaction (a read model's rebuild writes hundreds of MB) for all of it. Here the
writer's WAL hook only notes the WAL's size, and a thread of the database's own, on a
connection of its own, runs a ``PASSIVE`` checkpoint each time the WAL has grown by
:data:`CHECKPOINT_PAGES` since the last one. ``PASSIVE`` never blocks the writer or the
readers; frames that a reader still needs are copied next time.
"""

from __future__ import annotations

import threading
from typing import Final

import apsw
import structlog

log = structlog.get_logger(__name__)

CHECKPOINT_PAGES: Final = 1000
"""WAL growth, in pages, between two checkpoints (SQLite's own default interval)."""


class WalCheckpointer:
    """Checkpoints one database file in the background; attach it to the writer."""

    def __init__(self, db_name: str, *, synchronous: str, busy_timeout_ms: int) -> None:
        self._db_name = db_name
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self._due = threading.Event()
        self._stopping = False
        # Frames in the WAL when the last checkpoint ran (it restarts from 0 when SQLite
        # can begin a new one, which the hook sees as a smaller size).
        self._checkpointed_at = 0
        self._thread: threading.Thread | None = None

    def attach(self, writer: apsw.Connection) -> None:
        """Replaces the writer's automatic checkpoint with this thread's."""
        writer.set_wal_hook(self._committed)
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="stoat-wal-checkpoint", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self._due.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _committed(self, writer: apsw.Connection, name: str, pages: int) -> int:
        del writer, name
        if pages < self._checkpointed_at:
            self._checkpointed_at = 0  # the WAL started again from its beginning
        if pages - self._checkpointed_at >= CHECKPOINT_PAGES:
            self._checkpointed_at = pages
            self._due.set()
        return apsw.SQLITE_OK

    def _run(self) -> None:
        connection: apsw.Connection | None = None
        try:
            while True:
                self._due.wait()
                if self._stopping:
                    return
                self._due.clear()
                try:
                    if connection is None:
                        connection = self._connect()
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except apsw.Error:
                    # Not fatal: the WAL grows until the next attempt (or the close).
                    log.warning("wal_checkpoint_failed", db=self._db_name, exc_info=True)
        finally:
            if connection is not None:
                connection.close(force=True)

    def _connect(self) -> apsw.Connection:
        connection = apsw.Connection(self._db_name)
        connection.set_busy_timeout(self._busy_timeout_ms)
        # The checkpoint's fsyncs follow this connection's setting: the writer's.
        connection.execute(f"PRAGMA synchronous={self._synchronous}")
        return connection
