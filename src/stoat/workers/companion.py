"""The companion process of ``stoat serve``: the read models and the jobs, beside the API.

A Python process runs one thread at a time. In one process, the API's handlers took
turns on that lock with the log followers (projections, dispatchers) that every commit
wakes, and 16 editing clients got about 550 edits/s with CPU to spare. So ``stoat
serve`` (with ``background=process``, the default) runs ``stoat background`` as a
child process and keeps only HTTP; ADR 0012 has the figures.

- The child runs in a session of its own, so a terminal's Ctrl-C reaches the parent
  only, and the parent decides when the child stops: it writes :data:`STOP_WORD` to the
  child's stdin (the child then stops as ``stoat worker`` does: jobs in flight finish
  or go back to the queue), and kills it if it has not exited within ``stop_seconds``.
- When the child's stdin ends without that word, the parent died (SIGKILL, a crash):
  the child kills its process group, itself and its FFmpeg processes, at once, as
  they would have died inside the parent. No orphan goes on projecting beside the
  next ``stoat serve``.
- A child that exits while the parent runs is logged and started again, after a pause
  that doubles from 1 s up to 30 s while it keeps failing soon after starting.
- :meth:`Companion.nudge` writes :data:`COMMITTED` to the child's stdin when a read
  with ``X-Stoat-After`` finds the read models behind, and the child's followers then
  read the log at once. Otherwise they look at ``PRAGMA data_version`` every 50 ms and
  take all that came meanwhile in one go: under a stream of edits nobody reads back,
  the child wakes 20 times a second, not once per commit.
- The child writes :data:`PROGRESSED` to a pipe of its own (``--progress-fd``) after
  each commit of the read models, and ``on_progress`` runs in the parent, which wakes
  the reads waiting for a position. So a read after an edit waits for one projection
  and two pipe hops.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from typing import IO, TYPE_CHECKING, Final

import structlog

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

log = structlog.get_logger(__name__)

STOP_WORD: Final = b"stop\n"
"""What the parent writes to the child's stdin to stop it."""
COMMITTED: Final = b"c"
"""What the parent writes to the child's stdin when a read waits for the read models:
the log has news, read it now. Never part of :data:`STOP_WORD`."""
PROGRESSED: Final = b"v"
"""What the child writes to its progress pipe after each commit of the read models."""

FIRST_PAUSE: Final = 1.0
LONGEST_PAUSE: Final = 30.0
STEADY_SECONDS: Final = 60.0
"""A child that ran this long before exiting is restarted after the first pause again."""


class Companion:
    """Starts ``command`` as a child process, restarts it if it exits, stops it on request."""

    def __init__(
        self,
        command: Sequence[str],
        env: Mapping[str, str],
        *,
        stop_seconds: float = 45.0,
        on_exit: Callable[[int], None] | None = None,
        on_progress: Callable[[], None] | None = None,
    ) -> None:
        self._command = list(command)
        self._env = dict(env)
        self._stop_seconds = stop_seconds
        self._on_exit = on_exit
        self._on_progress = on_progress
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        process = self._process
        return None if process is None else process.pid

    @property
    def running(self) -> bool:
        process = self._process
        return process is not None and process.poll() is None

    def start(self) -> None:
        with self._lock:
            self._process = self._spawn()
        self._thread = threading.Thread(target=self._supervise, name="stoat-companion", daemon=True)
        self._thread.start()

    def nudge(self) -> None:
        """Tell the child that the log has new events; never blocks, never raises.

        If the pipe is full the child has nudges it has not read yet, which is enough.
        """
        process = self._process
        if process is None or process.stdin is None:
            return
        # Full, or the child is gone (a new one reads the log when it starts).
        with contextlib.suppress(OSError, ValueError):
            os.write(process.stdin.fileno(), COMMITTED)

    def stop(self) -> None:
        """Says stop on the child's stdin and waits for it; kills it after ``stop_seconds``."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is None:
            return
        _tell(process.stdin, STOP_WORD)
        try:
            process.wait(self._stop_seconds)
        except subprocess.TimeoutExpired:
            log.warning("background_process_killed", pid=process.pid)
            process.kill()
            process.wait()
        if self._thread is not None:
            self._thread.join(5.0)

    def _spawn(self) -> subprocess.Popen[bytes]:
        # The child reports progress (PROGRESSED) on a pipe of its own, named by
        # ``--progress-fd``: its stdout and stderr stay the parent's, for its logs.
        progress, report = os.pipe()
        try:
            process = subprocess.Popen(
                [*self._command, "--progress-fd", str(report)],
                env=self._env,
                stdin=subprocess.PIPE,
                start_new_session=True,
                pass_fds=(report,),
            )
        except BaseException:
            os.close(progress)
            raise
        finally:
            os.close(report)
        assert process.stdin is not None
        # Nudges come from request threads, which must never wait for the child.
        os.set_blocking(process.stdin.fileno(), False)
        threading.Thread(
            target=self._relay_progress,
            args=(progress,),
            name="stoat-companion-progress",
            daemon=True,
        ).start()
        log.info("background_process_started", pid=process.pid)
        return process

    def _relay_progress(self, progress: int) -> None:
        """Calls ``on_progress`` for what the child reports, until it exits."""
        try:
            while os.read(progress, 4096):
                if self._on_progress is not None:
                    _run_logged(self._on_progress)
        finally:
            os.close(progress)

    def _supervise(self) -> None:
        pause = FIRST_PAUSE
        while True:
            with self._lock:
                process = self._process
            assert process is not None
            started = time.monotonic()
            code = process.wait()
            _close(process.stdin)
            if self._on_exit is not None:
                self._on_exit(process.pid)
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= STEADY_SECONDS:
                pause = FIRST_PAUSE
            log.error("background_process_exited", pid=process.pid, code=code, restart_in=pause)
            if self._stopping.wait(pause):
                return
            pause = min(pause * 2, LONGEST_PAUSE)
            with self._lock:
                if self._stopping.is_set():
                    return
                self._process = self._spawn()
                self.restarts += 1


def _tell(stream: IO[bytes] | None, word: bytes, timeout: float = 5.0) -> None:
    """Write ``word`` to the non-blocking ``stream`` (retrying while the pipe is full),
    then close it."""
    deadline = time.monotonic() + timeout
    remaining = word
    while stream is not None and not stream.closed and remaining:
        try:
            remaining = remaining[os.write(stream.fileno(), remaining) :]
        except BlockingIOError:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        except (OSError, ValueError):
            break  # the child is gone: nothing to tell it
    _close(stream)


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None and not stream.closed:
        with contextlib.suppress(OSError):  # the child is gone: nothing to tell it
            stream.close()


def follow_parent(
    fd: int,
    stopping: threading.Event,
    nudged: Callable[[], None],
    orphaned: Callable[[], None] | None = None,
) -> None:
    """The child's side: reads what the parent writes to ``fd`` (its stdin).

    :data:`COMMITTED`: the log has new events (``nudged``). :data:`STOP_WORD`: stop as on
    SIGTERM (``stopping`` is set). End of file without it: the parent died, and
    ``orphaned`` runs; by default it kills this process group (this process and its
    FFmpeg children) at once, as they would have died inside the parent. The job
    leases bring their work back.
    """
    received = b""
    while chunk := os.read(fd, 4096):
        if COMMITTED in chunk:
            _run_logged(nudged)
            chunk = chunk.replace(COMMITTED, b"")
        received = (received + chunk)[-len(STOP_WORD) :]
        if received == STOP_WORD:
            stopping.set()
            return
    (orphaned or _die_with_parent)()


def _run_logged(callback: Callable[[], None]) -> None:
    # A failing callback must not end the pipe's reader, or the stop word and the
    # parent's death would go unheard.
    try:
        callback()
    except Exception:
        log.exception("companion_callback_failed")


def _die_with_parent() -> None:
    print("stoat: the serving process is gone; stopping at once", file=sys.stderr)
    os.killpg(os.getpgid(0), signal.SIGKILL)


def progress_reporter(fd: int) -> Callable[[], None]:
    """The child's side of ``--progress-fd``: a callable that tells the parent the read
    models moved on. Never blocks (a full pipe already holds news), never raises."""
    os.set_blocking(fd, False)

    def report() -> None:
        with contextlib.suppress(OSError):
            os.write(fd, PROGRESSED)

    return report
