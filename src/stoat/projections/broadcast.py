"""Fan-out of new log events to live subscribers (SSE), from one follower thread.

A subscriber registers a queue, then reads the backlog from the store, then drains the
queue, skipping what the backlog already gave: no gap and no duplicate.

The thread follows the log only while someone listens. Following costs a wake-up and a
read of the log for every commit, and most of the time no one listens; so it starts
with the first subscriber and goes quiet after the last one leaves. When it picks up
again, it starts from the head of the log as read while the new subscriber registers,
which that subscriber's backlog read (made after) covers.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

from stoat.projections.event_json import event_document
from stoat.projections.follower import LogFollower

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

QUEUE_LIMIT = 10_000


class Broadcaster:
    """Follows the log, while anyone subscribes, and hands each event to every subscriber."""

    def __init__(self, recorder: ApplicationRecorder, mapper: Mapper[Any]) -> None:
        self._recorder = recorder
        self._mapper = mapper
        self._subscribers: set[_Subscriber] = set()
        # Guards the subscribers, the position while the thread is quiet, and the state.
        self._state = threading.Condition(threading.Lock())
        self._position = 0
        self._following = False
        self._stopping = False
        self._follower = LogFollower(
            "stoat-broadcast",
            recorder,
            position=lambda: self._position,
            handle=self._deliver,
            wanted=self._wait_for_subscribers,
        )
        self._started = False

    @property
    def following(self) -> bool:
        """Whether the thread follows the log now (someone listened at its last event)."""
        with self._state:
            return self._following

    def stop(self, timeout: float = 10.0) -> None:
        with self._state:
            self._stopping = True
            self._state.notify_all()
        self._follower.stop(timeout)

    def subscribe(self) -> _Subscriber:
        subscriber = _Subscriber(asyncio.get_running_loop())
        with self._state:
            if not self._following:
                # Quiet: resume from the head as it is now, before the subscriber reads
                # its backlog. (One short read, once per stream that wakes the thread.)
                self._position = self._recorder.max_notification_id() or 0
                self._following = True
                self._state.notify_all()
            self._subscribers.add(subscriber)
            if not self._started:
                self._started = True
                self._follower.start()
        return subscriber

    def unsubscribe(self, subscriber: _Subscriber) -> None:
        with self._state:
            self._subscribers.discard(subscriber)

    def _wait_for_subscribers(self) -> bool:
        with self._state:
            while not self._following and not self._stopping:
                self._state.wait()
            return not self._stopping

    def _deliver(self, notifications: Sequence[Notification]) -> bool:
        """Hands ``notifications`` on; False (and quiet) once nobody listens."""
        with self._state:
            subscribers = list(self._subscribers)
            self._position = notifications[-1].id
            if not subscribers:
                self._following = False
                return False
        documents = [event_document(n.id, self._mapper.to_domain_event(n)) for n in notifications]
        for subscriber in subscribers:
            subscriber.offer(documents)
        return True


class _Subscriber:
    """An asyncio queue fed from the follower thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False

    def offer(self, documents: list[dict[str, Any]]) -> None:
        self.loop.call_soon_threadsafe(self._put, documents)

    def _put(self, documents: list[dict[str, Any]]) -> None:
        for document in documents:
            try:
                self.queue.put_nowait(document)
            except asyncio.QueueFull:
                # A consumer this slow is cut off; it resumes with Last-Event-ID.
                self.overflowed = True
                return
