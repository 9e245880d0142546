"""Following the application log from a tracked position, in a background thread.

Used by the projection runner (views) and the job dispatcher (broker messages). Each
catches up in batches with ``select_notifications`` (fast, one transaction a batch),
then follows new events with the recorder's ``subscribe()``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from eventsourcing.persistence import ApplicationRecorder, Notification, Subscription

log = structlog.get_logger(__name__)

RETRY_SECONDS = 1.0


class LogFollower:
    """Hands every notification after ``position()`` to ``handle``, exactly in order.

    ``handle`` must record its own tracking position atomically with its effects, and
    ``position()`` must read it back, so a restart resumes exactly where it stopped.

    A follower that is only needed now and then (the SSE broadcaster) passes ``wanted``:
    its ``handle`` returns False when nobody needs the events any more, and the thread
    then stops reading the log and blocks in ``wanted()`` until it is needed again (True)
    or must stop (False). Without ``wanted``, what ``handle`` returns is ignored.
    """

    def __init__(
        self,
        name: str,
        recorder: ApplicationRecorder,
        *,
        position: Callable[[], int],
        handle: Callable[[Sequence[Notification]], bool | None],
        topics: Sequence[str] = (),
        batch_size: int = 500,
        wanted: Callable[[], bool] | None = None,
    ) -> None:
        self.name = name
        self._recorder = recorder
        self._position = position
        self._handle = handle
        self._topics = tuple(topics)
        self._batch_size = batch_size
        self._wanted = wanted
        self._stopping = threading.Event()
        self._subscription: Subscription[ApplicationRecorder] | None = None
        self._thread: threading.Thread | None = None

    def catch_up(self) -> int:
        """Processes everything already in the log; returns how many events it handled."""
        return self._catch_up()[0]

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stops the thread; one blocked in ``wanted()`` must be woken by its owner."""
        self._stopping.set()
        if self._subscription is not None:
            self._subscription.stop()
        if self._thread is not None:
            self._thread.join(timeout)

    def _catch_up(self) -> tuple[int, bool]:
        """Everything already in the log: how many events, and whether still wanted."""
        handled = 0
        while not self._stopping.is_set():
            batch = self._recorder.select_notifications(
                start=self._position() + 1, limit=self._batch_size, topics=self._topics
            )
            if not batch:
                break
            handled += len(batch)
            if not self._handled(batch):
                return handled, False
        return handled, True

    def _follow_on(self, notification: Notification) -> bool:
        """Handles ``notification`` and what came after it; False when no longer wanted."""
        return self._handled([notification]) and self._catch_up()[1]

    def _handled(self, batch: Sequence[Notification]) -> bool:
        """Hands ``batch`` on; False when the follower is no longer wanted."""
        return self._handle(batch) is not False or self._wanted is None

    def _run(self) -> None:
        while not self._stopping.is_set():
            if self._wanted is not None and not self._wanted():
                return
            try:
                self._follow()
            except Exception:
                log.exception("log_follower_failed", follower=self.name)
                self._stopping.wait(RETRY_SECONDS)

    def _follow(self) -> None:
        if not self._catch_up()[1]:
            return
        subscription = self._recorder.subscribe(gt=self._position(), topics=self._topics)
        self._subscription = subscription
        with subscription:
            if self._stopping.is_set():
                return
            for notification in subscription:
                # Under load many events wait behind this one: take them all in one
                # batch (one transaction) and skip them when the subscription yields them.
                if notification.id > self._position() and not self._follow_on(notification):
                    return
                if self._stopping.is_set():
                    return
