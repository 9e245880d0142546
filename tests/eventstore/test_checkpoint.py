"""WAL checkpoints run in the database's own thread, never inside a writer's COMMIT."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from stoat.eventstore import ApswDatastore
from stoat.eventstore._checkpoint import CHECKPOINT_PAGES

if TYPE_CHECKING:
    from pathlib import Path

PAGE = 4096


def _write_pages(datastore: ApswDatastore, pages: int) -> None:
    """One transaction that adds about ``pages`` pages of rows."""
    with datastore.transaction() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS filler (data BLOB)")
        cursor.executemany(
            "INSERT INTO filler VALUES (?)", ((os.urandom(PAGE),) for _ in range(pages))
        )


def _wal_pages(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size // PAGE if wal.exists() else 0


def test_the_writer_commits_without_checkpointing(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    datastore = ApswDatastore(str(path))
    try:
        datastore._db._checkpointer.stop()  # type: ignore[union-attr]  # only the writer left
        _write_pages(datastore, 3 * CHECKPOINT_PAGES)
        _write_pages(datastore, 10)
        # SQLite's automatic checkpoint would have copied the WAL in the first COMMIT
        # over the limit, and the next write would have started the WAL again.
        assert path.stat().st_size < CHECKPOINT_PAGES * PAGE
        assert _wal_pages(path) > 3 * CHECKPOINT_PAGES
    finally:
        datastore.close()


def test_the_thread_copies_the_wal_into_the_database(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    datastore = ApswDatastore(str(path))
    try:
        _write_pages(datastore, 3 * CHECKPOINT_PAGES)
        deadline = time.monotonic() + 30
        while path.stat().st_size < 3 * CHECKPOINT_PAGES * PAGE:
            assert time.monotonic() < deadline, "the WAL was not checkpointed"
            time.sleep(0.05)
        _write_pages(datastore, 10)
        with datastore.read() as cursor:
            count = cursor.execute("SELECT count(*) FROM filler").get
        assert count == 3 * CHECKPOINT_PAGES + 10
    finally:
        datastore.close()
