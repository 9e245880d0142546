"""Which process runs the log's dispatchers.

With the embedded broker every process may run them: a message and the dispatcher's
position commit in one transaction, so two dispatchers never enqueue the same event
twice. With Redis they are two writes, so one process at a time holds a lease and runs
the dispatchers; the others wait to take over if it stops renewing.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

import structlog

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

log = structlog.get_logger(__name__)


class Lease(Protocol):
    def acquire(self) -> bool:
        """Take the lease, or renew it if held; False when another process holds it."""
        ...

    def release(self) -> None: ...


class Dispatcher(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


class DispatchLeader:
    """Starts fresh dispatchers while this process holds ``lease``; stops them when not.

    Without a lease (the embedded broker) the dispatchers simply run.
    """

    def __init__(
        self,
        make: Callable[[], Sequence[Dispatcher]],
        lease: Lease | None,
        *,
        check_seconds: float,
    ) -> None:
        self._make = make
        self._lease = lease
        self._check_seconds = check_seconds
        self._running: Sequence[Dispatcher] = ()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def leading(self) -> bool:
        return bool(self._running)

    def start(self) -> None:
        if self._lease is None:
            self._begin()
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="stoat-dispatch-leader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None
        self._end()

    def _run(self) -> None:
        assert self._lease is not None
        while not self._stopping.is_set():
            try:
                held = self._lease.acquire()
            except Exception:  # the lease store is down: stop dispatching, try again
                log.exception("dispatch_lease_failed")
                held = False
            if held and not self._running:
                log.info("dispatch_lease_taken")
                self._begin()
            elif not held and self._running:
                log.warning("dispatch_lease_lost")
                self._end()
            self._stopping.wait(self._check_seconds)
        try:
            self._lease.release()
        except Exception:
            log.exception("dispatch_lease_release_failed")

    def _begin(self) -> None:
        self._running = self._make()
        for dispatcher in self._running:
            dispatcher.start()

    def _end(self) -> None:
        running, self._running = self._running, ()
        for dispatcher in running:
            dispatcher.stop()
