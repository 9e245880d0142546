"""The library's full-text index: what a video is found by, and how a rebuild fills it.

The index (``library_search``, FTS5, contentless) holds :func:`search_text` of each row
of ``library_videos``. The live projection keeps it up to date event by event; a
rebuild defers it (:func:`deferred_search_index`) and fills it once at the end
(:func:`search_columns`, :func:`search_entries`, :func:`fill_search_index`).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec

if TYPE_CHECKING:
    from collections.abc import Iterator

    import apsw

_decode = msgspec.json.Decoder().decode

SearchText = tuple[str, str, str, str, str]


def search_text(
    path: str, tags: list[str], codecs: str, metadata: bytes | msgspec.Raw
) -> SearchText:
    """What a video is found by: name, directory, tags, codecs, metadata words. Deletes
    need exactly the text that was indexed, so this must stay a function of the row."""
    directory, _, name = path.rpartition("/")
    words = "" if metadata == b"{}" else " ".join(_words(_decode(metadata)))
    return name, directory, " ".join(tags), codecs, words


# A rebuild fills the search index once, from the finished table, instead of keeping it
# up to date event by event (FTS5's segment writes were most of a rebuild's cost), and
# finds a video's row in a map in memory, so that the id index too is made once at the
# end. Only the rebuilding thread defers; a live projection running meanwhile is not.
_deferral = threading.local()


@contextmanager
def deferred_search_index() -> Iterator[None]:
    """Within the block, this thread's library events skip the search index and look
    rows up in memory (filled from the table at the first event)."""
    _deferral.active = True
    _deferral.rows = None
    try:
        yield
    finally:
        _deferral.active = False
        _deferral.rows = None


def rebuild_rows(cursor: apsw.Cursor) -> dict[int, int] | None:
    """While the search index is deferred, the row number of each video (by its id as an
    integer); None otherwise."""
    if not getattr(_deferral, "active", False):
        return None
    rows: dict[int, int] | None = _deferral.rows
    if rows is None:
        found = cursor.execute("SELECT id, n FROM library_videos")
        rows = _deferral.rows = {UUID(video_id).int: n for video_id, n in found}
    return rows


def search_columns(cursor: apsw.Cursor) -> list[tuple[Any, ...]]:
    """The columns of every video row that its search text is made of."""
    return cursor.execute("SELECT n, path, tags, codecs, metadata FROM library_videos").fetchall()


def search_entries(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The search index's entry for each of ``rows`` (:func:`search_columns`)."""
    return [
        (n, *search_text(path, _decode(tags), codecs, metadata))
        for n, path, tags, codecs, metadata in rows
    ]


def fill_search_index(cursor: apsw.Cursor, entries: list[tuple[Any, ...]]) -> int:
    """Empties the search index and fills it with ``entries``; returns how many."""
    # A contentless table refuses DELETE once it has rows: 'delete-all' empties it.
    cursor.execute("INSERT INTO library_search (library_search) VALUES ('delete-all')")
    cursor.executemany(
        "INSERT INTO library_search (rowid, name, directory, tags, codecs, metadata) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        entries,
    )
    return len(entries)


def index_text(cursor: apsw.Cursor, n: int, text: SearchText) -> None:
    cursor.execute(
        "INSERT INTO library_search (rowid, name, directory, tags, codecs, metadata) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (n, *text),
    )


def unindex_text(cursor: apsw.Cursor, n: int, text: SearchText) -> None:
    cursor.execute(
        "INSERT INTO library_search "
        "(library_search, rowid, name, directory, tags, codecs, metadata) "
        "VALUES ('delete', ?, ?, ?, ?, ?, ?)",
        (n, *text),
    )


def _words(value: Any) -> list[str]:
    """Keys and scalar values of user metadata, as words to index."""
    if isinstance(value, dict):
        return [word for key, item in value.items() for word in (str(key), *_words(item))]
    if isinstance(value, list):
        return [word for item in value for word in _words(item)]
    return [] if value is None else [str(value)]
