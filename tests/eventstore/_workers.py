"""Code run in spawned child processes: a second writer on the same database file.

Functions here are module-level so that multiprocessing's spawn start method can import
them in the child.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from stoat.eventstore import ApswApplicationRecorder, ApswFactory
from tests.eventstore._support import stored_events

if TYPE_CHECKING:
    from multiprocessing import Queue
    from multiprocessing.synchronize import Event

    from eventsourcing.persistence import Tracking


def append_batches(
    db_name: str,
    batches: int,
    batch_size: int,
    ready: Event,
    go: Event,
    done: Event,
    results: Queue[list[list[int]]],
    pause: float = 0.0,
) -> None:
    """Set ``ready``, append ``batches`` batches once ``go`` is set, then set ``done``.

    Puts the list of each batch's notification ids on ``results``.
    """
    factory = ApswFactory({"APSW_DBNAME": db_name})
    try:
        recorder = factory.application_recorder()
        assert isinstance(recorder, ApswApplicationRecorder)
        ready.set()
        go.wait(timeout=30)
        ids: list[list[int]] = []
        for _ in range(batches):
            ids.append(list(recorder.insert_events(stored_events(count=batch_size))))
            if pause:
                # Let the other process's writers in (SQLite's busy handler is unfair).
                time.sleep(pause)
        results.put(ids)
    finally:
        done.set()
        factory.close()


def insert_tracking_later(db_name: str, tracking: Tracking, delay: float) -> None:
    """Record ``tracking`` after ``delay`` seconds."""
    factory = ApswFactory({"APSW_DBNAME": db_name})
    try:
        recorder = factory.tracking_recorder()
        time.sleep(delay)
        recorder.insert_tracking(tracking)
    finally:
        factory.close()
