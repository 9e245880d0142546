"""The media library's read models: videos with full-text search, and scan reports.

The tables live in the shared :class:`~stoat.projections.views.ViewStore` (its DDL
appends :data:`LIBRARY_TABLES`), so they commit with its tracking position. Library
events are projected straight from their stored JSON (:func:`project_library`): the
library is the bulk of the log, and eventsourcing's mapper would cost more than the
view writes. Search is an FTS5 index (contentless, so the text is not stored twice).
Queries are in :mod:`stoat.projections.library_queries`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import msgspec
from eventsourcing.utils import get_topic

from stoat.domain.scan import LibraryScan, ScanStatus
from stoat.domain.video import Video, VideoStatus
from stoat.timecode import to_seconds

if TYPE_CHECKING:
    from collections.abc import Callable

    import apsw
    from eventsourcing.persistence import Mapper, Notification

LIBRARY_TABLES = (
    # n is the log position of the import: the primary key is also the "imported" order.
    """CREATE TABLE IF NOT EXISTS library_videos (
        n INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        duration INTEGER,
        width INTEGER,
        height INTEGER,
        has_audio INTEGER NOT NULL,
        video_codec TEXT,
        audio_codec TEXT,
        size INTEGER NOT NULL,
        document BLOB NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS library_videos_path ON library_videos (path)",
    "CREATE INDEX IF NOT EXISTS library_videos_name ON library_videos (name, n)",
    "CREATE INDEX IF NOT EXISTS library_videos_duration ON library_videos (duration, n)",
    "CREATE INDEX IF NOT EXISTS library_videos_size ON library_videos (size, n)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS library_fts USING fts5(
        name, path, tags, codec, metadata,
        content='', contentless_delete=1,
        tokenize='unicode61 remove_diacritics 2', prefix='2 3'
    )""",
    # Relevance: a match in the name or the tags counts more than one in the path.
    "INSERT INTO library_fts (library_fts, rank) VALUES ('rank', 'bm25(10.0, 2.0, 6.0, 1.0, 3.0)')",
    """CREATE TABLE IF NOT EXISTS library_scans (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        document BLOB NOT NULL
    ) WITHOUT ROWID""",
)

LIBRARY_RESET = (
    "DELETE FROM library_videos",
    "DELETE FROM library_fts",
    "DELETE FROM library_scans",
)

_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode

State = dict[str, Any]


def project_library(cursor: apsw.Cursor, notification: Notification, mapper: Mapper[Any]) -> None:
    """Applies one library event (``notification.topic in LIBRARY_TOPICS``) to the views."""
    handler = _HANDLERS[notification.topic]
    handler(cursor, notification, _state(notification, mapper))


def _state(notification: Notification, mapper: Mapper[Any]) -> State:
    """The event's attributes, decoded with msgspec; through the mapper (slow) only when
    the state is encrypted or compressed, or the event needs upcasting."""
    if not (mapper.cipher or mapper.compressor):
        state: State = _decode(notification.state)
        if "class_version" not in state:
            return state
    event = mapper.to_domain_event(notification)
    return dict(vars(event))


def _timestamp(state: State) -> str:
    stamp = state["timestamp"]
    if isinstance(stamp, datetime):
        return stamp.isoformat()
    return str(stamp["_data_"])


# -- videos ------------------------------------------------------------------------------


def _imported(cursor: apsw.Cursor, notification: Notification, state: State) -> None:
    now = _timestamp(state)
    document = video_document(
        video_id=str(notification.originator_id),
        version=notification.originator_version,
        path=state["path"],
        file=state["file"],
        media=state["media"],
        tags=state["tags"],
        metadata=state["metadata"],
        status=VideoStatus.PRESENT.value,
        imported_at=now,
        updated_at=now,
    )
    _insert(cursor, notification.id, document, state["media"])


def _updated(cursor: apsw.Cursor, notification: Notification, state: State) -> None:
    found = _document(cursor, str(notification.originator_id))
    if found is None:
        return
    n, document = found
    media = state["media"]
    document.update(_media_fields(media))
    document.update(_file_fields(state["file"]))
    document["status"] = VideoStatus.PRESENT.value
    _replace(cursor, n, notification, state, document, media)


def _missing(cursor: apsw.Cursor, notification: Notification, state: State) -> None:
    found = _document(cursor, str(notification.originator_id))
    if found is None:
        return
    n, document = found
    document["status"] = VideoStatus.MISSING.value
    document["version"] = notification.originator_version
    document["updated_at"] = _timestamp(state)
    cursor.execute(
        "UPDATE library_videos SET status = ?, document = ? WHERE n = ?",
        (document["status"], _encode(document), n),
    )


def _annotated(cursor: apsw.Cursor, notification: Notification, state: State) -> None:
    found = _document(cursor, str(notification.originator_id))
    if found is None:
        return
    n, document = found
    document["tags"] = state["tags"]
    document["metadata"] = state["metadata"]
    _replace(cursor, n, notification, state, document, None)


def _removed(cursor: apsw.Cursor, notification: Notification, state: State) -> None:
    del state
    row = cursor.execute(
        "SELECT n FROM library_videos WHERE id = ?", (str(notification.originator_id),)
    ).fetchone()
    if row is not None:
        cursor.execute("DELETE FROM library_videos WHERE n = ?", row)
        cursor.execute("DELETE FROM library_fts WHERE rowid = ?", row)


def _insert(cursor: apsw.Cursor, n: int, document: State, media: State) -> None:
    cursor.execute(
        "INSERT INTO library_videos (n, id, path, name, kind, status, duration, width, "
        "height, has_audio, video_codec, audio_codec, size, document) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            n,
            document["id"],
            document["path"],
            document["name"],
            media["kind"],
            document["status"],
            media["duration"],
            media["display_width"],
            media["display_height"],
            media["has_audio"],
            media["video_codec"],
            media["audio_codec"],
            document["size"],
            _encode(document),
        ),
    )
    cursor.execute(
        "INSERT INTO library_fts (rowid, name, path, tags, codec, metadata) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (n, *_search_text(document)),
    )


def _replace(
    cursor: apsw.Cursor,
    n: int,
    notification: Notification,
    state: State,
    document: State,
    media: State | None,
) -> None:
    document["version"] = notification.originator_version
    document["updated_at"] = _timestamp(state)
    if media is None:
        cursor.execute(
            "UPDATE library_videos SET document = ? WHERE n = ?", (_encode(document), n)
        )
    else:
        cursor.execute(
            "UPDATE library_videos SET status = ?, kind = ?, duration = ?, width = ?, "
            "height = ?, has_audio = ?, video_codec = ?, audio_codec = ?, size = ?, "
            "document = ? WHERE n = ?",
            (
                document["status"],
                media["kind"],
                media["duration"],
                media["display_width"],
                media["display_height"],
                media["has_audio"],
                media["video_codec"],
                media["audio_codec"],
                document["size"],
                _encode(document),
                n,
            ),
        )
    cursor.execute("DELETE FROM library_fts WHERE rowid = ?", (n,))
    cursor.execute(
        "INSERT INTO library_fts (rowid, name, path, tags, codec, metadata) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (n, *_search_text(document)),
    )


def _document(cursor: apsw.Cursor, video_id: str) -> tuple[int, State] | None:
    row = cursor.execute(
        "SELECT n, document FROM library_videos WHERE id = ?", (video_id,)
    ).fetchone()
    return None if row is None else (int(row[0]), _decode(row[1]))


def video_document(
    *,
    video_id: str,
    version: int,
    path: str,
    file: State,
    media: State,
    tags: list[str],
    metadata: State,
    status: str,
    imported_at: str,
    updated_at: str,
) -> State:
    """The JSON document the API serves for a video (times in seconds)."""
    pure = PurePosixPath(path)
    return {
        "id": video_id,
        "version": version,
        "status": status,
        "path": path,
        "name": pure.name,
        "directory": str(pure.parent),
        **_file_fields(file),
        **_media_fields(media),
        "tags": tags,
        "metadata": metadata,
        "imported_at": imported_at,
        "updated_at": updated_at,
        "links": {
            "thumbnail": f"/v1/videos/{video_id}/thumbnail",
            "proxy": f"/v1/videos/{video_id}/proxy",
            "waveform": f"/v1/videos/{video_id}/waveform",
        },
    }


def _file_fields(file: State) -> State:
    modified = datetime.fromtimestamp(file["mtime_ns"] / 1e9, tz=UTC)
    return {
        "size": file["size"],
        "file_modified_at": modified.isoformat(),
        "content_hash": file["content_hash"],
    }


def _media_fields(media: State) -> State:
    duration = media["duration"]
    return {
        "kind": media["kind"],
        "format": media["format"],
        "duration": None if duration is None else to_seconds(duration),
        "bit_rate": media["bit_rate"],
        "has_video": media["has_video"],
        "has_audio": media["has_audio"],
        "width": media["width"],
        "height": media["height"],
        "display_width": media["display_width"],
        "display_height": media["display_height"],
        "rotation": media["rotation"],
        "fps": media["fps"],
        "video_codec": media["video_codec"],
        "audio_codec": media["audio_codec"],
        "sample_rate": media["sample_rate"],
        "channels": media["channels"],
        "streams": [_stream(stream) for stream in media["streams"]],
    }


def _stream(stream: State) -> State:
    duration = stream.get("duration")
    return {**stream, "duration": None if duration is None else to_seconds(duration)}


def _search_text(document: State) -> tuple[str, str, str, str, str]:
    codecs = {document["kind"], *(s["codec"] for s in document["streams"] if s["codec"])}
    return (
        document["name"],
        document["directory"],
        " ".join(document["tags"]),
        " ".join(sorted(codecs)),
        " ".join(_flatten(document["metadata"])),
    )


def _flatten(value: Any) -> list[str]:
    """Keys and scalar values of user metadata, as words to index."""
    if isinstance(value, dict):
        return [word for key, item in value.items() for word in (str(key), *_flatten(item))]
    if isinstance(value, list):
        return [word for item in value for word in _flatten(item)]
    return [] if value is None else [str(value)]


# -- scans -------------------------------------------------------------------------------


def _scan_requested(cursor: apsw.Cursor, notification: Notification, state: State) -> None:
    scan_id = str(notification.originator_id)
    document = {
        "id": scan_id,
        "path": state["path"],
        "recursive": state["recursive"],
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
        "created_at": _timestamp(state),
        "started_at": None,
        "finished_at": None,
    }
    cursor.execute(
        "INSERT OR REPLACE INTO library_scans (id, seq, document) VALUES (?, ?, ?)",
        (scan_id, notification.id, _encode(document)),
    )


def _scan_changed(cursor: apsw.Cursor, notification: Notification, state: State) -> None:
    scan_id = str(notification.originator_id)
    row = cursor.execute("SELECT document FROM library_scans WHERE id = ?", (scan_id,)).fetchone()
    if row is None:
        return
    document: State = _decode(row[0])
    name = notification.topic.rpartition(".")[2]
    now = _timestamp(state)
    if name == "ScanStarted":
        document.update(status=ScanStatus.RUNNING.value, attempts=state["attempt"], started_at=now)
    elif name == "ScanProgressed":
        document.update(found=state["found"], processed=state["processed"])
    elif name == "ScanCompleted":
        document.update(state["report"])
        document.update(status=ScanStatus.COMPLETED.value, finished_at=now)
    elif name == "ScanFailed":
        document.update(status=ScanStatus.FAILED.value, error=state["reason"], finished_at=now)
    cursor.execute(
        "UPDATE library_scans SET document = ? WHERE id = ?", (_encode(document), scan_id)
    )


_HANDLERS: dict[str, Callable[[apsw.Cursor, Notification, State], None]] = {
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
