"""The datastore: transactions, reads and commit notifications for one database."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Final, Literal, TypeVar

import apsw
from eventsourcing.persistence import InterfaceError, OperationalError, ProgrammingError

from stoat.eventstore._database import Database, acquire_database, release_database
from stoat.eventstore._errors import translate_error

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Iterator

    from apsw import Bindings, SQLiteValues

T = TypeVar("T")

SynchronousMode = Literal["OFF", "NORMAL", "FULL", "EXTRA"]
SYNCHRONOUS_MODES: Final[tuple[SynchronousMode, ...]] = ("OFF", "NORMAL", "FULL", "EXTRA")
# FULL: every commit fsyncs the WAL, so an acknowledged append survives power loss.
DEFAULT_SYNCHRONOUS: Final[SynchronousMode] = "FULL"
DEFAULT_BUSY_TIMEOUT_MS: Final = 5000
# How often waiters look for commits made by other processes (same-process commits wake
# them at once).
DEFAULT_POLL_INTERVAL: Final = 0.05


def parse_synchronous(value: str) -> SynchronousMode:
    """Validate a ``synchronous`` setting (case-insensitive) and return it upper-cased."""
    upper = value.strip().upper()
    for mode in SYNCHRONOUS_MODES:
        if upper == mode:
            return mode
    msg = f"Invalid synchronous setting {value!r}: expected one of {', '.join(SYNCHRONOUS_MODES)}"
    raise ValueError(msg)


class ApswDatastore:
    """Transactions and reads on one SQLite database through apsw.

    Writes go through :meth:`write` (a unit of statements, committed together with the
    units other threads queued meanwhile) or :meth:`transaction` (a block holding
    ``BEGIN IMMEDIATE``), both on the process's single writer connection, under a
    Python lock; reads through :meth:`read` (a pooled reader connection, which in WAL
    mode never blocks the writer). Datastores in one process that name the same file
    share those connections; :meth:`close` drops this datastore's share and the last
    one closes them.

    Args:
        db_name: File name or ``file:`` URI. ``:memory:`` gives a private in-memory
            database; ``file:NAME?mode=memory`` an in-memory database shared by the
            datastores of this process that use the same name.
        synchronous: SQLite ``PRAGMA synchronous`` for the writer.
        busy_timeout_ms: How long to wait for a lock held by another process, and for
            this process's writer lock.
        poll_interval: Seconds between checks for commits from other processes.
        originator_id_type: ``"uuid"`` to return originator ids as UUIDs, ``"text"``
            to return them as stored.
    """

    def __init__(
        self,
        db_name: str,
        *,
        synchronous: str = DEFAULT_SYNCHRONOUS,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        originator_id_type: Literal["uuid", "text"] = "uuid",
    ) -> None:
        if busy_timeout_ms < 0:
            msg = f"busy_timeout_ms must not be negative: {busy_timeout_ms}"
            raise ValueError(msg)
        if poll_interval <= 0:
            msg = f"poll_interval must be positive: {poll_interval}"
            raise ValueError(msg)
        self.db_name = db_name
        self.synchronous = parse_synchronous(synchronous)
        self.busy_timeout_ms = busy_timeout_ms
        self.poll_interval = poll_interval
        self.originator_id_type = originator_id_type
        self._closed = False
        self._db: Database = acquire_database(
            db_name, synchronous=self.synchronous, busy_timeout_ms=busy_timeout_ms
        )

    @property
    def in_memory(self) -> bool:
        """Whether the database lives in memory (single connection, no WAL)."""
        return self._db.in_memory

    def write(self, work: Callable[[apsw.Cursor], T]) -> T:
        """Run ``work`` atomically in a write transaction; return once it is durable.

        The transaction may be shared with other threads' writes (group commit: one
        ``COMMIT``, one fsync, for all the saves queued behind the previous commit),
        but ``work`` runs in its own savepoint: if it raises, only its statements are
        rolled back and the exception (apsw errors mapped to the library's classes) is
        raised here, while the others commit. If the ``COMMIT`` fails, every write in
        it fails. ``work`` may run on another thread, and more than once (see
        ``GroupCommitter.submit``): it must act only through the cursor it is given.
        Like :meth:`transaction`, this does not nest inside a transaction of the same
        thread (``ProgrammingError``).
        """
        db = self._live_db()
        if db.writer_thread == threading.get_ident():
            msg = "A write transaction is already open on this thread; they do not nest"
            raise ProgrammingError(msg)
        return db.committer.submit(work)

    def write_async(self, work: Callable[[apsw.Cursor], T]) -> asyncio.Future[T]:
        """:meth:`write` for a coroutine: the future of its outcome, on the running loop.

        Queued with the threads' writes, in the same groups; the loop never waits for
        the writer (see ``GroupCommitter.submit_async``).
        """
        return self._live_db().committer.submit_async(work)

    @contextmanager
    def transaction(self) -> Iterator[apsw.Cursor]:
        """A write transaction: ``BEGIN IMMEDIATE`` on the writer, committed on exit.

        Yields an apsw cursor. Everything executed on it (and on
        ``cursor.connection``) commits together when the block exits normally, and
        rolls back if it raises. apsw errors are raised as the library's persistence
        errors. Threads of this process queue on a lock; other processes are waited for
        up to the busy timeout. Transactions do not nest: opening one inside another on
        the same thread raises ``ProgrammingError``.

        The block runs arbitrary code in the caller's thread, so it is not grouped: it
        holds the writer alone, as a group of its own, and the :meth:`write` calls that
        arrive meanwhile queue and then commit together after it.
        """
        db = self._live_db()
        thread = threading.get_ident()
        if db.writer_thread == thread:
            msg = "A write transaction is already open on this thread; they do not nest"
            raise ProgrammingError(msg)
        if not db.writer_lock.acquire(timeout=self.busy_timeout_ms / 1000):
            msg = f"Timed out waiting for the writer of {self.db_name!r} in this process"
            raise OperationalError(msg)
        db.writer_thread = thread
        try:
            conn = db.writer
            try:
                cursor = conn.execute("BEGIN IMMEDIATE")
                yield cursor
                cursor.execute("COMMIT")
            except BaseException as error:
                self._rollback(db, conn)
                if isinstance(error, apsw.Error):
                    raise translate_error(error) from error
                raise
        finally:
            db.writer_thread = None
            db.writer_lock.release()
        db.notify_commit()

    @staticmethod
    def _rollback(db: Database, conn: apsw.Connection) -> None:
        # SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR), so
        # only roll back what is still open. If even that fails, the connection's state
        # is unknown: drop it rather than let the next BEGIN fail.
        if not conn.in_transaction:
            return
        try:
            conn.execute("ROLLBACK")
        except apsw.Error:
            db.discard_writer()

    @contextmanager
    def read(self) -> Iterator[apsw.Cursor]:
        """A cursor for reading, in autocommit mode (each statement sees one snapshot).

        File databases use a pooled reader connection, so reads never wait for the
        writer; in-memory ones share the single connection under the writer lock (and,
        inside this thread's own transaction, see its uncommitted writes). apsw errors
        are raised as the library's persistence errors.
        """
        db = self._live_db()
        if db.in_memory:
            with self._memory_connection(db) as conn:
                yield from self._cursor_on(conn)
            return
        conn = db.take_reader()
        try:
            yield from self._cursor_on(conn)
        finally:
            db.give_back_reader(conn)

    @staticmethod
    def _cursor_on(conn: apsw.Connection) -> Iterator[apsw.Cursor]:
        cursor = conn.cursor()
        try:
            yield cursor
        except apsw.Error as error:
            raise translate_error(error) from error
        finally:
            # Finish any half-read statement: an open statement pins a WAL snapshot,
            # which would stop checkpoints from completing and let the WAL grow.
            with suppress(apsw.Error):
                cursor.close(force=True)

    @contextmanager
    def _memory_connection(self, db: Database) -> Iterator[apsw.Connection]:
        if db.writer_thread == threading.get_ident():
            yield db.writer
            return
        if not db.writer_lock.acquire(timeout=self.busy_timeout_ms / 1000):
            msg = f"Timed out waiting for the connection to {self.db_name!r}"
            raise OperationalError(msg)
        try:
            yield db.writer
        finally:
            db.writer_lock.release()

    def fetchall(self, sql: str, bindings: Bindings | None = None) -> list[SQLiteValues]:
        """Run one query on a reader and return all its rows."""
        with self.read() as cursor:
            return cursor.execute(sql, bindings).fetchall()

    def fetchone(self, sql: str, bindings: Bindings | None = None) -> SQLiteValues | None:
        """Run one query on a reader and return its first row (or None)."""
        with self.read() as cursor:
            row: SQLiteValues | None = cursor.execute(sql, bindings).fetchone()
            return row

    # Commit notifications (used by subscriptions and tracking waits).

    @property
    def commit_generation(self) -> int:
        """A counter bumped by every commit in this process; read it before checking."""
        return self._db.generation

    def wait_for_commit(self, generation: int, timeout: float) -> bool:
        """Block until a commit after ``generation`` in this process, or ``timeout``.

        Returns whether one happened; may return early on :meth:`wake_waiters`.
        """
        return self._db.wait_for_commit(generation, timeout)

    def wake_waiters(self) -> None:
        """Wake all threads blocked in :meth:`wait_for_commit` on this database."""
        self._db.wake_waiters()

    def note_commit_elsewhere(self) -> None:
        """Another process says it committed: wake the waiters as a commit here would
        (bumping the generation, so a thread about to wait does not miss it)."""
        self._db.notify_commit()

    # Lifecycle.

    def _live_db(self) -> Database:
        if self._closed:
            msg = f"Datastore for {self.db_name!r} is closed"
            raise InterfaceError(msg)
        if self._db.pid != os.getpid():
            # SQLite connections must not be used across fork(): the child would share
            # file locks and WAL index state with its parent.
            msg = "This datastore was inherited through fork(); open a new one in this process"
            raise ProgrammingError(msg)
        return self._db

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    def close(self) -> None:
        """Release this datastore's share of the connections (idempotent)."""
        if self._closed:
            return
        self._closed = True
        release_database(self._db)

    def __del__(self) -> None:
        # Garbage collection must not raise; attributes may be missing if __init__
        # failed part-way.
        with suppress(Exception):
            self.close()
