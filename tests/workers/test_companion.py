"""The companion process's protocol: nudges and the stop word on its stdin, restarts."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TYPE_CHECKING

from stoat.workers.companion import (
    COMMITTED,
    PROGRESSED,
    STOP_WORD,
    Companion,
    follow_parent,
    progress_reporter,
)

if TYPE_CHECKING:
    from pathlib import Path


def _eventually(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_the_child_hears_nudges_then_stops_on_the_stop_word() -> None:
    read, write = os.pipe()
    stopping, nudges, orphaned = threading.Event(), [], []
    child = threading.Thread(
        target=follow_parent,
        args=(read, stopping, lambda: nudges.append(1), lambda: orphaned.append(1)),
    )
    child.start()
    os.write(write, COMMITTED * 2)
    _eventually(lambda: nudges)
    # The stop word may arrive in pieces, with nudges between them.
    os.write(write, STOP_WORD[:2] + COMMITTED)
    os.write(write, STOP_WORD[2:])
    child.join(10)
    assert stopping.is_set()
    assert not orphaned
    os.close(read)
    os.close(write)


def test_the_end_of_stdin_without_the_stop_word_means_the_parent_died() -> None:
    read, write = os.pipe()
    stopping, orphaned = threading.Event(), []
    child = threading.Thread(
        target=follow_parent, args=(read, stopping, lambda: None, lambda: orphaned.append(1))
    )
    child.start()
    os.write(write, b"sto")
    os.close(write)
    child.join(10)
    assert orphaned == [1]
    assert not stopping.is_set()
    os.close(read)


def _running(companion: Companion) -> bool:
    # A call, not the property itself: mypy would keep the first assert's narrowing.
    return companion.running


def _recorder(path: Path) -> list[str]:
    """A child that writes everything its stdin receives to ``path``, then exits."""
    script = f"import sys; data = sys.stdin.buffer.read(); open({str(path)!r}, 'wb').write(data)"
    return [sys.executable, "-c", script]


def test_the_parent_nudges_and_stops_its_child(tmp_path: Path) -> None:
    received = tmp_path / "stdin"
    companion = Companion(_recorder(received), os.environ)
    companion.start()
    assert _running(companion)
    for _ in range(3):
        companion.nudge()
    companion.stop()
    assert not _running(companion)
    assert received.read_bytes() == COMMITTED * 3 + STOP_WORD
    assert companion.restarts == 0


def test_a_child_that_exits_is_started_again(tmp_path: Path) -> None:
    exits: list[int] = []
    command = [sys.executable, "-c", "pass"]
    companion = Companion(command, os.environ, on_exit=exits.append)
    companion.start()
    try:
        _eventually(lambda: companion.restarts >= 1)
        assert len(exits) >= 1
    finally:
        companion.stop()
    assert not companion.running


def test_the_parent_hears_the_child_s_progress() -> None:
    # The child reports twice on the pipe named by the last argument, then waits for stop.
    script = (
        "import os, sys; fd = int(sys.argv[-1]); os.write(fd, b'v'); os.write(fd, b'v'); "
        "sys.stdin.buffer.read()"
    )
    heard: list[int] = []
    companion = Companion(
        [sys.executable, "-c", script], os.environ, on_progress=lambda: heard.append(1)
    )
    companion.start()
    try:
        _eventually(lambda: heard)
    finally:
        companion.stop()
    assert companion.restarts == 0


def test_the_child_s_reporter_never_blocks_on_a_full_pipe() -> None:
    read, write = os.pipe()
    report = progress_reporter(write)
    for _ in range(100_000):  # far more than a pipe holds
        report()
    assert os.read(read, 1) == PROGRESSED
    os.close(read)
    os.close(write)
