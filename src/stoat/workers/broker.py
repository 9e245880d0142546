"""A durable dramatiq broker on an SQLite file (apsw): Stoat's embedded default.

Messages are rows. A consumer *leases* a row (``lease_until``) when it claims it; a
heartbeat thread extends the leases this process holds every third of the lease, so a
live worker keeps its messages however long they run, and a dead one (kill -9, power
loss) lets them run out, after which any consumer claims them again. Each delivery
bumps the row's ``attempts``, exposed to actors as ``message.options["attempts"]`` (read
it through dramatiq's ``CurrentMessage`` middleware; a requeued, never processed delivery
does not count). Ack, nack and requeue are fenced by the number of the claim, so a
consumer whose lease ran out cannot settle the delivery that replaced it.

Delayed messages follow dramatiq's convention: they go to ``<queue>.DQ`` with an
``eta`` option, and the database does not hand them out before their eta; the worker
then moves them to ``<queue>``. Rejected messages stay in the file as dead letters
(dramatiq's ``<queue>.XQ``), with the reason.

:meth:`ApswBroker.enqueue_with_tracking` commits messages together with a log
follower's tracking position, which makes enqueueing from the event log exactly-once.
See docs/adr/0003-embedded-broker.md.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

import apsw
from dramatiq import Message
from dramatiq.broker import Broker
from dramatiq.common import current_millis, dq_name, q_name
from dramatiq.errors import DecodeError, QueueJoinTimeout

from stoat.workers._broker_consumer import ApswConsumer, ApswMessageProxy, Heartbeat, LeaseTable
from stoat.workers._broker_messages import (
    ATTEMPTS_OPTION,
    busy_as_connection_error,
    encode,
    failure_reason,
    queue_not_found,
    warn_lease_lost,
)
from stoat.workers._broker_store import Lease, NewMessage, Store

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dramatiq.middleware import Middleware

logger = logging.getLogger("stoat.workers.broker")


@dataclasses.dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message rejected by a worker, kept in the database for inspection."""

    row_id: int
    queue_name: str
    data: bytes
    attempts: int
    reason: str
    dead_at: int
    """Wall-clock milliseconds."""

    @property
    def message(self) -> Message[Any]:
        """The message as it was when rejected (``retries`` and ``traceback`` included)."""
        return Message.decode(self.data)


class ApswBroker(Broker):
    """A dramatiq broker storing its messages in an SQLite database file.

    Several processes may share the file: claiming is one ``BEGIN IMMEDIATE``
    transaction, so no two consumers ever hold the same message. Stop the dramatiq
    ``Worker`` before calling :meth:`close`.

    Parameters:
      path: The database file; created, and switched to WAL mode, if need be.
      middleware: As for :class:`dramatiq.broker.Broker`.
      lease_seconds: How long a claimed message stays invisible to other consumers
        without a heartbeat; it is how long a crashed worker's messages wait.
      synchronous: SQLite's ``PRAGMA synchronous``: ``FULL`` (default) survives power
        loss; ``NORMAL`` may lose the last transactions on power loss but not on a crash.
      poll_interval: Seconds between checks for messages enqueued by other processes
        (messages from this process wake consumers at once).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        middleware: list[Middleware] | None = None,
        lease_seconds: float = 30.0,
        synchronous: str = "FULL",
        poll_interval: float = 0.1,
    ) -> None:
        if lease_seconds <= 0:
            msg = f"lease_seconds must be positive, not {lease_seconds!r}"
            raise ValueError(msg)
        if poll_interval <= 0:
            msg = f"poll_interval must be positive, not {poll_interval!r}"
            raise ValueError(msg)
        super().__init__(middleware=middleware)
        self.queues: set[str] = set()
        self.path = os.fspath(path)
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self._lease_ms = round(lease_seconds * 1000)
        self._store = Store(self.path, synchronous=synchronous.upper())
        self._leases = LeaseTable()
        self._changed = threading.Condition()
        self._changes = 0
        self._heartbeat: Heartbeat | None = None
        self._heartbeat_lock = threading.Lock()
        self._closed = False

    # -- dramatiq's Broker interface ----------------------------------------------------

    def close(self) -> None:
        """Stop the heartbeat and close the database connections.

        Messages still leased run out after ``lease_seconds`` and are delivered again.
        """
        with self._heartbeat_lock:
            if self._closed:
                return
            self._closed = True
            heartbeat, self._heartbeat = self._heartbeat, None
        if heartbeat is not None:
            heartbeat.stop()
        self._store.close()
        self._notify()

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 30000) -> ApswConsumer:
        """Consume ``queue_name`` (or its ``.DQ``), leasing up to ``prefetch`` messages.

        Raises:
          QueueNotFound: If the queue was never declared.
        """
        if queue_name not in self.queues and queue_name not in self.delay_queues:
            raise queue_not_found(queue_name)
        self._start_heartbeat()
        return ApswConsumer(self, queue_name, prefetch, timeout)

    def declare_queue(self, queue_name: str) -> None:
        """Declare ``queue_name`` and its delay queue; idempotent."""
        if queue_name in self.queues:
            return
        self.emit_before("declare_queue", queue_name)
        self.queues.add(queue_name)
        self.emit_after("declare_queue", queue_name)

        delayed_name = dq_name(queue_name)
        self.delay_queues.add(delayed_name)
        self.emit_after("declare_delay_queue", delayed_name)

    def enqueue(self, message: Message[Any], *, delay: int | None = None) -> Message[Any]:
        """Store ``message``; with ``delay`` (ms), on the delay queue, not due before then.

        Raises:
          QueueNotFound: If the message's queue was never declared.
        """
        message, row = self._prepare(message, delay)
        self.emit_before("enqueue", message, delay)
        with self._store.write() as cursor:
            self._store.insert(cursor, [row], current_millis())
        self._notify()
        self.emit_after("enqueue", message, delay)
        return message

    def get_declared_queues(self) -> set[str]:
        return self.queues.copy()

    def flush(self, queue_name: str) -> None:
        """Drop every message of a queue and its delay queue, dead letters included."""
        self._store.flush((q_name(queue_name), dq_name(queue_name)))
        self._notify()

    def flush_all(self) -> None:
        """Drop every message of every declared queue."""
        for queue_name in self.get_declared_queues():
            self.flush(queue_name)

    def join(self, queue_name: str, *, timeout: int | None = None) -> None:
        """Wait until no message of the queue (or its delay queue) is left unacked.

        Dead letters do not count. Meant for tests.

        Raises:
          QueueNotFound: If the queue was never declared.
          QueueJoinTimeout: When ``timeout`` (ms) elapses first.
        """
        names = self._names(queue_name)
        deadline = None if timeout is None else time.monotonic() + timeout / 1000
        while True:
            generation = self._generation()
            if self._store.count_live(names) == 0:
                return
            wait = self.poll_interval
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueueJoinTimeout(queue_name)  # type: ignore[no-untyped-call]
                wait = min(wait, remaining)
            self._wait_for_change(generation, wait)

    # -- exactly-once enqueue from a log follower ---------------------------------------

    def enqueue_with_tracking(
        self, messages: Sequence[Message[Any]], application_name: str, notification_id: int
    ) -> None:
        """Enqueue ``messages`` and record ``notification_id`` in one transaction.

        A follower of the event log calls this once per notification it has turned into
        messages (possibly none). If ``notification_id`` is not past the position
        recorded for ``application_name`` the call inserts nothing, so replaying the log
        after a crash never enqueues a message twice. Middleware sees each message in
        ``before_enqueue``, and in ``after_enqueue`` once committed.

        Raises:
          QueueNotFound: If a message's queue was never declared; nothing is stored.
        """
        prepared = [self._prepare(message, None) for message in messages]
        for message, _ in prepared:
            self.emit_before("enqueue", message, None)
        rows = [row for _, row in prepared]
        if not self._store.insert_tracked(
            rows, application_name, notification_id, current_millis()
        ):
            return
        self._notify()
        for message, _ in prepared:
            self.emit_after("enqueue", message, None)

    def max_tracking_id(self, application_name: str) -> int | None:
        """The last notification id recorded for ``application_name``, if any."""
        return self._store.max_tracking_id(application_name)

    # -- introspection ------------------------------------------------------------------

    def queue_depth(self, queue_name: str) -> int:
        """Messages of the queue and its delay queue not yet acked nor dead-lettered."""
        return self._store.count_live(self._names(queue_name))

    def dead_letters(self, queue_name: str) -> list[DeadLetter]:
        """Messages of the queue (or its delay queue) that were rejected, oldest first."""
        return [DeadLetter(*row) for row in self._store.dead(self._names(queue_name))]

    # -- used by ApswConsumer -----------------------------------------------------------

    def _claim(self, consumer: ApswConsumer, limit: int) -> list[ApswMessageProxy]:
        now = current_millis()
        try:
            rows = self._store.claim(consumer.queue_name, limit, now, now + self._lease_ms)
        except apsw.BusyError:
            logger.warning("Database busy; no messages claimed from %r.", consumer.queue_name)
            return []
        consumer._claimed(len(rows))
        proxies = []
        for row in rows:
            lease = Lease(row.row_id, row.claim)
            self._leases.add(lease, consumer)
            try:
                message = Message.decode(row.data)
            except DecodeError as error:
                logger.exception("Dead-lettering undecodable message row %d.", row.row_id)
                self._leases.release(lease)
                self._store.nack(lease, reason=f"undecodable: {error}", data=row.data, now=now)
                continue
            message.options[ATTEMPTS_OPTION] = row.attempts
            proxies.append(ApswMessageProxy(message, lease=lease, owner=consumer))
        return proxies

    def _ack(self, message: ApswMessageProxy) -> None:
        self._leases.release(message.lease)
        with busy_as_connection_error():
            done = self._store.ack(message.lease)
        self._notify()
        if not done:
            warn_lease_lost(message, "acked")

    def _nack(self, message: ApswMessageProxy) -> None:
        self._leases.release(message.lease)
        reason, data = failure_reason(message), encode(message)
        with busy_as_connection_error():
            done = self._store.nack(message.lease, reason=reason, data=data, now=current_millis())
        self._notify()
        if not done:
            warn_lease_lost(message, "rejected")

    def _requeue(self, messages: Sequence[ApswMessageProxy]) -> None:
        if not messages:
            return
        for message in messages:
            self._leases.release(message.lease)
        with busy_as_connection_error():
            self._store.requeue([message.lease for message in messages])
        self._notify()

    def _generation(self) -> int:
        with self._changed:
            return self._changes

    def _wait_for_change(self, generation: int, timeout: float) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._changes != generation, timeout)

    # -- internals ----------------------------------------------------------------------

    def _notify(self) -> None:
        with self._changed:
            self._changes += 1
            self._changed.notify_all()

    def _names(self, queue_name: str) -> tuple[str, str]:
        canonical = q_name(queue_name)
        if canonical not in self.queues:
            raise queue_not_found(queue_name)
        return canonical, dq_name(canonical)

    def _prepare(self, message: Message[Any], delay: int | None) -> tuple[Message[Any], NewMessage]:
        queue_name = message.queue_name
        if delay is not None:
            queue_name = dq_name(queue_name)
            eta = current_millis() + delay
            message = message.copy(queue_name=queue_name, options={"eta": eta})
        elif queue_name in self.delay_queues:
            eta = int(message.options.get("eta") or 0)
        else:
            eta = 0
        if queue_name not in self.queues and queue_name not in self.delay_queues:
            raise queue_not_found(queue_name)
        data = encode(message)
        return message, NewMessage(queue_name, message.message_id, message.actor_name, data, eta)

    def _start_heartbeat(self) -> None:
        with self._heartbeat_lock:
            if self._heartbeat is None and not self._closed:
                self._heartbeat = Heartbeat(self._beat, self.lease_seconds / 3)
                self._heartbeat.start()

    def _beat(self) -> None:
        leases = self._leases.snapshot()
        if not leases:
            return
        try:
            lost = self._store.extend(leases, current_millis() + self._lease_ms)
        except apsw.BusyError:
            logger.warning("Database busy; %d leases not extended this time.", len(leases))
            return
        for lease in lost:
            # Settling a message releases its lease before touching the row, so a lease
            # still held here was taken from us, not acked.
            if self._leases.holds(lease):
                self._leases.release(lease)
                logger.warning(
                    "Lost the lease on message row %d (claim %d): it ran out and the "
                    "message was claimed again.",
                    *lease,
                )


__all__ = ["ATTEMPTS_OPTION", "ApswBroker", "ApswMessageProxy", "DeadLetter"]
