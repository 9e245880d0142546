"""Consumers, message proxies, the lease table and the heartbeat of ``ApswBroker``."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from dramatiq.broker import Consumer, MessageProxy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from dramatiq import Message

    from stoat.workers._broker_store import Lease
    from stoat.workers.broker import ApswBroker

logger = logging.getLogger("stoat.workers.broker")


class ApswMessageProxy(MessageProxy):
    """A delivered message, with the lease that fences its ack, nack and requeue."""

    def __init__(self, message: Message[Any], *, lease: Lease, owner: ApswConsumer) -> None:
        super().__init__(message)
        self.lease = lease
        self.owner = owner


class ApswConsumer(Consumer):
    """Leases messages of one queue off the broker's database.

    ``__next__`` runs on one consumer thread; ``ack``, ``nack`` and ``requeue`` may come
    from dramatiq's worker threads, so the count of outstanding messages is locked.
    """

    def __init__(self, broker: ApswBroker, queue_name: str, prefetch: int, timeout: int) -> None:
        self.broker = broker
        self.queue_name = queue_name
        self.prefetch = max(1, prefetch)
        self.timeout = timeout
        self._buffer: deque[ApswMessageProxy] = deque()
        self._lock = threading.Lock()
        # Claimed by this consumer and not yet acked, nacked or requeued (buffered
        # messages included): what prefetch limits.
        self._outstanding = 0

    def __next__(self) -> MessageProxy | None:
        deadline = time.monotonic() + self.timeout / 1000
        while True:
            if self._buffer:
                return self._buffer.popleft()
            generation = self.broker._generation()
            with self._lock:
                room = self.prefetch - self._outstanding
            if room > 0:
                claimed = self.broker._claim(self, room)
                if claimed:
                    self._buffer.extend(claimed)
                    continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.broker._wait_for_change(generation, min(self.broker.poll_interval, remaining))

    def ack(self, message: MessageProxy) -> None:
        self.broker._ack(_ours(message))

    def nack(self, message: MessageProxy) -> None:
        self.broker._nack(_ours(message))

    def requeue(self, messages: Iterable[MessageProxy]) -> None:
        self.broker._requeue([_ours(message) for message in messages])

    def close(self) -> None:
        """Give back the messages claimed but never handed to dramatiq."""
        buffered = list(self._buffer)
        self._buffer.clear()
        if buffered:
            self.broker._requeue(buffered)

    def _claimed(self, count: int) -> None:
        with self._lock:
            self._outstanding += count

    def _released(self) -> None:
        with self._lock:
            self._outstanding -= 1


def _ours(message: MessageProxy) -> ApswMessageProxy:
    if not isinstance(message, ApswMessageProxy):
        msg = f"ApswBroker consumers only settle their own messages, not {message!r}"
        raise TypeError(msg)
    return message


class LeaseTable:
    """The leases this process holds, which the heartbeat keeps extending.

    A lease leaves the table *before* its row is acked, nacked or requeued, so a lease
    the heartbeat finds gone from the database while still in the table was truly lost:
    it ran out and another consumer claimed the message again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[Lease, ApswConsumer] = {}

    def add(self, lease: Lease, owner: ApswConsumer) -> None:
        with self._lock:
            self._held[lease] = owner

    def release(self, lease: Lease) -> None:
        with self._lock:
            owner = self._held.pop(lease, None)
        if owner is not None:
            owner._released()

    def snapshot(self) -> list[Lease]:
        with self._lock:
            return list(self._held)

    def holds(self, lease: Lease) -> bool:
        with self._lock:
            return lease in self._held


class Heartbeat(threading.Thread):
    """Calls ``beat`` every ``interval`` seconds until stopped; survives its errors."""

    def __init__(self, beat: Callable[[], None], interval: float) -> None:
        super().__init__(name="stoat-broker-heartbeat", daemon=True)
        self._beat = beat
        self._interval = interval
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self._interval):
            try:
                self._beat()
            except Exception:
                logger.exception("Broker heartbeat failed; will try again.")

    def stop(self) -> None:
        self._halt.set()
        if self.is_alive():
            self.join()
