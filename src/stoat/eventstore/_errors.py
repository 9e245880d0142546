"""Map apsw's exceptions onto the error classes of ``eventsourcing.persistence``.

Callers above the event store (command handlers, the HTTP edge) only ever see the
library's PEP 249-style classes, exactly as with ``eventsourcing.sqlite``: a version
clash is an ``IntegrityError`` (409/412 at the edge), and a database that cannot take
writes (read-only, full, locked, I/O trouble) is an ``OperationalError`` (503).
"""

from __future__ import annotations

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
    # SQLITE_ERROR ("no such table", syntax) is operational in sqlite3 too.
    (apsw.SQLError, OperationalError),
    (apsw.BusyError, OperationalError),
    (apsw.LockedError, OperationalError),
    (apsw.ReadOnlyError, OperationalError),
    (apsw.FullError, OperationalError),
    (apsw.IOError, OperationalError),
    (apsw.CantOpenError, OperationalError),
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
    for apsw_class, persistence_class in _ERROR_CLASSES:
        if isinstance(error, apsw_class):
            return persistence_class(str(error))
    return DatabaseError(str(error))
