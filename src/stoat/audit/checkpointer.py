"""The background thread that signs the chain head, by event count and by time.

It wakes on this process's commits (and polls for other processes'), at most
:data:`MIN_CHECK_SECONDS` apart, and signs when ``every_events`` events follow the last
checkpoint, or when ``every_seconds`` have passed since it last signed and any event
has arrived. An idle log gets no checkpoints: a checkpoint is an event itself, and the
count leaves it out.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Final

import structlog

from stoat.audit.checkpoint import chain_recorder, last_checkpoint, sign_checkpoint

if TYPE_CHECKING:
    from stoat.audit.signing import ServiceKey
    from stoat.commands.application import StoatApplication

MIN_CHECK_SECONDS: Final = 0.05
POLL_SECONDS: Final = 1.0

log = structlog.get_logger(__name__)


class Checkpointer:
    """Signs checkpoints in a daemon thread until :meth:`stop`."""

    def __init__(
        self,
        app: StoatApplication,
        key: ServiceKey,
        *,
        every_events: int,
        every_seconds: float,
    ) -> None:
        self._app = app
        self._key = key
        self._every_events = every_events
        self._every_seconds = every_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.signed = 0
        """Checkpoints this thread has made (for tests and diagnostics)."""

    @property
    def enabled(self) -> bool:
        return self._every_events > 0 or self._every_seconds > 0

    def start(self) -> None:
        if not self.enabled or self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="stoat-checkpointer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        chain_recorder(self._app).wake_waiters()
        thread.join(timeout)

    def _run(self) -> None:
        chain = chain_recorder(self._app)
        latest = last_checkpoint(self._app)
        covered = latest["recorded_at"] if latest else 0
        last_signed = time.monotonic()
        while not self._stopping.is_set():
            generation = chain.commit_generation
            try:
                head = chain.max_notification_id() or 0
                if self._due(head - covered, time.monotonic() - last_signed):
                    checkpoint, made = sign_checkpoint(self._app, self._key)
                    covered = checkpoint["recorded_at"]
                    last_signed = time.monotonic()
                    self.signed += made
            except Exception:  # keep signing later: the store may recover
                log.exception("checkpoint_failed")
            chain.wait_for_commit(generation, self._pause(time.monotonic() - last_signed))
            self._stopping.wait(MIN_CHECK_SECONDS)

    def _due(self, new_events: int, elapsed: float) -> bool:
        if new_events <= 0:
            return False
        if 0 < self._every_events <= new_events:
            return True
        return 0 < self._every_seconds <= elapsed

    def _pause(self, elapsed: float) -> float:
        if self._every_seconds > 0:
            return max(MIN_CHECK_SECONDS, min(POLL_SECONDS, self._every_seconds - elapsed))
        return POLL_SECONDS
