"""The scale-out event store: eventsourcing's PostgreSQL module, with Stoat's hash chain.

Select it with ``PERSISTENCE_MODULE=stoat.eventstore.postgres`` and the library's
``POSTGRES_*`` keys (``POSTGRES_DBNAME``, ``POSTGRES_HOST``, ``POSTGRES_PORT``,
``POSTGRES_USER``, ``POSTGRES_PASSWORD``, ``POSTGRES_POOL_SIZE``, ...). Everything but the
application recorder is the library's own.

The application recorder keeps the same chain as the SQLite store (see ``_chain``): each
append takes the table's ``EXCLUSIVE`` lock (as the library does, so commit order is
notification order), reads the last row's id and ``chain_hash``, and inserts its rows
numbered from there, with their hashes, in the same transaction. Ids are assigned by the
append itself, not by a sequence, so a rolled-back append leaves no gap: the log stays
contiguous, which is what ``walk_chain`` and the followers expect.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, cast

import eventsourcing.postgres as pg
from eventsourcing.persistence import ProgrammingError
from psycopg.sql import SQL, Identifier

from stoat.eventstore._chain import GENESIS, chain_rows, stored_id

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from uuid import UUID

    from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder, StoredEvent
    from psycopg import Cursor
    from psycopg.rows import DictRow

    from stoat.eventstore._chain import ChainRow


class ChainedPostgresApplicationRecorder(pg.PostgresApplicationRecorder):
    """The library's application recorder, numbering and chaining rows as it appends."""

    def __init__(
        self, datastore: pg.PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        if datastore.enable_db_functions:
            msg = "the chained event store appends in Python: unset POSTGRES_ENABLE_DB_FUNCTIONS"
            raise ProgrammingError(msg)
        super().__init__(datastore, events_table_name=events_table_name)
        table = SQL("{0}.{1}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        self.sql_create_statements[self.create_table_statement_index] = SQL(
            "CREATE TABLE IF NOT EXISTS {table} ("
            "originator_id {id_type} NOT NULL, "
            "originator_version bigint NOT NULL, "
            "topic text NOT NULL, "
            "state bytea NOT NULL, "
            "notification_id bigint NOT NULL, "
            "chain_hash bytea NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))"
        ).format(table=table, id_type=Identifier(self.datastore.originator_id_type))
        # The library's insert function numbers rows from a sequence: not used here.
        del self.sql_create_statements[self.create_insert_function_statement_index]
        self.chain_insert_statement = SQL(
            "INSERT INTO {table} (originator_id, originator_version, topic, state, "
            "notification_id, chain_hash) VALUES (%s, %s, %s, %s, %s, %s)"
        ).format(table=table)
        self.chain_head_statement = SQL(
            "SELECT notification_id, chain_hash FROM {table} ORDER BY notification_id DESC LIMIT 1"
        ).format(table=table)
        self.select_chain_statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state, "
            "chain_hash FROM {table} WHERE notification_id > %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(table=table)
        self.position_statement = SQL(
            "SELECT notification_id FROM {table} "
            "WHERE originator_id = %s AND originator_version = %s"
        ).format(table=table)
        self.last_of_topic_statement = SQL(
            "SELECT notification_id FROM {table} WHERE topic = %s "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(table=table)
        self._commits = threading.Condition()
        self._generation = 0

    # -- appending ------------------------------------------------------------------------

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert the events, numbered and chained after the last row, in one transaction.

        Raises the library's ``IntegrityError`` on a version clash (nothing is written).
        """
        with self.datastore.transaction(commit=True) as curs:
            ids = self._append(curs, stored_events, **kwargs)
        self._committed()
        return ids

    def _append(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> list[int]:
        self._insert_events(curs, stored_events, **kwargs)  # the process recorder's hook
        if not stored_events:
            return []
        self._lock_table(curs)
        curs.execute(self.chain_head_statement, prepare=True)
        head = curs.fetchone()
        last_id, previous = (
            (0, GENESIS) if head is None else (head["notification_id"], head["chain_hash"])
        )
        events = [
            (stored_id(e.originator_id), e.originator_version, e.topic, e.state)
            for e in stored_events
        ]
        rows = chain_rows(bytes(previous), last_id, events)
        curs.executemany(
            self.chain_insert_statement,
            [
                (event.originator_id, version, topic, state, notification_id, chained)
                for event, (notification_id, _, version, topic, state, chained) in zip(
                    stored_events, rows, strict=True
                )
            ],
        )
        self._notify_channel(curs)
        return [row[0] for row in rows]

    # -- the chain, for the audit ----------------------------------------------------------

    def chain_head(self) -> tuple[int, bytes]:
        """The last notification id and its chain hash; ``(0, GENESIS)`` when empty."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.chain_head_statement, prepare=True)
            row = curs.fetchone()
        if row is None:
            return 0, GENESIS
        return cast("int", row["notification_id"]), bytes(row["chain_hash"])

    def select_chain(self, after: int, stop: int, limit: int) -> list[ChainRow]:
        """Rows after ``after`` up to ``stop``, as stored, for recomputing the chain."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.select_chain_statement, (after, stop, limit), prepare=True)
            rows = curs.fetchall()
        return [
            (
                r["notification_id"],
                stored_id(r["originator_id"]),
                r["originator_version"],
                r["topic"],
                bytes(r["state"]),
                bytes(r["chain_hash"]),
            )
            for r in rows
        ]

    def position_of(self, originator_id: UUID | str, version: int) -> int | None:
        """The notification id of one aggregate's event at ``version``, if stored."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.position_statement, (originator_id, version), prepare=True)
            row = curs.fetchone()
        return None if row is None else cast("int", row["notification_id"])

    def last_position_of(self, topic: str) -> int | None:
        """The notification id of the last event with ``topic``, if any."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.last_of_topic_statement, (topic,), prepare=True)
            row = curs.fetchone()
        return None if row is None else cast("int", row["notification_id"])

    # -- waiting for appends (this process's; others' are seen by polling) ------------------

    @property
    def commit_generation(self) -> int:
        return self._generation

    def wait_for_commit(self, generation: int, timeout: float) -> None:
        """Wait until this process appends after ``generation``, or ``timeout`` passes."""
        with self._commits:
            self._commits.wait_for(lambda: self._generation != generation, timeout)

    def wake_waiters(self) -> None:
        self._committed()

    def _committed(self) -> None:
        with self._commits:
            self._generation += 1
            self._commits.notify_all()


class PostgresChainFactory(pg.PostgresFactory):
    """eventsourcing's PostgreSQL factory, with the chained application recorder.

    Nodes of a deployment often start together, and two processes creating the same
    table or composite type at once collide in PostgreSQL's catalog (a unique violation
    that ``IF NOT EXISTS`` does not prevent); so each recorder's tables are created under
    a session advisory lock, one process at a time.
    """

    application_recorder_class = ChainedPostgresApplicationRecorder

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        with self._schema_lock():
            return super().aggregate_recorder(purpose)

    def application_recorder(self) -> ApplicationRecorder:
        with self._schema_lock():
            return super().application_recorder()

    def tracking_recorder(self, tracking_recorder_class: Any = None) -> Any:
        with self._schema_lock():
            return super().tracking_recorder(tracking_recorder_class)

    @contextmanager
    def _schema_lock(self) -> Iterator[None]:
        if not self.env_create_table():
            yield
            return
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


_SCHEMA_LOCK: Final = 5_704_070_001
"""The advisory lock key for creating tables: any constant every Stoat process shares."""
