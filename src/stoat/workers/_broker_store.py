"""SQLite storage for :class:`stoat.workers.broker.ApswBroker`.

All SQL of the broker lives here. Time is wall-clock milliseconds (dramatiq's
``current_millis``) because leases and etas are compared across processes.

One writer connection per process, serialised by a Python lock: apsw's own
``with conn:`` would busy-wait between threads of one process, and every write is
``BEGIN IMMEDIATE`` so that the write lock is taken up front and other processes wait in
SQLite's busy handler rather than failing half-way. One reader connection, also behind a
lock, answers the cheap "is anything due?" polls without touching the write lock; in WAL
mode readers never block writers.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

import apsw

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

SYNCHRONOUS_LEVELS = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})

#: How long a write waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dramatiq_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue_name TEXT NOT NULL,
    message_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    data BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'dead')),
    eta INTEGER NOT NULL,
    lease_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    claims INTEGER NOT NULL DEFAULT 0,
    enqueued_at INTEGER NOT NULL,
    dead_at INTEGER,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS dramatiq_messages_ready
    ON dramatiq_messages (queue_name, state, eta);
CREATE INDEX IF NOT EXISTS dramatiq_messages_leased
    ON dramatiq_messages (queue_name, state, lease_until);
CREATE TABLE IF NOT EXISTS tracking (
    application_name TEXT,
    notification_id INTEGER,
    PRIMARY KEY (application_name)
) WITHOUT ROWID;
"""

# A message is due when it is ready and its eta has passed, or when it is leased and the
# lease has run out (its consumer died or stalled without heartbeating).
_HAS_DUE = """
SELECT EXISTS (
    SELECT 1 FROM dramatiq_messages
    WHERE queue_name = :queue
    AND ((state = 'ready' AND eta <= :now) OR (state = 'leased' AND lease_until <= :now))
)
"""

_CLAIM = """
UPDATE dramatiq_messages
SET state = 'leased', lease_until = :lease_until, attempts = attempts + 1, claims = claims + 1
WHERE id IN (
    SELECT id FROM dramatiq_messages
    WHERE queue_name = :queue
    AND ((state = 'ready' AND eta <= :now) OR (state = 'leased' AND lease_until <= :now))
    ORDER BY id LIMIT :limit
)
RETURNING id, data, attempts, claims
"""

_INSERT = """
INSERT INTO dramatiq_messages (queue_name, message_id, actor_name, data, state, eta, enqueued_at)
VALUES (?, ?, ?, ?, 'ready', ?, ?)
"""

# Every change to a leased row is fenced by (id, claims, state): claims grows with each
# claim and never goes back, so a consumer whose lease ran out and was claimed again (or
# that gave the message back) cannot touch the new delivery.
_ACK = """
DELETE FROM dramatiq_messages
WHERE id = :row_id AND claims = :claim AND state = 'leased'
"""

_NACK = """
UPDATE dramatiq_messages
SET state = 'dead', lease_until = NULL, dead_at = :now, reason = :reason, data = :data
WHERE id = :row_id AND claims = :claim AND state = 'leased'
"""

# A requeued message was never handed to an actor, so its claim is not an attempt.
_REQUEUE = """
UPDATE dramatiq_messages
SET state = 'ready', lease_until = NULL, attempts = attempts - 1
WHERE id = :row_id AND claims = :claim AND state = 'leased'
"""

_EXTEND = """
UPDATE dramatiq_messages
SET lease_until = :lease_until
WHERE id = :row_id AND claims = :claim AND state = 'leased'
"""

# The queue and its delay queue, always as a pair.
_COUNT_LIVE = """
SELECT COUNT(*) FROM dramatiq_messages WHERE queue_name IN (?, ?) AND state != 'dead'
"""

_DEAD = """
SELECT id, queue_name, data, attempts, reason, dead_at FROM dramatiq_messages
WHERE queue_name IN (?, ?) AND state = 'dead'
ORDER BY id
"""

_FLUSH = "DELETE FROM dramatiq_messages WHERE queue_name IN (?, ?)"

_UPSERT_TRACKING = """
INSERT INTO tracking (application_name, notification_id) VALUES (:name, :id)
ON CONFLICT (application_name) DO UPDATE SET notification_id = :id
"""

_MAX_TRACKING = "SELECT MAX(notification_id) FROM tracking WHERE application_name = ?"


class NewMessage(NamedTuple):
    """A message row about to be inserted."""

    queue_name: str
    message_id: str
    actor_name: str
    data: bytes
    eta: int


class Claimed(NamedTuple):
    """A message row just leased to this process."""

    row_id: int
    data: bytes
    attempts: int
    claim: int


class Lease(NamedTuple):
    """The fence of one delivery: the row and the number of the claim that leased it."""

    row_id: int
    claim: int


class DeadRow(NamedTuple):
    row_id: int
    queue_name: str
    data: bytes
    attempts: int
    reason: str
    dead_at: int


class Store:
    """The broker's database file: one locked writer, one locked reader."""

    def __init__(self, path: str, *, synchronous: str) -> None:
        if synchronous not in SYNCHRONOUS_LEVELS:
            msg = f"synchronous must be one of {sorted(SYNCHRONOUS_LEVELS)}, not {synchronous!r}"
            raise ValueError(msg)
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._writer = _connect(path, synchronous)
        try:
            (mode,) = self._writer.execute("PRAGMA journal_mode = WAL").fetchall()[0]
            if str(mode).lower() != "wal":
                msg = f"the broker needs a database file in WAL mode, got {mode!r} for {path!r}"
                raise ValueError(msg)
            with self.write() as cursor:
                cursor.execute(_SCHEMA)
            self._reader = _connect(path, synchronous)
            self._reader.execute("PRAGMA query_only = ON")
        except BaseException:
            self._writer.close()
            raise

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            self._reader.close()
            self._writer.close()

    @contextmanager
    def write(self) -> Iterator[apsw.Cursor]:
        """One ``BEGIN IMMEDIATE`` transaction on the writer, committed unless it raises."""
        with self._write_lock:
            cursor = self._writer.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
                cursor.execute("COMMIT")
            except BaseException:
                if not self._writer.get_autocommit():
                    self._writer.execute("ROLLBACK")
                raise

    def _read_one(self, sql: str, bindings: dict[str, object] | tuple[object, ...]) -> object:
        with self._read_lock:
            row = self._reader.execute(sql, bindings).fetchone()
        return None if row is None else row[0]

    # -- messages -----------------------------------------------------------------------

    def insert(self, cursor: apsw.Cursor, messages: Iterable[NewMessage], now: int) -> None:
        cursor.executemany(_INSERT, [(*m, now) for m in messages])

    def has_due(self, queue_name: str, now: int) -> bool:
        return bool(self._read_one(_HAS_DUE, {"queue": queue_name, "now": now}))

    def claim(self, queue_name: str, limit: int, now: int, lease_until: int) -> list[Claimed]:
        """Lease up to ``limit`` due messages of one queue, oldest first."""
        if limit <= 0 or not self.has_due(queue_name, now):
            return []
        bindings = {"queue": queue_name, "now": now, "lease_until": lease_until, "limit": limit}
        with self.write() as cursor:
            rows = [Claimed(*row) for row in cursor.execute(_CLAIM, bindings)]
        return sorted(rows)

    def ack(self, lease: Lease) -> bool:
        with self.write() as cursor:
            cursor.execute(_ACK, lease._asdict())
            return self._writer.changes() == 1

    def nack(self, lease: Lease, *, reason: str, data: bytes, now: int) -> bool:
        bindings = {**lease._asdict(), "reason": reason, "data": data, "now": now}
        with self.write() as cursor:
            cursor.execute(_NACK, bindings)
            return self._writer.changes() == 1

    def requeue(self, leases: Sequence[Lease]) -> int:
        requeued = 0
        with self.write() as cursor:
            for lease in leases:
                cursor.execute(_REQUEUE, lease._asdict())
                requeued += self._writer.changes()
        return requeued

    def extend(self, leases: Sequence[Lease], lease_until: int) -> list[Lease]:
        """Push the leases out to ``lease_until``; return those no longer ours."""
        lost = []
        with self.write() as cursor:
            for lease in leases:
                cursor.execute(_EXTEND, {**lease._asdict(), "lease_until": lease_until})
                if self._writer.changes() == 0:
                    lost.append(lease)
        return lost

    def count_live(self, queues: tuple[str, str]) -> int:
        """Messages of a queue and its delay queue neither acked nor dead-lettered."""
        count = self._read_one(_COUNT_LIVE, queues)
        assert isinstance(count, int)
        return count

    def dead(self, queues: tuple[str, str]) -> list[DeadRow]:
        with self._read_lock:
            return [DeadRow(*row) for row in self._reader.execute(_DEAD, queues)]

    def flush(self, queues: tuple[str, str]) -> None:
        with self.write() as cursor:
            cursor.execute(_FLUSH, queues)

    # -- tracking -----------------------------------------------------------------------

    def insert_tracked(
        self, messages: Sequence[NewMessage], application_name: str, notification_id: int, now: int
    ) -> bool:
        """Insert messages and move the tracking row forward, or do nothing at all.

        Returns False, inserting nothing, when ``notification_id`` is not past the
        recorded position of ``application_name``.
        """
        with self.write() as cursor:
            current = cursor.execute(_MAX_TRACKING, (application_name,)).fetchone()
            if current is not None and current[0] is not None and notification_id <= current[0]:
                return False
            self.insert(cursor, messages, now)
            cursor.execute(_UPSERT_TRACKING, {"name": application_name, "id": notification_id})
        return True

    def max_tracking_id(self, application_name: str) -> int | None:
        value = self._read_one(_MAX_TRACKING, (application_name,))
        assert value is None or isinstance(value, int)
        return value


def _connect(path: str, synchronous: str) -> apsw.Connection:
    connection = apsw.Connection(path)
    try:
        connection.set_busy_timeout(BUSY_TIMEOUT_MS)
        connection.execute(f"PRAGMA synchronous = {synchronous}")
    except BaseException:
        connection.close()
        raise
    return connection


__all__ = [
    "SYNCHRONOUS_LEVELS",
    "Claimed",
    "DeadRow",
    "Lease",
    "NewMessage",
    "Store",
]
