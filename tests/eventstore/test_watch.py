"""Commits by other processes wake this process's waiters within milliseconds."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import apsw

from stoat.eventstore import ApswDatastore

if TYPE_CHECKING:
    from pathlib import Path


def _commit_elsewhere(path: Path, delay: float) -> threading.Thread:
    """A commit on a connection of its own, as another process's would be, after ``delay``."""

    def commit() -> None:
        time.sleep(delay)
        conn = apsw.Connection(str(path))
        conn.set_busy_timeout(5000)
        conn.execute("INSERT INTO marks VALUES (1)")
        conn.close()

    thread = threading.Thread(target=commit)
    thread.start()
    return thread


def _datastore(path: Path) -> ApswDatastore:
    datastore = ApswDatastore(str(path), poll_interval=30.0)
    with datastore.transaction() as cursor:
        cursor.execute("CREATE TABLE marks (n INTEGER)")
    return datastore


def test_a_watched_database_wakes_a_waiter_for_another_writer(tmp_path: Path) -> None:
    path = tmp_path / "watched.db"
    datastore = _datastore(path)
    datastore.watch_other_writers()
    try:
        generation = datastore.commit_generation
        writer = _commit_elsewhere(path, 0.2)
        started = time.monotonic()
        woke = datastore.wait_for_commit(generation, timeout=20.0)
        writer.join()
        assert woke
        assert time.monotonic() - started < 5.0
    finally:
        datastore.close()


def test_an_unwatched_database_hears_only_its_own_writer(tmp_path: Path) -> None:
    path = tmp_path / "unwatched.db"
    datastore = _datastore(path)
    try:
        generation = datastore.commit_generation
        writer = _commit_elsewhere(path, 0.0)
        writer.join()
        assert not datastore.wait_for_commit(generation, timeout=0.5)
    finally:
        datastore.close()
