"""Fan-out of new log events to live subscribers (SSE), from one follower thread.

A subscriber registers a queue, then reads the backlog from the store, then drains the
queue, skipping what the backlog already gave: no gap and no duplicate.
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
    """Follows the log from its head and hands each event to every live subscriber."""

    def __init__(self, recorder: ApplicationRecorder, mapper: Mapper[Any]) -> None:
        self._mapper = mapper
        self._subscribers: set[_Subscriber] = set()
        self._lock = threading.Lock()
        self._position = recorder.max_notification_id() or 0
        self._follower = LogFollower(
            "stoat-broadcast", recorder, position=lambda: self._position, handle=self._handle
        )

    def start(self) -> None:
        self._follower.start()

    def stop(self) -> None:
        self._follower.stop()

    def subscribe(self) -> _Subscriber:
        subscriber = _Subscriber(asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: _Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def _handle(self, notifications: Sequence[Notification]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        self._position = notifications[-1].id
        if not subscribers:
            return  # nobody is listening: don't decode what no one will read
        documents = [event_document(n.id, self._mapper.to_domain_event(n)) for n in notifications]
        for subscriber in subscribers:
            subscriber.offer(documents)


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
