"""kill -9 under sustained edits: no acknowledged edit is lost or doubled, and the read
models the server kept through its deaths equal a rebuild from the log.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from tests.reliability._harness import (
    EditLoad,
    Server,
    create_projects,
    read_log,
    rebuilt_views,
    view_tables,
    wait_for_views,
)

if TYPE_CHECKING:
    from pathlib import Path

KILLS = 5
CLIENTS = 6


@pytest.mark.slow
def test_kill_9_under_edit_load_loses_and_doubles_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    # FULL: an acknowledged append is on disk before the answer leaves (the default).
    server = Server(data_dir, env={"STOAT_SQLITE_SYNCHRONOUS": "FULL"})
    server.start()
    try:
        projects = create_projects(server, 3)
        load = EditLoad(server.base_url, projects, clients=CLIENTS)
        load.start()
        try:
            rng = random.Random(7)
            for _ in range(KILLS):
                # Let the clients get going (and the acks pile up), then kill mid-stream.
                before = len(load.acks)
                deadline = time.monotonic() + 60
                while len(load.acks) < before + 20 + rng.randrange(40):
                    assert time.monotonic() < deadline, (load.failures, server.log())
                    time.sleep(0.01)
                server.kill()
                server.start()
            time.sleep(0.5)
        finally:
            load.stop()
        assert not load.failures, load.failures
        assert load.retries["transport"] > 0, "some requests were cut by a kill"
        wait_for_views(server)
    finally:
        server.stop()

    log = read_log(data_dir)
    # Every acknowledged edit is in the log exactly once, where its answer said.
    by_key = Counter(event.idempotency_key for event in log if event.idempotency_key)
    assert len({ack.key for ack in load.acks}) == len(load.acks)
    doubled = {key: count for key, count in by_key.items() if count != 1}
    assert not doubled, f"edits stored more than once: {doubled}"
    at = {event.idempotency_key: event for event in log}
    for ack in load.acks:
        stored = at.get(ack.key)
        assert stored is not None, f"acknowledged edit {ack.key} is not in the log"
        assert (stored.aggregate_id, stored.version, stored.position) == (
            ack.project_id,
            ack.version,
            ack.position,
        )
    # Every client retried until it had an answer, so nothing unacknowledged is stored.
    assert set(by_key) == {ack.key for ack in load.acks}
    # The log is gap-free and each project's versions run 1..n.
    assert [event.position for event in log] == list(range(1, len(log) + 1))
    versions: dict[str, list[int]] = {}
    for event in log:
        versions.setdefault(event.aggregate_id, []).append(event.version)
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())

    # The read models kept through five kills equal a replay of the log from scratch.
    assert view_tables(data_dir / "views.db") == rebuilt_views(data_dir, tmp_path)
