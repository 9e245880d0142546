"""Running FFmpeg: an argument vector (never a shell), progress from ``-progress pipe:1``.

Progress lines arrive on stdout as ``key=value``; stderr is kept as a bounded tail for
failure reports. The Rust core turns ``out_time_us`` into a fraction and an ETA.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import structlog

from stoat._core import progress as core_progress
from stoat.observability.metrics import FFMPEG_ACTIVE

if TYPE_CHECKING:
    from collections.abc import Sequence

STDERR_TAIL_LINES = 40
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None

log = structlog.get_logger(__name__)


class ProgressSink(Protocol):
    def __call__(self, fraction: float, eta_seconds: float | None) -> None: ...


@dataclass(frozen=True)
class FfmpegResult:
    returncode: int
    stderr_tail: str
    timed_out: bool
    elapsed_seconds: float


def run_ffmpeg(
    argv: Sequence[str],
    *,
    total_us: int,
    on_progress: ProgressSink,
    timeout_seconds: float,
    cancelled: threading.Event | None = None,
) -> FfmpegResult:
    """Runs ``argv`` to completion, a timeout, or cancellation; never raises on failure."""
    log.debug("ffmpeg_argv", argv=list(argv))
    started = time.monotonic()
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    with (
        FFMPEG_ACTIVE.track_inprogress(),
        subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_worker if _LIBC is not None else None,  # noqa: PLW1509
        ) as process,
    ):
        reader = threading.Thread(target=_drain, args=(process.stderr, tail), daemon=True)
        reader.start()
        deadline = started + timeout_seconds
        stop = cancelled or threading.Event()
        threading.Thread(target=_watch, args=(process, deadline, stop), daemon=True).start()
        assert process.stdout is not None
        for raw in process.stdout:
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            if key == "out_time_us" and value.lstrip("-").isdigit():
                elapsed_us = int((time.monotonic() - started) * 1_000_000)
                fraction, eta = core_progress(max(int(value), 0), total_us, elapsed_us)
                on_progress(fraction, eta)
        returncode = process.wait()
        reader.join()
    elapsed = time.monotonic() - started
    timed_out = returncode != 0 and elapsed >= timeout_seconds
    return FfmpegResult(returncode, "\n".join(tail), timed_out, elapsed)


def _die_with_worker() -> None:
    # In the child, before exec: SIGKILL FFmpeg when the thread that started it ends.
    # That thread waits for FFmpeg, so this fires only when the worker dies (kill -9):
    # an orphan would go on writing the partial file that the retry writes too.
    assert _LIBC is not None
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _drain(stream: object, tail: deque[str]) -> None:
    for raw in stream:  # type: ignore[attr-defined]
        tail.append(raw.decode(errors="replace").rstrip())


def _watch(process: subprocess.Popen[bytes], deadline: float, cancelled: threading.Event) -> None:
    while process.poll() is None:
        if cancelled.wait(0.1) or time.monotonic() >= deadline:
            process.kill()
            return
