"""Map apsw's exceptions onto the error classes of ``eventsourcing.persistence``.

Callers above the event store (command handlers, the HTTP edge) only ever see the
library's PEP 249-style classes, exactly as with ``eventsourcing.sqlite``: a version
clash is an ``IntegrityError`` (409/412 at the edge), and a database that cannot take
writes (read-only, full, locked, I/O trouble) is an ``OperationalError`` (503).

Of those, the storage's own refusals (disk full, read-only, I/O errors, a file that
cannot be opened) become :class:`StorageUnavailableError`, which says which in words an
operator can act on; :func:`storage_problem` finds the same conditions without writing,
for readiness probes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, ClassVar, Final, Literal

import apsw
from eventsourcing.persistence import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
)

if TYPE_CHECKING:
    from pathlib import Path

StorageReason = Literal["disk_full", "read_only", "io_error", "cannot_open"]


class StorageUnavailableError(OperationalError):
    """The storage under the database refuses writes (the subclasses say why).

    A write that fails with it was not committed (SQLite rolls the transaction back);
    it needs an operator (free space, fix permissions) rather than a quick retry.
    ``reason`` is a stable code for it; the message says it in words. Each reason is a
    class of its own, so that copying an error as ``type(error)(str(error))`` (as group
    commit does for each caller of a failed commit) keeps it.
    """

    reason: ClassVar[StorageReason] = "io_error"
    words: ClassVar[str] = "the disk refused a write to the database (full, read-only or failing)"


class DiskFullError(StorageUnavailableError):
    reason = "disk_full"
    words = "the disk holding the database is full"


class ReadOnlyStorageError(StorageUnavailableError):
    reason = "read_only"
    words = "the database file or its file system is read-only"


class CannotOpenError(StorageUnavailableError):
    reason = "cannot_open"
    words = "the database file cannot be opened"


# Checked before _ERROR_CLASSES.
_STORAGE_CLASSES: Final[tuple[tuple[type[apsw.Error], type[StorageUnavailableError]], ...]] = (
    (apsw.FullError, DiskFullError),
    (apsw.ReadOnlyError, ReadOnlyStorageError),
    (apsw.IOError, StorageUnavailableError),
    (apsw.CantOpenError, CannotOpenError),
)

# Ordered most specific first; the first matching apsw class wins. The grouping follows
# CPython's sqlite3 module (which the library's own SQLite recorders rely on) so that the
# two persistence modules raise the same classes for the same SQLite result codes.
_ERROR_CLASSES: tuple[tuple[type[apsw.Error], type[PersistenceError]], ...] = (
    # SQLITE_CONSTRAINT: unique (originator_id, originator_version) = version clash.
    (apsw.ConstraintError, IntegrityError),
    # Values that do not fit.
    (apsw.MismatchError, DataError),
    (apsw.TooBigError, DataError),
    (apsw.RangeError, DataError),
    # Bugs in SQLite itself.
    (apsw.InternalError, InternalError),
    # Misuse of the API by our code (wrong bindings, wrong thread, nested use).
    (apsw.BindingsError, ProgrammingError),
    (apsw.MisuseError, ProgrammingError),
    (apsw.ThreadingViolationError, ProgrammingError),
    (apsw.ExecutionCompleteError, ProgrammingError),
    (apsw.IncompleteExecutionError, ProgrammingError),
    (apsw.ConnectionClosedError, InterfaceError),
    (apsw.CursorClosedError, InterfaceError),
    (apsw.VFSNotImplementedError, NotSupportedError),
    # The database cannot do what was asked right now: the caller may retry later.
    # SQLITE_ERROR ("no such table", syntax) is operational in sqlite3 too. So are a
    # full disk, a read-only file, I/O errors and a file that cannot be opened, which
    # _STORAGE_CLASSES maps (first) to subclasses that say which.
    (apsw.SQLError, OperationalError),
    (apsw.BusyError, OperationalError),
    (apsw.LockedError, OperationalError),
    (apsw.PermissionsError, OperationalError),
    (apsw.AuthError, OperationalError),
    (apsw.ProtocolError, OperationalError),
    (apsw.NoMemError, OperationalError),
    (apsw.InterruptError, OperationalError),
    (apsw.AbortError, OperationalError),
    (apsw.SchemaChangeError, OperationalError),
    (apsw.EmptyError, OperationalError),
    # Damaged files: nothing sensible to retry.
    (apsw.CorruptError, DatabaseError),
    (apsw.NotADBError, DatabaseError),
)


def translate_error(error: apsw.Error) -> PersistenceError:
    """Return the ``eventsourcing.persistence`` error that corresponds to ``error``.

    The original exception's message is kept; raise the result ``from error`` so that
    the apsw exception (with its extended result code) stays in the traceback.
    """
    for apsw_class, storage_class in _STORAGE_CLASSES:
        if isinstance(error, apsw_class):
            extended = getattr(error, "extendedresult", 0)
            code = apsw.mapping_extended_result_codes.get(extended) or (
                apsw.mapping_result_codes.get(extended & 0xFF, "?")
            )
            return storage_class(f"{storage_class.words} (SQLite: {error}; {code})")
    for apsw_class, persistence_class in _ERROR_CLASSES:
        if isinstance(error, apsw_class):
            return persistence_class(str(error))
    return DatabaseError(str(error))


# Below this much free space the next checkpoint or WAL growth will likely fail.
MIN_FREE_BYTES: Final = 1 << 20


def storage_problem(db_file: Path) -> StorageUnavailableError | None:
    """Why writes to ``db_file`` would fail now, found without writing; None if none is seen.

    Looks at what a write needs: the file and its WAL writable by this process (mode,
    immutable flag, read-only mount), its folder writable (SQLite creates the WAL and
    shared-memory files there), and free space on its file system.
    """
    folder = db_file.parent
    for path in (db_file, db_file.with_name(f"{db_file.name}-wal"), folder):
        if path.exists() and not os.access(path, os.W_OK):
            return ReadOnlyStorageError(f"{path} is read-only for this process")
    stats = os.statvfs(folder)
    if stats.f_flag & os.ST_RDONLY:
        return ReadOnlyStorageError(f"{folder} is on a read-only file system")
    free = stats.f_bavail * stats.f_frsize
    if free < MIN_FREE_BYTES:
        return DiskFullError(f"the disk holding {db_file} is full ({free} bytes free)")
    return None
