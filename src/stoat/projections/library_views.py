"""The media library's read models: videos with full-text search, and scan reports.

The tables live in the shared :class:`~stoat.projections.views.ViewStore` (its DDL
appends :data:`LIBRARY_TABLES`), so they commit with its tracking position. Library
events are projected straight from their stored JSON (:func:`project_library`): the
library is the bulk of the log, and eventsourcing's mapper costs more than the view
writes. A video is one row: columns to filter and sort on, and the recorded media facts
kept as the event's own JSON bytes (``msgspec.Raw``), turned into the API's document
only when read (:mod:`stoat.projections.library_queries`). Search is an FTS5 index,
contentless, so the text is not stored twice (:mod:`stoat.projections.library_search`).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from stoat.domain.scan import LibraryScan, ScanStatus
from stoat.domain.video import Video, VideoStatus
from stoat.projections.library_search import (
    SearchText,
    deferred_search_index,
    index_text,
    rebuild_rows,
    search_text,
    unindex_text,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import apsw
    from eventsourcing.persistence import Mapper, Notification

__all__ = [
    "INSERT_VIDEO",
    "LIBRARY_INDEXES",
    "LIBRARY_RESET",
    "LIBRARY_TABLES",
    "LIBRARY_TOPICS",
    "decode_library_event",
    "deferred_search_index",  # a rebuild's, from library_search
    "key_of",
    "project_library",
    "rebuild_rows",  # a rebuild's, from library_search
    "video_key",
    "video_row",
]

OPTIMIZE = "PRAGMA optimize=0x10002"
OPTIMIZE_EVERY = 10_000
"""Imports between two chances for SQLite to refresh the library's statistics."""

_SORT_INDEXES = {
    "path": "path",
    "name": "name, n",
    "duration": "duration, n",
    "size": "size, n",
}

LIBRARY_INDEXES = (
    "CREATE INDEX IF NOT EXISTS library_videos_key ON library_videos (key)",
    *(
        f"CREATE INDEX IF NOT EXISTS library_videos_{name} ON library_videos ({columns})"
        for name, columns in _SORT_INDEXES.items()
    ),
)
"""The indexes of ``library_videos``, which a rebuild drops and makes again at its end."""

LIBRARY_TABLES = (
    # n is the log position of the import: the primary key is also the "imported" order.
    # Lookups by id go through `key`, the id's first 64 bits: a random integer index costs
    # half as much to keep up as one on the 36-character text.
    """CREATE TABLE IF NOT EXISTS library_videos (
        n INTEGER PRIMARY KEY,
        key INTEGER NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        duration INTEGER,
        width INTEGER,
        height INTEGER,
        has_audio INTEGER NOT NULL,
        video_codec TEXT,
        audio_codec TEXT,
        codecs TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        tags BLOB NOT NULL,
        metadata BLOB NOT NULL,
        media BLOB NOT NULL
    )""",
    *LIBRARY_INDEXES,
    # Contentless: a row is taken out with the 'delete' command and the text it was
    # indexed with (rebuilt from the row by _text), which FTS5 records among its pending
    # changes; contentless_delete=1 would flush them to disk at every delete (65 µs, not 4).
    """CREATE VIRTUAL TABLE IF NOT EXISTS library_search USING fts5(
        name, directory, tags, codecs, metadata,
        content='', tokenize='unicode61 remove_diacritics 2'
    )""",
    # Relevance: a match in the name or the tags counts more than one in the directory.
    "INSERT INTO library_search (library_search, rank) "
    "VALUES ('rank', 'bm25(10.0, 2.0, 6.0, 1.0, 3.0)')",
    """CREATE TABLE IF NOT EXISTS library_scans (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        document BLOB NOT NULL
    ) WITHOUT ROWID""",
    # Statistics let the planner choose between a filter's index and the sort order's:
    # a duration range sorted by import order took 55 ms without them, 0.1 ms with them.
    # SQLite re-analyzes only tables that grew tenfold since (see also _imported).
    OPTIMIZE,
)

LIBRARY_RESET = (
    # A rebuild fills the table faster without its sort indexes and its id index (its
    # lookups use a map in memory: see deferred_search_index); the rebuild makes
    # LIBRARY_INDEXES again at its end.
    *(f"DROP INDEX IF EXISTS library_videos_{name}" for name in (*_SORT_INDEXES, "key")),
    "DELETE FROM library_videos",
    "INSERT INTO library_search (library_search) VALUES ('delete-all')",
    "DELETE FROM library_scans",
)


class _Stamp(msgspec.Struct):
    # eventsourcing's JSON transcoder writes datetimes as {"_type_": ..., "_data_": iso}.
    data: str = msgspec.field(name="_data_")


class _File(msgspec.Struct):
    size: int
    mtime_ns: int
    content_hash: str


class _Codec(msgspec.Struct):
    codec: str | None = None


class _MediaIndex(msgspec.Struct):
    """The media facts the table has columns for; the rest stays in the raw JSON."""

    kind: str
    duration: int | None
    display_width: int | None
    display_height: int | None
    has_audio: bool
    video_codec: str | None
    audio_codec: str | None
    streams: list[_Codec]


class _Event(msgspec.Struct):
    # media and metadata stay the event's JSON bytes: apsw binds a msgspec.Raw (a buffer)
    # as a BLOB as it is, with no copy.
    timestamp: _Stamp | str
    path: str = ""
    file: _File | None = None
    media: msgspec.Raw = msgspec.Raw(b"null")
    tags: list[str] = []
    metadata: msgspec.Raw = msgspec.Raw(b"{}")
    # Scans.
    recursive: bool = False
    attempt: int = 0
    found: int = 0
    processed: int = 0
    report: dict[str, Any] = {}
    reason: str = ""
    class_version: int = 1

    @property
    def time(self) -> str:
        return self.timestamp if isinstance(self.timestamp, str) else self.timestamp.data


_imports = itertools.count(1)
_PRESENT = VideoStatus.PRESENT.value
_decode_event = msgspec.json.Decoder(_Event).decode
_decode_media = msgspec.json.Decoder(_MediaIndex).decode
_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode


def project_library(cursor: apsw.Cursor, notification: Notification, mapper: Mapper[Any]) -> None:
    """Applies one library event (``notification.topic in LIBRARY_TOPICS``) to the views."""
    handler = _HANDLERS[notification.topic]
    handler(cursor, notification, _event(notification, mapper))


def decode_library_event(state: bytes) -> _Event | None:
    """A library event's attributes from its stored JSON (neither encrypted nor
    compressed), decoded with msgspec; None if it needs upcasting first."""
    event = _decode_event(state)
    return event if event.class_version == 1 else None


def _event(notification: Notification, mapper: Mapper[Any]) -> _Event:
    """The event's attributes, decoded with msgspec; through the mapper (slow) only when
    the state is encrypted or compressed, or the event needs upcasting."""
    if not (mapper.cipher or mapper.compressor):
        event = decode_library_event(notification.state)
        if event is not None:
            return event
    domain_event = mapper.to_domain_event(notification)
    return _decode_event(_encode(vars(domain_event)))


# -- videos ------------------------------------------------------------------------------


def video_key(video_id: UUID | str) -> int:
    """The indexed 64-bit key of a video id (see ``library_videos.key``)."""
    return key_of((video_id if isinstance(video_id, UUID) else UUID(video_id)).int)


def key_of(number: int) -> int:
    """The indexed key of a video id given as its 128-bit integer: its first 64 bits, as
    SQLite's signed integer."""
    high = number >> 64
    return high - (1 << 64) if high >= 1 << 63 else high


def _ids(notification: Notification) -> tuple[int, str]:
    return video_key(notification.originator_id), str(notification.originator_id)


def _number(notification: Notification) -> int:
    """The event's video id as an integer (the key of a rebuild's map of rows)."""
    video_id = notification.originator_id
    return (video_id if isinstance(video_id, UUID) else UUID(video_id)).int


class _Row(NamedTuple):
    """What a video's indexed text is made of (see :func:`_text`)."""

    path: str
    tags: bytes
    codecs: str
    metadata: bytes

    def text(self, codecs: str | None = None) -> SearchText:
        codecs = self.codecs if codecs is None else codecs
        return search_text(self.path, _decode(self.tags), codecs, self.metadata)


def _find(cursor: apsw.Cursor, notification: Notification) -> tuple[int, _Row | None] | None:
    """The event's video: its row number and, unless the search index is deferred (then
    there is nothing to take out of it), the columns its indexed text is made of."""
    rows = rebuild_rows(cursor)
    if rows is not None:
        n = rows.get(_number(notification))
        return None if n is None else (n, None)
    found = cursor.execute(
        "SELECT n, path, tags, codecs, metadata FROM library_videos WHERE key = ? AND id = ?",
        _ids(notification),
    ).fetchone()
    return None if found is None else (found[0], _Row(*found[1:]))


INSERT_VIDEO = (
    "INSERT INTO library_videos (n, key, id, version, status, path, name, kind, duration, "
    "width, height, has_audio, video_codec, audio_codec, codecs, size, mtime_ns, "
    "content_hash, imported_at, updated_at, tags, metadata, media) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def video_row(
    n: int, key: int, video_id: str, version: int, event: _Event
) -> tuple[tuple[Any, ...], str]:
    """The ``library_videos`` row an import (or a restore) inserts, and its codecs (a
    part of its search text); the live projection and a rebuild both insert this."""
    facts, codecs = _file_columns(event)
    time, path = event.time, event.path
    name = path.rpartition("/")[2]
    tags = _encode(event.tags)
    row = (
        *(n, key, video_id, version, _PRESENT, path, name),
        *facts,
        *(time, time, tags, event.metadata, event.media),
    )
    return row, codecs


def _file_columns(event: _Event) -> tuple[tuple[Any, ...], str]:
    """What an import and an update set from the file's facts: the columns from ``kind``
    to ``content_hash``, and the codecs (a part of the search text)."""
    assert event.file is not None
    media = _decode_media(event.media)
    codecs = _codecs(media)
    facts = (
        media.kind,
        media.duration or 0,  # a still image sorts as 0 s
        media.display_width,
        media.display_height,
        media.has_audio,
        media.video_codec,
        media.audio_codec,
        codecs,
        event.file.size,
        event.file.mtime_ns,
        event.file.content_hash,
    )
    return facts, codecs


def _imported(cursor: apsw.Cursor, notification: Notification, event: _Event) -> None:
    rows = rebuild_rows(cursor)
    if rows is None and next(_imports) % OPTIMIZE_EVERY == 0:
        cursor.execute(OPTIMIZE)  # a rebuild ends with it (ViewStore.create_table())
    key, video_id = _ids(notification)
    row, codecs = video_row(notification.id, key, video_id, notification.originator_version, event)
    cursor.execute(INSERT_VIDEO, row)
    if rows is None:
        text = search_text(event.path, event.tags, codecs, event.metadata)
        index_text(cursor, notification.id, text)
    else:
        rows[_number(notification)] = notification.id


def _updated(cursor: apsw.Cursor, notification: Notification, event: _Event) -> None:
    found = _find(cursor, notification)
    if found is None:
        return
    n, row = found
    facts, codecs = _file_columns(event)
    cursor.execute(
        "UPDATE library_videos SET version = ?, status = ?, kind = ?, duration = ?, "
        "width = ?, height = ?, has_audio = ?, video_codec = ?, audio_codec = ?, "
        "codecs = ?, size = ?, mtime_ns = ?, content_hash = ?, updated_at = ?, media = ? "
        "WHERE n = ?",
        (notification.originator_version, _PRESENT, *facts, event.time, event.media, n),
    )
    if row is not None and codecs != row.codecs:  # the indexed text changed (rarely)
        unindex_text(cursor, n, row.text())
        index_text(cursor, n, row.text(codecs))


def _missing(cursor: apsw.Cursor, notification: Notification, event: _Event) -> None:
    rows = rebuild_rows(cursor)
    change = (notification.originator_version, VideoStatus.MISSING.value, event.time)
    if rows is None:
        cursor.execute(
            "UPDATE library_videos SET version = ?, status = ?, updated_at = ? "
            "WHERE key = ? AND id = ?",
            (*change, *_ids(notification)),
        )
    elif (n := rows.get(_number(notification))) is not None:
        cursor.execute(
            "UPDATE library_videos SET version = ?, status = ?, updated_at = ? WHERE n = ?",
            (*change, n),
        )


def _annotated(cursor: apsw.Cursor, notification: Notification, event: _Event) -> None:
    found = _find(cursor, notification)
    if found is None:
        return
    n, row = found
    cursor.execute(
        "UPDATE library_videos SET version = ?, updated_at = ?, tags = ?, metadata = ? WHERE n = ?",
        (
            notification.originator_version,
            event.time,
            _encode(event.tags),
            event.metadata,
            n,
        ),
    )
    if row is not None:
        unindex_text(cursor, n, row.text())
        index_text(cursor, n, search_text(row.path, event.tags, row.codecs, event.metadata))


def _removed(cursor: apsw.Cursor, notification: Notification, event: _Event) -> None:
    del event
    found = _find(cursor, notification)
    if found is None:
        return
    n, row = found
    cursor.execute("DELETE FROM library_videos WHERE n = ?", (n,))
    if row is not None:
        unindex_text(cursor, n, row.text())
    elif (rows := rebuild_rows(cursor)) is not None:
        del rows[_number(notification)]


def _codecs(media: _MediaIndex) -> str:
    """Words to find a file by its kind and codecs: ``"aac h264 video"``."""
    return " ".join(sorted({media.kind, *(s.codec for s in media.streams if s.codec)}))


# -- scans -------------------------------------------------------------------------------


def _scan_requested(cursor: apsw.Cursor, notification: Notification, event: _Event) -> None:
    scan_id = str(notification.originator_id)
    document = {
        "id": scan_id,
        "path": event.path,
        "recursive": event.recursive,
        "status": ScanStatus.QUEUED.value,
        "attempts": 0,
        "found": 0,
        "processed": 0,
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "missing": 0,
        "failed": 0,
        "skipped": 0,
        "errors": [],
        "errors_omitted": 0,
        "error": None,
        "created_at": event.time,
        "started_at": None,
        "finished_at": None,
    }
    cursor.execute(
        "INSERT OR REPLACE INTO library_scans (id, seq, document) VALUES (?, ?, ?)",
        (scan_id, notification.id, _encode(document)),
    )


def _scan_changed(cursor: apsw.Cursor, notification: Notification, event: _Event) -> None:
    scan_id = str(notification.originator_id)
    row = cursor.execute("SELECT document FROM library_scans WHERE id = ?", (scan_id,)).fetchone()
    if row is None:
        return
    document: dict[str, Any] = _decode(row[0])
    name = notification.topic.rpartition(".")[2]
    if name == "ScanStarted":
        document.update(
            status=ScanStatus.RUNNING.value, attempts=event.attempt, started_at=event.time
        )
    elif name == "ScanProgressed":
        document.update(found=event.found, processed=event.processed)
    elif name == "ScanCompleted":
        document.update(event.report)
        document.update(status=ScanStatus.COMPLETED.value, finished_at=event.time)
    elif name == "ScanFailed":
        document.update(status=ScanStatus.FAILED.value, error=event.reason, finished_at=event.time)
    cursor.execute(
        "UPDATE library_scans SET document = ? WHERE id = ?", (_encode(document), scan_id)
    )


_HANDLERS: dict[str, Callable[[apsw.Cursor, Notification, _Event], None]] = {
    get_topic(Video.VideoImported): _imported,
    get_topic(Video.VideoRestored): _imported,
    get_topic(Video.VideoUpdated): _updated,
    get_topic(Video.VideoMissing): _missing,
    get_topic(Video.VideoAnnotated): _annotated,
    get_topic(Video.VideoRemoved): _removed,
    get_topic(LibraryScan.ScanRequested): _scan_requested,
    get_topic(LibraryScan.ScanStarted): _scan_changed,
    get_topic(LibraryScan.ScanProgressed): _scan_changed,
    get_topic(LibraryScan.ScanCompleted): _scan_changed,
    get_topic(LibraryScan.ScanFailed): _scan_changed,
}

LIBRARY_TOPICS = frozenset(_HANDLERS)
"""The topics of every event :func:`project_library` handles."""
