"""Aggregate and application recorders (stored events, notification log) on apsw."""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any, Final, cast
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    Notification,
    ProgrammingError,
    Recorder,
    StoredEvent,
)

from stoat.eventstore._chain import GENESIS, chain_rows, stored_id
from stoat.eventstore._subscription import ApswSubscription

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager

    import apsw
    from apsw import SQLiteValue, SQLiteValues
    from eventsourcing.persistence import Subscription

    from stoat.eventstore._chain import ChainRow
    from stoat.eventstore._datastore import ApswDatastore

# Table names are interpolated into SQL (hence the S608 waivers below) only after
# quote_identifier() has checked them; values are always bound as parameters.
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def quote_identifier(name: str) -> str:
    """Quote a table name for SQL, refusing anything but letters, digits and ``_``."""
    if not _IDENTIFIER.match(name):
        msg = f"Invalid table name {name!r}: use letters, digits and underscores"
        raise ProgrammingError(msg)
    return f'"{name}"'


class ApswRecorder(Recorder):
    """Base class: a datastore plus the statements that create this recorder's tables.

    Subclasses add tables by extending :meth:`construct_create_table_statements`
    (call ``super()`` and append); :meth:`create_table` runs them all in one
    transaction, each with ``IF NOT EXISTS`` so it is safe to repeat.
    """

    def __init__(self, datastore: ApswDatastore) -> None:
        self.datastore = datastore
        self.create_table_statements = self.construct_create_table_statements()

    def construct_create_table_statements(self) -> list[str]:
        """The ``CREATE TABLE``/``CREATE INDEX`` statements for this recorder."""
        return []

    def create_table(self) -> None:
        """Create this recorder's tables (and whatever subclasses added)."""
        with self.datastore.transaction() as cursor:
            self._create_table(cursor)

    def _create_table(self, cursor: apsw.Cursor) -> None:
        for statement in self.create_table_statements:
            cursor.execute(statement)

    def read(self) -> AbstractContextManager[apsw.Cursor]:
        """A cursor on a reader connection; see :meth:`ApswDatastore.read`."""
        return self.datastore.read()

    def convert_originator_id(self, originator_id: SQLiteValue) -> UUID | str:
        """Turn a stored originator id back into the type the application uses."""
        if self.datastore.originator_id_type == "uuid":
            return UUID(cast("str", originator_id))
        return cast("str", originator_id)


class ApswAggregateRecorder(ApswRecorder, AggregateRecorder):
    """Stores aggregate events (or snapshots) in one table keyed by id and version."""

    def __init__(self, datastore: ApswDatastore, events_table_name: str = "stored_events") -> None:
        self.events_table_name = events_table_name
        self.events_table = quote_identifier(events_table_name)
        super().__init__(datastore)
        # Every insert goes through this statement, with the parameters from
        # _event_rows(), in _insert_events(). A column computed at append time (the
        # hash chain) extends those three, as the application recorder does.
        self.insert_events_statement = (
            f"INSERT INTO {self.events_table} "  # noqa: S608
            "(originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)"
        )
        self._select_statements: dict[tuple[bool, bool, bool, bool], str] = {}

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), self._create_events_table()]

    def _create_events_table(self) -> str:
        return (
            f"CREATE TABLE IF NOT EXISTS {self.events_table} ("
            "originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, "
            "topic TEXT NOT NULL, "
            "state BLOB NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version)"
            ") STRICT, WITHOUT ROWID"
        )

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert the events atomically; a clash on (id, version) writes nothing.

        Raises the library's ``IntegrityError`` on a version clash.
        """
        if stored_events:
            self.datastore.write(
                partial(self._insert_events, stored_events=stored_events, **kwargs)
            )
        return None

    def _insert_events(
        self, cursor: apsw.Cursor, stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int] | None:
        """Insert inside an open transaction: the one place rows are written."""
        cursor.executemany(self.insert_events_statement, self._event_rows(cursor, stored_events))
        return None

    def _event_rows(
        self,
        cursor: apsw.Cursor,  # noqa: ARG002 - for overrides that read the previous row
        stored_events: Sequence[StoredEvent],
    ) -> list[tuple[SQLiteValue, ...]]:
        """Parameters of ``insert_events_statement``, one tuple per event.

        Called inside the append transaction, so an override may read the last stored
        row through ``cursor`` (e.g. the previous hash of a hash chain); under group
        commit that includes the rows of saves earlier in the same group. It may run on
        another thread, and twice if its group's transaction is abandoned and rerun
        (see ``_groupcommit``), so it must compute from the cursor and its arguments only.
        """
        return [
            (stored_id(s.originator_id), s.originator_version, s.topic, s.state)
            for s in stored_events
        ]

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """Events of one aggregate, by version, optionally bounded and limited."""
        statement = self._select_events_statement(
            has_gt=gt is not None, has_lte=lte is not None, desc=desc, has_limit=limit is not None
        )
        stored = stored_id(originator_id)
        params: list[SQLiteValue] = [stored]
        params.extend(value for value in (gt, lte, limit) if value is not None)
        rows = self.datastore.fetchall(statement, params)
        # Every row has the id we asked for: convert it once, not per row.
        returned_id = self.convert_originator_id(stored)
        return [
            StoredEvent(
                originator_id=returned_id,
                originator_version=cast("int", version),
                topic=cast("str", topic),
                state=cast("bytes", state),
            )
            for version, topic, state in rows
        ]

    def _select_events_statement(
        self, *, has_gt: bool, has_lte: bool, desc: bool, has_limit: bool
    ) -> str:
        key = (has_gt, has_lte, desc, has_limit)
        statement = self._select_statements.get(key)
        if statement is None:
            statement = (
                f"SELECT originator_version, topic, state FROM {self.events_table} "  # noqa: S608
                "WHERE originator_id = ?"
                + (" AND originator_version > ?" if has_gt else "")
                + (" AND originator_version <= ?" if has_lte else "")
                + (" ORDER BY originator_version DESC" if desc else " ORDER BY originator_version")
                + (" LIMIT ?" if has_limit else "")
            )
            self._select_statements[key] = statement
        return statement


class ApswApplicationRecorder(ApswAggregateRecorder, ApplicationRecorder):
    """Stores events and numbers them in commit order: the application's notification log.

    ``notification_id`` is an ``INTEGER PRIMARY KEY`` (an alias of the rowid, so
    ``VACUUM`` cannot renumber it): max+1, read and written inside the ``BEGIN
    IMMEDIATE`` transaction, and writers are serialised, so ids are contiguous and in
    commit order: a reader never sees id n+1 before id n.

    Every row also carries ``chain_hash``, which covers the previous row's and the row's
    own bytes (see ``_chain``), computed in the same transaction.
    """

    def __init__(self, datastore: ApswDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        table = self.events_table
        self.insert_events_statement = (
            f"INSERT INTO {table} (notification_id, originator_id, "  # noqa: S608
            "originator_version, topic, state, chain_hash) VALUES (?, ?, ?, ?, ?, ?)"
        )
        self.select_max_notification_id_statement = f"SELECT MAX(notification_id) FROM {table}"  # noqa: S608
        self.select_chain_head_statement = (
            f"SELECT notification_id, chain_hash FROM {table} "  # noqa: S608
            "ORDER BY notification_id DESC LIMIT 1"
        )
        self.select_chain_statement = (
            "SELECT notification_id, originator_id, originator_version, topic, state, "  # noqa: S608
            f"chain_hash FROM {table} WHERE notification_id > ? AND notification_id <= ? "
            "ORDER BY notification_id LIMIT ?"
        )
        self.select_position_statement = (
            f"SELECT notification_id FROM {table} "  # noqa: S608
            "WHERE originator_id = ? AND originator_version = ?"
        )
        self.select_last_of_topic_statement = (
            f"SELECT notification_id FROM {table} WHERE topic = ? "  # noqa: S608
            "ORDER BY notification_id DESC LIMIT 1"
        )

    def _create_events_table(self) -> str:
        return (
            f"CREATE TABLE IF NOT EXISTS {self.events_table} ("
            "notification_id INTEGER PRIMARY KEY, "
            "originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, "
            "topic TEXT NOT NULL, "
            "state BLOB NOT NULL, "
            "chain_hash BLOB NOT NULL, "
            "UNIQUE (originator_id, originator_version)"
            ") STRICT"
        )

    def _event_rows(
        self, cursor: apsw.Cursor, stored_events: Sequence[StoredEvent]
    ) -> list[tuple[SQLiteValue, ...]]:
        """Rows with their notification ids and chain hashes, following the last row.

        The last row is read through ``cursor``, inside the append transaction: it is
        the previous save's (an earlier unit's, under group commit), and a group that is
        rolled back and run again reads it afresh. So ids and hashes always follow the
        rows actually committed before them.
        """
        head = cursor.execute(self.select_chain_head_statement).fetchone()
        if head is None:
            last_id, previous = 0, GENESIS
        else:
            last_id, previous = cast("int", head[0]), cast("bytes", head[1])
        events = (
            (stored_id(s.originator_id), s.originator_version, s.topic, s.state)
            for s in stored_events
        )
        return cast("list[tuple[SQLiteValue, ...]]", chain_rows(previous, last_id, events))

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        """Insert the events atomically and return their notification ids.

        Raises the library's ``IntegrityError`` on a version clash (nothing is written).
        """
        if not stored_events and kwargs.get("tracking") is None:
            return []
        # One unit of a group commit: it may share its COMMIT with other threads'
        # saves, and runs in its own savepoint, so a clash still fails only this save.
        return self.datastore.write(
            partial(self._insert_events, stored_events=stored_events, **kwargs)
        )

    async def insert_events_async(self, stored_events: Sequence[StoredEvent]) -> Sequence[int]:
        """:meth:`insert_events` for a coroutine: the event loop goes on meanwhile."""
        if not stored_events:
            return []
        return await self.datastore.write_async(
            partial(self._insert_events, stored_events=stored_events)
        )

    def _insert_events(
        self, cursor: apsw.Cursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        super()._insert_events(cursor, stored_events, **kwargs)
        # The rows just inserted got consecutive ids ending at the last rowid: we hold
        # the writer, so nobody else inserted in between (other units of a group run
        # before or after, never during). No RETURNING round trip.
        last = cursor.connection.last_insert_rowid()
        return list(range(last - len(stored_events) + 1, last + 1))

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """Notifications from ``start`` (inclusive unless told otherwise) to ``stop``."""
        clauses: list[str] = []
        params: list[SQLiteValue] = []
        if start is not None:
            clauses.append("notification_id >= ?" if inclusive_of_start else "notification_id > ?")
            params.append(start)
        if stop is not None:
            clauses.append("notification_id <= ?")
            params.append(stop)
        if topics:
            clauses.append(f"topic IN ({', '.join('?' * len(topics))})")
            params.extend(topics)
        params.append(limit)
        statement = (
            "SELECT notification_id, originator_id, originator_version, topic, state "  # noqa: S608
            f"FROM {self.events_table}"
            + (" WHERE " + " AND ".join(clauses) if clauses else "")
            + " ORDER BY notification_id LIMIT ?"
        )
        return [self._notification(row) for row in self.datastore.fetchall(statement, params)]

    def _notification(self, row: SQLiteValues) -> Notification:
        notification_id, originator_id, version, topic, state = row
        return Notification(
            id=cast("int", notification_id),
            originator_id=self.convert_originator_id(originator_id),
            originator_version=cast("int", version),
            topic=cast("str", topic),
            state=cast("bytes", state),
        )

    def max_notification_id(self) -> int | None:
        """The last notification id, or None if nothing has been recorded."""
        row = self.datastore.fetchone(self.select_max_notification_id_statement)
        return None if row is None else cast("int | None", row[0])

    def chain_head(self) -> tuple[int, bytes]:
        """The last notification id and its chain hash; ``(0, GENESIS)`` when empty."""
        row = self.datastore.fetchone(self.select_chain_head_statement)
        if row is None:
            return 0, GENESIS
        return cast("int", row[0]), cast("bytes", row[1])

    def select_chain(self, after: int, stop: int, limit: int) -> list[ChainRow]:
        """Rows after ``after`` up to ``stop``, as stored, for recomputing the chain."""
        rows = self.datastore.fetchall(self.select_chain_statement, (after, stop, limit))
        return cast("list[ChainRow]", rows)

    def position_of(self, originator_id: UUID | str, version: int) -> int | None:
        """The notification id of one aggregate's event at ``version``, if stored."""
        row = self.datastore.fetchone(
            self.select_position_statement, (stored_id(originator_id), version)
        )
        return None if row is None else cast("int", row[0])

    def last_position_of(self, topic: str) -> int | None:
        """The notification id of the last event with ``topic``, if any."""
        row = self.datastore.fetchone(self.select_last_of_topic_statement, (topic,))
        return None if row is None else cast("int", row[0])

    @property
    def commit_generation(self) -> int:
        """A counter bumped by every commit in this process (see the datastore)."""
        return self.datastore.commit_generation

    def wait_for_commit(self, generation: int, timeout: float) -> bool:
        """Block until a commit after ``generation`` in this process, or ``timeout``."""
        return self.datastore.wait_for_commit(generation, timeout)

    def wake_waiters(self) -> None:
        """Wake every thread blocked in :meth:`wait_for_commit`."""
        self.datastore.wake_waiters()

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        """Notifications after ``gt``, blocking for new ones; see :class:`ApswSubscription`."""
        return ApswSubscription(self, gt=gt, topics=topics)
