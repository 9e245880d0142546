"""Queries on the library's read models: a video, search and listing, scan reports.

Listing pages by keyset (the sort value and the row number of the last item), so a page
costs the same however deep it is; relevance order pages by offset, because a rank is
not a stable key. Times arrive and leave as seconds; the table holds microseconds.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, Literal

import apsw
import msgspec
from eventsourcing.persistence import OperationalError

from stoat.errors import NotFound, Rejected, error_item
from stoat.projections.library_views import video_key
from stoat.timecode import to_micros, to_seconds

if TYPE_CHECKING:
    from stoat.projections.views import ViewStore

SortKey = Literal[
    "relevance",
    "imported",
    "-imported",
    "name",
    "-name",
    "duration",
    "-duration",
    "size",
    "-size",
]

_SORT_COLUMNS = {"imported": "n", "name": "name", "duration": "duration", "size": "size"}

_COLUMNS = (
    "v.n, v.id, v.version, v.status, v.path, v.size, v.mtime_ns, v.content_hash, "
    "v.imported_at, v.updated_at, v.tags, v.metadata, v.media"
)

_decode = msgspec.json.Decoder().decode


class VideoQuery(msgspec.Struct, kw_only=True, frozen=True):
    """A search or listing of the library; every filter is optional."""

    q: str | None = None
    kind: str | None = None
    status: str | None = None
    codec: str | None = None
    has_audio: bool | None = None
    min_duration: float | None = None
    max_duration: float | None = None
    min_width: int | None = None
    max_width: int | None = None
    min_height: int | None = None
    max_height: int | None = None
    resolution: str | None = None
    tag: str | None = None
    sort: SortKey | None = None
    limit: int = 50
    cursor: str | None = None


def get_video(views: ViewStore, video_id: str) -> dict[str, Any]:
    """The document of a video in the library, or :class:`NotFound`."""
    try:
        key = video_key(video_id)
    except ValueError:
        raise NotFound("video", video_id) from None
    with views.read() as cursor:
        row = cursor.execute(
            f"SELECT {_COLUMNS} FROM library_videos v WHERE v.key = ? AND v.id = ?",  # noqa: S608
            (key, video_id),
        ).fetchone()
    if row is None:
        raise NotFound("video", video_id)
    return video_document(row)


def get_scan(views: ViewStore, scan_id: str) -> dict[str, Any]:
    """A scan's status and report, or :class:`NotFound`."""
    with views.read() as cursor:
        row = cursor.execute(
            "SELECT document FROM library_scans WHERE id = ?", (scan_id,)
        ).fetchone()
    if row is None:
        raise NotFound("scan", scan_id)
    return dict(_decode(row[0]))


def videos_under(views: ViewStore, directory: str) -> list[tuple[str, str, str]]:
    """``(id, path, status)`` of every video whose path lies under ``directory``."""
    low, high = directory.rstrip("/") + "/", directory.rstrip("/") + "0"  # "0" follows "/"
    with views.read() as cursor:
        rows = cursor.execute(
            "SELECT id, path, status FROM library_videos WHERE path > ? AND path < ?",
            (low, high),
        ).fetchall()
    return [(str(i), str(p), str(s)) for i, p, s in rows]


def search_videos(views: ViewStore, query: VideoQuery) -> tuple[list[dict[str, Any]], str | None]:
    """One page of videos matching ``query``, and the cursor of the next page."""
    match = _match_expression(query)
    sort = query.sort or ("relevance" if match else "-imported")
    if sort == "relevance" and not match:
        raise _rejected("sort", "sorting by relevance needs a search query `q`", "add q=...")
    where, args = _filters(query)
    if sort == "relevance":
        offset = _decode_cursor(query.cursor, sort)[0] if query.cursor else 0
        sql = (
            f"SELECT {_COLUMNS} FROM library_search f JOIN library_videos v ON v.n = f.rowid "  # noqa: S608
            f"WHERE library_search MATCH ? {where} ORDER BY f.rank LIMIT ? OFFSET ?"
        )
        rows = _run(views, sql, (match, *args, query.limit + 1, offset))
        more = len(rows) > query.limit
        next_cursor = _encode_cursor(sort, offset + query.limit) if more else None
        return [video_document(row) for row in rows[: query.limit]], next_cursor
    column = _SORT_COLUMNS[sort.lstrip("-")]
    descending = sort.startswith("-")
    if match:
        where += " AND v.n IN (SELECT rowid FROM library_search WHERE library_search MATCH ?)"
        args.append(match)
    if query.cursor:
        value, n = _decode_cursor(query.cursor, sort)
        where += f" AND (v.{column}, v.n) {'<' if descending else '>'} (?, ?)"
        args += [value, n]
    order = "DESC" if descending else "ASC"
    sql = (
        f"SELECT {_COLUMNS}, v.{column} FROM library_videos v WHERE 1 {where} "  # noqa: S608
        f"ORDER BY v.{column} {order}, v.n {order} LIMIT ?"
    )
    rows = _run(views, sql, (*args, query.limit + 1))
    next_cursor = None
    if len(rows) > query.limit:
        last = rows[query.limit - 1]
        next_cursor = _encode_cursor(sort, last[-1], last[0])
    return [video_document(row) for row in rows[: query.limit]], next_cursor


def _run(views: ViewStore, sql: str, args: tuple[Any, ...]) -> list[Any]:
    try:
        with views.read() as cursor:
            return list(cursor.execute(sql, args))
    except OperationalError as error:
        # The statements are fixed; only the FTS5 query text can make them fail.
        if isinstance(error.__cause__, apsw.SQLError):
            raise _rejected(
                "q",
                f"the search query is not valid: {error}",
                'use words, prefixes (sun*), "quoted phrases", AND/OR/NOT and column '
                "filters (name:, tags:, directory:, codecs:, metadata:); quote words "
                'with punctuation: "clip-01"',
                code="invalid_search",
            ) from None
        raise


def _match_expression(query: VideoQuery) -> str | None:
    parts = []
    if query.q and query.q.strip():
        parts.append(f"({query.q})")
    if query.tag:
        parts.append(f"tags : {_phrase(query.tag)}")
    return " AND ".join(parts) or None


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _filters(query: VideoQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        clauses.append(clause)
        args.extend(values)

    for name, clause in _SIMPLE_FILTERS.items():
        value = getattr(query, name)
        if value is not None:
            add(clause, *([value] * clause.count("?")))
    if query.codec is not None:
        add("(v.video_codec = ? OR v.audio_codec = ?)", query.codec, query.codec)
    if query.min_duration is not None or query.max_duration is not None:
        add("v.kind != 'image'")  # a still image has no duration to compare
    if query.min_duration is not None:
        add("v.duration >= ?", to_micros(query.min_duration))
    if query.max_duration is not None:
        add("v.duration <= ?", to_micros(query.max_duration))
    if query.resolution is not None:
        width, height = _resolution(query.resolution)
        add("v.width = ? AND v.height = ?", width, height)
    return "".join(f" AND {clause}" for clause in clauses), args


_SIMPLE_FILTERS = {
    "kind": "v.kind = ?",
    "status": "v.status = ?",
    "has_audio": "v.has_audio = ?",
    "min_width": "v.width >= ?",
    "max_width": "v.width <= ?",
    "min_height": "v.height >= ?",
    "max_height": "v.height <= ?",
}


def _resolution(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        raise _rejected(
            "resolution",
            f"{text!r} is not a resolution",
            "write it as WIDTHxHEIGHT, e.g. 1920x1080 (the size as displayed)",
        )
    return int(width), int(height)


def video_document(row: Any) -> dict[str, Any]:
    """The API's document for a ``library_videos`` row (see ``_COLUMNS``)."""
    n, video_id, version, status, path, size, mtime_ns, digest = row[:8]
    imported_at, updated_at, tags, metadata, media = row[8:13]
    del n
    details = _decode(media)
    directory, _, name = path.rpartition("/")
    return {
        "id": video_id,
        "version": version,
        "status": status,
        "path": path,
        "name": name,
        "directory": directory or "/",
        "size": size,
        "file_modified_ns": mtime_ns,
        "content_hash": digest,
        **_media_fields(details),
        "tags": _decode(tags),
        "metadata": _decode(metadata),
        "imported_at": imported_at,
        "updated_at": updated_at,
        "links": {
            "self": f"/v1/videos/{video_id}",
            "thumbnail": f"/v1/videos/{video_id}/thumbnail",
            "proxy": f"/v1/videos/{video_id}/proxy",
            "waveform": f"/v1/videos/{video_id}/waveform",
        },
    }


def _media_fields(media: dict[str, Any]) -> dict[str, Any]:
    fields = {key: value for key, value in media.items() if key not in ("size", "streams")}
    fields["duration"] = _seconds(media["duration"])
    fields["streams"] = [
        {**stream, "duration": _seconds(stream.get("duration"))} for stream in media["streams"]
    ]
    return fields


def _seconds(micros: int | None) -> float | None:
    return None if micros is None else to_seconds(micros)


def _encode_cursor(sort: str, *position: Any) -> str:
    raw = msgspec.json.encode([sort, *position])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, msgspec.DecodeError):
        decoded = None
    if not isinstance(decoded, list) or len(decoded) < 2 or decoded[0] != sort:
        raise _rejected(
            "cursor",
            "the cursor is not one we issued for this sort order",
            "pass the `next` value of the previous page, unchanged, with the same sort",
            code="invalid_cursor",
        )
    return decoded[1:]


def _rejected(field: str, msg: str, hint: str, code: str = "invalid_value") -> Rejected:
    return Rejected([error_item(code, ("query", field), msg, hint)])
