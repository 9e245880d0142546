"""Scale-out jobs: dramatiq's Redis broker, with the dispatchers' positions and lease.

dramatiq's ``RedisBroker`` does the queueing: acks, delays, and moving the messages of a
worker whose heartbeat stopped back to their queue. This adds what the log's dispatchers
need of a broker (see ``dispatcher``): a tracking position per dispatcher, kept in Redis,
and the lease that lets one process at a time run the dispatchers.

Enqueue and position are two writes, not one transaction as with the embedded broker,
so a dispatcher that dies between them enqueues that batch again on the next start:
at-least-once. The actors are idempotent (a render checks its job's events first and
appends with an expected version), so a duplicate message is harmless.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any, Final

from dramatiq.brokers.redis import RedisBroker

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dramatiq import Message

# Renew the lease only while holding it; give it up only while holding it.
_RENEW: Final = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE: Final = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""
# A position moves forward only, and only for the lease holder.
_TRACK: Final = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then
    return -1
end
local current = tonumber(redis.call('hget', KEYS[2], ARGV[2]) or '0')
if tonumber(ARGV[3]) > current then
    redis.call('hset', KEYS[2], ARGV[2], ARGV[3])
end
return 1
"""


class LeaseLostError(RuntimeError):
    """This process no longer holds the dispatch lease: another one dispatches now."""


class RedisLease:
    """A lease on one name in Redis: ``SET NX PX`` to take it, a token to renew it."""

    def __init__(self, broker: RedisJobBroker, key: str, ttl_seconds: float) -> None:
        self._client = broker.client
        self.key = key
        self.token = secrets.token_hex(16)
        self._ttl_ms = max(1, round(ttl_seconds * 1000))
        self._renew = self._client.register_script(_RENEW)
        self._release = self._client.register_script(_RELEASE)

    def acquire(self) -> bool:
        """Take the lease if nobody holds it (or renew it if we do)."""
        if self.renew():
            return True
        return bool(self._client.set(self.key, self.token, nx=True, px=self._ttl_ms))

    def renew(self) -> bool:
        return bool(self._renew(keys=[self.key], args=[self.token, self._ttl_ms]))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.token])


class RedisJobBroker(RedisBroker):
    """dramatiq's Redis broker plus tracking positions and a dispatch lease.

    Parameters:
      url: The Redis URL (``redis://host:port/db``).
      namespace: The prefix of every key, dramatiq's and ours.
      lease_seconds: How long a silent worker keeps its messages (dramatiq's heartbeat
        timeout) and how long a silent dispatcher keeps the dispatch lease.
    """

    def __init__(self, url: str, *, namespace: str = "stoat", lease_seconds: float = 30.0) -> None:
        super().__init__(  # type: ignore[no-untyped-call]
            url=url,
            namespace=namespace,
            heartbeat_timeout=max(1000, round(lease_seconds * 1000)),
            # Redelivery of a dead worker's messages happens during "maintenance", which
            # runs on this share of commands (of a million): often enough that an idle
            # queue notices a dead worker within a few polls.
            maintenance_chance=100_000,
        )
        self.lease_seconds = lease_seconds
        self._positions_key = f"{namespace}:__stoat_positions__"
        self._lease_key = f"{namespace}:__stoat_dispatch_lease__"
        self._track = self.client.register_script(_TRACK)
        self.lease = RedisLease(self, self._lease_key, lease_seconds)

    def enqueue_with_tracking(
        self, messages: Sequence[Message[Any]], application_name: str, notification_id: int
    ) -> None:
        """Enqueue ``messages``, then record ``notification_id`` for ``application_name``.

        Skips a batch the recorded position already covers. Raises
        :class:`LeaseLostError` (after enqueueing) when another process has taken the
        dispatch lease, so this dispatcher stops.
        """
        if notification_id <= (self.max_tracking_id(application_name) or 0):
            return
        for message in messages:
            eta = message.options.get("eta")
            if message.queue_name.endswith(".DQ") and eta is not None:
                # A delayed message, addressed as the embedded broker stores them.
                base = message.copy(queue_name=message.queue_name.removesuffix(".DQ"))
                self.enqueue(base, delay=max(0, int(eta) - int(time.time() * 1000)))
            else:
                self.enqueue(message)
        held = self._track(
            keys=[self._lease_key, self._positions_key],
            args=[self.lease.token, application_name, notification_id],
        )
        if held != 1:
            raise LeaseLostError(self._lease_key)

    def max_tracking_id(self, application_name: str) -> int | None:
        value = self.client.hget(self._positions_key, application_name)
        return None if value is None else int(value)

    def queue_depth(self, queue_name: str) -> int:
        """Messages of the queue and its delay queue not yet acked nor dead-lettered."""
        return int(self.do_qsize(queue_name))
