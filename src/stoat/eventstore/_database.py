"""Process-wide connections to one SQLite database: one writer, pooled readers.

SQLite allows one writer at a time per database file. Within a process we serialise
writers with a Python lock around a single writer connection instead of letting several
connections fight over the file lock: SQLite's busy handler only sleeps and retries, so
same-process writers on separate connections would busy-wait against each other and
lose fairness. The busy timeout still applies, but only against writers in *other*
processes. Saves queued behind the writer share its next commit (``_groupcommit``).

Everything here is keyed by (process id, database file), so every datastore in a process
that names the same file shares the writer, the reader pool and the commit signal. That
is what lets a subscription or a ``wait()`` in one application wake immediately for a
commit made through another application object over the same file.
"""

from __future__ import annotations

import os
import threading
from typing import Final

import apsw
from eventsourcing.persistence import InterfaceError, OperationalError, ProgrammingError

from stoat.eventstore._checkpoint import WalCheckpointer
from stoat.eventstore._errors import translate_error
from stoat.eventstore._groupcommit import GroupCommitter

_OPEN_FLAGS: Final = apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE | apsw.SQLITE_OPEN_URI
# Keep a few idle readers per database: enough for the usual handful of reading threads
# (HTTP workers, projection runner, dispatcher) without hoarding file descriptors.
MAX_IDLE_READERS: Final = 8


def is_memory_name(db_name: str) -> bool:
    """Whether ``db_name`` names an in-memory database (``:memory:`` or ``mode=memory``)."""
    return db_name in (":memory:", "") or "mode=memory" in db_name


class Database:
    """The connections and commit signal of one database file in this process.

    File databases get one writer connection plus a pool of reader connections (WAL
    lets readers run alongside the writer). In-memory databases get a single
    connection used for both, under the writer lock, because apsw's SQLite is built
    without shared cache, so a second connection would see a different database.
    """

    def __init__(
        self,
        *,
        db_name: str,
        key: str,
        synchronous: str,
        busy_timeout_ms: int,
        writer: apsw.Connection,
    ) -> None:
        self.db_name = db_name
        self.key = key
        self.pid = os.getpid()
        self.in_memory = is_memory_name(db_name)
        self.synchronous = synchronous
        self.busy_timeout_ms = busy_timeout_ms
        # Held by whoever uses the writer connection: a group commit's leader, a
        # transaction() block, or (in memory) a reader.
        self.writer_lock = threading.Lock()
        # Thread that holds writer_lock, to refuse nested transactions instead of
        # deadlocking on the non-reentrant lock.
        self.writer_thread: int | None = None
        # The queue of single saves waiting to share a commit.
        self.committer = GroupCommitter(self)
        # Signalled after every commit made through this process's writer.
        self.commits = threading.Condition(threading.Lock())
        self.generation = 0
        self.references = 0
        self.closed = False
        self._pool_lock = threading.Lock()
        self._idle_readers: list[apsw.Connection] = []
        self._writer: apsw.Connection | None = writer
        self._checkpointer = (
            None
            if self.in_memory
            else WalCheckpointer(db_name, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms)
        )
        self._configure_writer(writer)

    # Writer.

    @property
    def writer(self) -> apsw.Connection:
        """The writer connection; reopened if a failed rollback forced it closed."""
        if self.closed:
            msg = f"Datastore for {self.db_name!r} is closed"
            raise InterfaceError(msg)
        if self._writer is None:
            self._writer = connect(self.db_name, self.busy_timeout_ms)
            self._configure_writer(self._writer)
        return self._writer

    def discard_writer(self) -> None:
        """Close the writer after an unrecoverable error; the next use reopens it."""
        if self.in_memory:
            return  # Closing it would lose the database: keep it and let errors show.
        if self._writer is not None:
            self._writer.close(force=True)
            self._writer = None

    def _configure_writer(self, conn: apsw.Connection) -> None:
        try:
            if not self.in_memory:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchall()[0][0]
                if str(mode).lower() != "wal":
                    msg = f"Could not put {self.db_name!r} into WAL mode (got {mode!r})"
                    raise OperationalError(msg)
            # synchronous is per connection: only the writer's setting matters, since
            # only the writer commits.
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
        except apsw.Error as error:
            raise translate_error(error) from error
        if self._checkpointer is not None:
            self._checkpointer.attach(conn)

    def notify_commit(self) -> None:
        """Wake every thread waiting for a commit to this database."""
        with self.commits:
            self.generation += 1
            self.commits.notify_all()

    def wake_waiters(self) -> None:
        """Wake waiters without a commit (a subscription is stopping)."""
        with self.commits:
            self.commits.notify_all()

    def wait_for_commit(self, generation: int, timeout: float) -> bool:
        """Block until a commit after ``generation``, a wake-up, or ``timeout``.

        Returns whether a commit happened. Callers loop and re-check their own
        condition, so an early wake-up is harmless.
        """
        with self.commits:
            if self.generation == generation:
                self.commits.wait(timeout)
            return self.generation != generation

    # Readers.

    def take_reader(self) -> apsw.Connection:
        """A reader connection from the pool, or a new one."""
        if self.closed:
            msg = f"Datastore for {self.db_name!r} is closed"
            raise InterfaceError(msg)
        with self._pool_lock:
            if self._idle_readers:
                return self._idle_readers.pop()
        conn = connect(self.db_name, self.busy_timeout_ms)
        try:
            # Readers never write: make an accidental write fail loudly.
            conn.execute("PRAGMA query_only=ON")
        except apsw.Error as error:
            conn.close(force=True)
            raise translate_error(error) from error
        return conn

    def give_back_reader(self, conn: apsw.Connection) -> None:
        """Return a reader to the pool (or close it if closed or the pool is full)."""
        with self._pool_lock:
            if not self.closed and len(self._idle_readers) < MAX_IDLE_READERS:
                self._idle_readers.append(conn)
                return
        conn.close(force=True)

    # Lifecycle.

    def close(self) -> None:
        """Close the writer and the idle readers; readers in use close when returned."""
        if self.writer_thread == threading.get_ident():
            msg = "Cannot close a datastore inside its own write transaction"
            raise ProgrammingError(msg)
        self.committer.close()
        with self.writer_lock:
            with self._pool_lock:
                self.closed = True
                idle, self._idle_readers = self._idle_readers, []
            for conn in idle:
                conn.close(force=True)
            if self._checkpointer is not None:
                self._checkpointer.stop()
            self.discard_writer()
        self.wake_waiters()


def connect(db_name: str, busy_timeout_ms: int) -> apsw.Connection:
    """Open a connection with the busy timeout set, mapping failures to library errors."""
    try:
        conn = apsw.Connection(db_name, flags=_OPEN_FLAGS)
        conn.set_busy_timeout(busy_timeout_ms)
    except apsw.Error as error:
        raise translate_error(error) from error
    return conn


_registry: dict[tuple[int, str], Database] = {}
# Reentrant because a datastore's __del__ (garbage collection) may release a database
# while this thread is inside acquire_database() holding the lock.
_registry_lock = threading.RLock()


def acquire_database(db_name: str, *, synchronous: str, busy_timeout_ms: int) -> Database:
    """The shared :class:`Database` for ``db_name`` in this process, with a new reference.

    ``:memory:`` always gets a private database. Release with :func:`release_database`.
    """
    if db_name in (":memory:", ""):
        writer = connect(db_name, busy_timeout_ms)
        try:
            database = Database(
                db_name=db_name,
                key=db_name,
                synchronous=synchronous,
                busy_timeout_ms=busy_timeout_ms,
                writer=writer,
            )
        except BaseException:
            writer.close(force=True)
            raise
        database.references = 1
        return database
    with _registry_lock:
        if is_memory_name(db_name):
            key = db_name
            probe = None
        else:
            # Ask SQLite for the canonical file name, so that different spellings of one
            # file (relative, URI, symlink) share one writer.
            probe = connect(db_name, busy_timeout_ms)
            key = probe.db_filename("main")
            # URI parameters (mode=ro, ...) change how the file is opened: keep
            # differently opened handles apart.
            if db_name.startswith("file:") and "?" in db_name:
                key += "?" + db_name.partition("?")[2]
        existing = _registry.get((os.getpid(), key))
        if existing is None:
            writer = probe or connect(db_name, busy_timeout_ms)
            try:
                database = Database(
                    db_name=db_name,
                    key=key,
                    synchronous=synchronous,
                    busy_timeout_ms=busy_timeout_ms,
                    writer=writer,
                )
            except BaseException:
                writer.close(force=True)
                raise
            _registry[(database.pid, key)] = database
        else:
            database = existing
            if probe is not None:
                probe.close()
            if database.synchronous != synchronous:
                msg = (
                    f"Database {key!r} is already open in this process with "
                    f"synchronous={database.synchronous}, not {synchronous}"
                )
                raise ProgrammingError(msg)
        database.references += 1
        return database


def release_database(database: Database) -> None:
    """Drop one reference; the last one closes the connections."""
    if database.pid != os.getpid():
        # Inherited through fork: the parent still uses these connections, and closing
        # them here could make SQLite in this process checkpoint or unlink the parent's
        # WAL. Leave them alone.
        return
    with _registry_lock:
        database.references -= 1
        if database.references > 0:
            return
        if _registry.get((database.pid, database.key)) is database:
            del _registry[(database.pid, database.key)]
    database.close()
