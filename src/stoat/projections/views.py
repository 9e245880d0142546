"""The read models: project list, timeline views and render jobs, in their own database.

:class:`ViewStore` is a tracking recorder (from our apsw persistence module) that keeps
its view tables beside its tracking table, so a view update and its tracking position
commit in one transaction: exactly-once, and a rebuild is a replay from position 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from stoat.errors import NotFound, ReadTimeout
from stoat.eventstore import ApswTrackingRecorder
from stoat.projections.audit_views import AUDIT_RESET, AUDIT_TABLES
from stoat.projections.cursors import decode_cursor, encode_cursor
from stoat.projections.library_views import LIBRARY_RESET, LIBRARY_TABLES
from stoat.projections.represent import clip_count
from stoat.projections.webhook_views import WEBHOOK_RESET, WEBHOOK_TABLES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import apsw

APPLICATION_NAME = "stoat"

VIEW_TABLES = (
    """CREATE TABLE IF NOT EXISTS project_views (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        version INTEGER NOT NULL,
        document BLOB NOT NULL,
        timeline BLOB NOT NULL,
        state BLOB NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS project_views_seq ON project_views (seq)",
    # The events after a project's stored state (a snapshot, written every so many
    # events rather than at each: it is the bulk of a write, history included).
    """CREATE TABLE IF NOT EXISTS project_view_events (
        project_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (project_id, version)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS key_views (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        document BLOB NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS render_views (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        document BLOB NOT NULL
    ) WITHOUT ROWID""",
)

_encode = msgspec.json.encode
_decode = msgspec.json.decode


class ViewStore(ApswTrackingRecorder):
    """Read models plus their tracking position, and the queries the API makes."""

    _nudge: Callable[[], None] | None = None

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *VIEW_TABLES,
            *LIBRARY_TABLES,
            *WEBHOOK_TABLES,
            *AUDIT_TABLES,
        ]

    # -- queries -------------------------------------------------------------------
    def position(self) -> int:
        """The log position the views have reached (0 before the first event)."""
        return self.max_tracking_id(APPLICATION_NAME) or 0

    def when_behind(self, nudge: Callable[[], None]) -> None:
        """Call ``nudge`` when a :meth:`wait` finds the views behind: the projector runs
        in another process, which reads the log only now and then unless told to."""
        self._nudge = nudge

    def wait(self, position: int, timeout: float) -> None:  # type: ignore[override]
        """Blocks until the views reach ``position``; raises ReadTimeout after ``timeout``."""
        try:
            super().wait(APPLICATION_NAME, position, timeout=timeout, behind=self._nudge)
        except TimeoutError:
            raise ReadTimeout(position, self.position()) from None

    def project(self, project_id: str) -> dict[str, Any]:
        row = self._one("SELECT document FROM project_views WHERE id = ?", (project_id,))
        if row is None:
            raise NotFound("project", project_id)
        return dict(_decode(row[0]))

    def timeline(self, project_id: str) -> dict[str, Any]:
        row = self._one("SELECT timeline FROM project_views WHERE id = ?", (project_id,))
        if row is None:
            raise NotFound("project", project_id)
        return dict(_decode(row[0]))

    def project_state(
        self, cursor: apsw.Cursor, project_id: str
    ) -> tuple[bytes, list[tuple[str, Any]]] | None:
        """The project's stored snapshot and the events after it, as ``(type, data)``."""
        row = cursor.execute(
            "SELECT state FROM project_views WHERE id = ?", (project_id,)
        ).fetchone()
        if row is None:
            return None
        events = cursor.execute(
            "SELECT type, data FROM project_view_events WHERE project_id = ? ORDER BY version",
            (project_id,),
        )
        return bytes(row[0]), [(name, _decode(data)) for name, data in events]

    def list_projects(self, *, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
        """Newest first; the cursor is the opaque position of the last item seen."""
        before = decode_cursor(cursor)
        rows = self._all(
            "SELECT seq, document FROM project_views WHERE seq < ? ORDER BY seq DESC LIMIT ?",
            (before, limit + 1),
        )
        items = [_summary(_decode(document)) for _, document in rows[:limit]]
        next_cursor = encode_cursor(rows[limit - 1][0]) if len(rows) > limit else None
        return items, next_cursor

    def render(self, render_id: str) -> dict[str, Any]:
        row = self._one("SELECT document FROM render_views WHERE id = ?", (render_id,))
        if row is None:
            raise NotFound("render", render_id)
        return dict(_decode(row[0]))

    def render_document(self, cursor: apsw.Cursor, render_id: str) -> dict[str, Any] | None:
        row = cursor.execute(
            "SELECT document FROM render_views WHERE id = ?", (render_id,)
        ).fetchone()
        return None if row is None else dict(_decode(row[0]))

    def list_keys(self, *, limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
        before = decode_cursor(cursor)
        rows = self._all(
            "SELECT seq, document FROM key_views WHERE seq < ? ORDER BY seq DESC LIMIT ?",
            (before, limit + 1),
        )
        items = [_decode(document) for _, document in rows[:limit]]
        next_cursor = encode_cursor(rows[limit - 1][0]) if len(rows) > limit else None
        return items, next_cursor

    # -- updates (inside ``self.transaction()``) -------------------------------------
    @staticmethod
    def put_project(
        cursor: apsw.Cursor,
        project_id: str,
        *,
        seq: int,
        version: int,
        document: bytes,
        timeline: bytes,
        state: bytes,
    ) -> None:
        """Stores a project's documents and its snapshot (the events after the previous
        snapshot are dropped: the new one includes them)."""
        cursor.execute(
            "INSERT INTO project_views (id, seq, version, document, timeline, state) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "version = excluded.version, document = excluded.document, "
            "timeline = excluded.timeline, state = excluded.state",
            (project_id, seq, version, document, timeline, state),
        )
        cursor.execute("DELETE FROM project_view_events WHERE project_id = ?", (project_id,))

    @staticmethod
    def put_project_events(
        cursor: apsw.Cursor,
        project_id: str,
        *,
        version: int,
        document: bytes,
        timeline: bytes,
        events: Sequence[tuple[int, str, bytes]],
    ) -> None:
        """Stores a project's documents and the ``(version, type, data)`` events that
        follow its stored snapshot; the project must be stored already."""
        cursor.execute(
            "UPDATE project_views SET version = ?, document = ?, timeline = ? WHERE id = ?",
            (version, document, timeline, project_id),
        )
        if cursor.connection.changes() != 1:
            raise LookupError(f"project {project_id} has no stored snapshot")
        cursor.executemany(
            "INSERT INTO project_view_events (project_id, version, type, data) VALUES (?, ?, ?, ?)",
            [(project_id, *event) for event in events],
        )

    @staticmethod
    def put_render(cursor: apsw.Cursor, seq: int, document: dict[str, Any]) -> None:
        cursor.execute(
            "INSERT INTO render_views (id, project_id, seq, document) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET document = excluded.document",
            (document["id"], document["project_id"], seq, _encode(document)),
        )

    @staticmethod
    def put_key(cursor: apsw.Cursor, seq: int, document: dict[str, Any]) -> None:
        cursor.execute(
            "INSERT INTO key_views (id, seq, document) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET document = excluded.document",
            (document["id"], seq, _encode(document)),
        )

    def key_document(self, cursor: apsw.Cursor, key_id: str) -> dict[str, Any] | None:
        row = cursor.execute("SELECT document FROM key_views WHERE id = ?", (key_id,)).fetchone()
        return None if row is None else dict(_decode(row[0]))

    def reset(self) -> None:
        """Empties the views and their tracking position, for a rebuild."""
        with self.transaction() as cursor:
            cursor.execute("DELETE FROM project_views")
            cursor.execute("DELETE FROM project_view_events")
            cursor.execute("DELETE FROM render_views")
            for statement in (*LIBRARY_RESET, *WEBHOOK_RESET, *AUDIT_RESET):
                cursor.execute(statement)
            cursor.execute("DELETE FROM key_views")
            cursor.execute(
                f"DELETE FROM {self.tracking_table} WHERE application_name = ?",  # noqa: S608
                (APPLICATION_NAME,),
            )

    def close(self) -> None:
        self.datastore.close()

    def _one(self, sql: str, args: tuple[Any, ...]) -> Any:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    def _all(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        with self.read() as cursor:
            return list(cursor.execute(sql, args))


def _summary(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": document["id"],
        "name": document["name"],
        "version": document["version"],
        "clip_count": clip_count(document),
        "modified_at": document["modified_at"],
    }
