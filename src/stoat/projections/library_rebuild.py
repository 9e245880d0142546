"""Rebuilding the media library's read model on its own, in bulk.

``stoat projections rebuild --only library`` runs :func:`rebuild_library`: it drops the
library's rows, its search index and its indexes, and replays the library's events up to
the position the views have reached, in one transaction, so readers see the old library
or the new one and the other read models are not touched. It reads the log as stored
(``select_chain``, which both event stores provide) rather than as notifications, inserts
imports in bulk with the same rows the live projection inserts (:func:`video_row`), and
fills the search index and makes the indexes once at the end. The library is most of a
large log, and per-event work is what bounds a rebuild.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from stoat.domain.video import Video
from stoat.projections.library_search import fill_search_index, search_columns, search_entries
from stoat.projections.library_views import (
    INSERT_VIDEO,
    LIBRARY_INDEXES,
    LIBRARY_RESET,
    LIBRARY_TOPICS,
    decode_library_event,
    deferred_search_index,
    key_of,
    project_library,
    rebuild_rows,
    video_row,
)

if TYPE_CHECKING:
    import apsw
    from eventsourcing.persistence import Mapper

    from stoat.eventstore import ChainedLog, ChainRow
    from stoat.projections.views import ViewStore

BATCH = 10_000
"""Rows read from the log at a time."""
REBUILD_CACHE_KIB = 256 * 1024
"""SQLite's page cache during a rebuild, at most (a 100,000-video library fills most).
With the default 2 MiB, a rebuild took 20% longer."""

_IMPORTS = frozenset({get_topic(Video.VideoImported), get_topic(Video.VideoRestored)})


def rebuild_library(views: ViewStore, log: ChainedLog, mapper: Mapper[Any]) -> int:
    """Replays the library's events into fresh library views; returns how many."""
    default_cache: int | None = None
    try:
        with views.transaction() as cursor, deferred_search_index():
            for statement in LIBRARY_RESET:
                cursor.execute(statement)
            # After the reset, which would read every page of the old tables into it.
            default_cache = _set_cache_size(cursor, REBUILD_CACHE_KIB)
            replay = _Replay(cursor, mapper)
            # The writer is held: the position cannot move while it is read.
            stop, after = views.position(), 0
            while after < stop and (rows := log.select_chain(after, stop, BATCH)):
                replay.apply(rows)
                after = rows[-1][0]
            _index(cursor)
    finally:
        if default_cache is not None:  # once the pages are written (or dropped)
            with views.transaction() as cursor:
                _set_cache_size(cursor, default_cache)
    return replay.count


def _index(cursor: apsw.Cursor) -> None:
    """Fills the search index and makes the table's indexes again."""
    # The search text is Python work and making the indexes SQLite's, which lets go of
    # the GIL: they run side by side, on two cores where there are two.
    with ThreadPoolExecutor(1, thread_name_prefix="stoat-search-text") as pool:
        entries = pool.submit(search_entries, search_columns(cursor))
        for statement in LIBRARY_INDEXES:
            cursor.execute(statement)
        fill_search_index(cursor, entries.result())


def _set_cache_size(cursor: apsw.Cursor, kib: int) -> int:
    """Sets SQLite's page cache to ``kib`` KiB; returns the size it had, in KiB."""
    pages = int(cursor.execute("PRAGMA cache_size").get)
    page_size = int(cursor.execute("PRAGMA page_size").get)
    cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    return -pages if pages < 0 else pages * page_size // 1024


class _Replay:
    """Applies stored rows to the library views; imports wait in a list for one
    ``executemany``, which any other event flushes first (it may touch them)."""

    def __init__(self, cursor: apsw.Cursor, mapper: Mapper[Any]) -> None:
        self._cursor = cursor
        self._mapper = mapper
        # Encrypted or compressed events go through the mapper: per event, as live.
        self._bulk = not (mapper.cipher or mapper.compressor)
        self._imports: list[tuple[Any, ...]] = []
        self.count = 0

    def apply(self, rows: list[ChainRow]) -> None:
        rows_by_id = rebuild_rows(self._cursor)
        assert rows_by_id is not None  # within deferred_search_index()
        imports, bulk = self._imports, self._bulk
        for n, stored, version, topic, state, _ in rows:
            if topic not in LIBRARY_TOPICS:
                continue
            self.count += 1
            if bulk and topic in _IMPORTS and (event := decode_library_event(state)):
                number = int(stored, 16)  # a UUID's 32 hex digits, as both stores keep it
                video_id = (
                    f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"
                )
                imports.append(video_row(n, key_of(number), video_id, version, event)[0])
                rows_by_id[number] = n
                continue
            self.flush()
            notification = Notification(
                id=n,
                originator_id=UUID(stored),
                originator_version=version,
                topic=topic,
                state=state,
            )
            project_library(self._cursor, notification, self._mapper)
        self.flush()  # a batch at a time: the rows hold their events' bytes

    def flush(self) -> None:
        if self._imports:
            self._cursor.executemany(INSERT_VIDEO, self._imports)
            self._imports.clear()
