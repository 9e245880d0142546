"""Group commit: the saves queued behind one commit share the next one.

At ``synchronous=FULL`` every commit costs an ``fdatasync`` of the WAL (100 to 250 µs
on our disks) against about 20 µs of SQL for a one-event save, so a process with many
writing threads is bound by the number of commits, not by the work in them. Here each
commit carries every save that queued while the previous one was syncing
(leader/follower group commit):

- A writer enqueues its *unit* (the statements of one save, as a callable taking the
  writer's cursor). If no group is in progress it becomes the *leader* at once, with no
  waiting for company; otherwise it sleeps until its unit is done.
- The leader takes the writer connection, then the queued units (oldest first, at most
  ``max_units``), and runs ``BEGIN IMMEDIATE``, each unit in its own ``SAVEPOINT``, one
  ``COMMIT`` (one fsync). A unit that raises is rolled back to its savepoint and only
  its caller gets the exception. A lone unit runs without a savepoint.
- Once the ``COMMIT`` has returned (the rows are durable), the leader hands each unit
  its result or exception and passes the leadership to the oldest unit still queued,
  whose thread runs the next group.

So every caller still returns only after the commit holding its rows, each save is
still atomic, and notification ids stay contiguous and in commit order (units run one
after another in one transaction on the one writer, and a rolled-back unit frees its
ids for the next).

An event loop's coroutine submits with :meth:`GroupCommitter.submit_async` and awaits a
future instead of sleeping: its unit joins the same queue, but a loop thread must never
block on the writer, so when such a unit is to lead, the committer's own thread leads
for it. After each group, one call per loop hands every unit of that loop its outcome.
So a loop that keeps the writer busy costs two thread switches per group, not per save.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections import deque
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, cast

import apsw
import structlog
from eventsourcing.persistence import OperationalError, PersistenceError

from stoat.eventstore._errors import translate_error

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from stoat.eventstore._database import Database

T = TypeVar("T")

log = structlog.get_logger(__name__)

# Bounds a group's transaction (and so the wait of the units behind it): 256 one-event
# saves take about 5 ms of SQL, 256 hundred-event saves about 60 ms.
MAX_GROUP_UNITS: Final = 256
# One savepoint at a time (each is released before the next unit), so one name serves,
# and its statements stay in apsw's statement cache.
_SAVEPOINT: Final = "SAVEPOINT stoat_unit"
_RELEASE: Final = "RELEASE stoat_unit"
_ROLLBACK_TO: Final = "ROLLBACK TO stoat_unit"


class Unit(Generic[T]):
    """One caller's work and, once its group has finished, its outcome."""

    __slots__ = ("_signal", "done", "error", "leads", "result", "work")

    def __init__(self, work: Callable[[apsw.Cursor], T]) -> None:
        self.work = work
        self.result: T | None = None
        self.error: BaseException | None = None
        self.done = False
        # Set (under the committer's lock) when the previous leader hands over to it.
        self.leads = False
        # Only a follower sleeps: a lock, acquired when it queues and released once to
        # wake it, a one-shot signal that costs less than an Event. A lone writer
        # never needs one.
        self._signal: threading.Lock | None = None

    def will_sleep(self) -> None:
        """Arm the signal; called when the unit queues behind a group in progress."""
        self._signal = threading.Lock()
        self._signal.acquire()

    def sleep(self) -> None:
        """Block until the unit is done or its thread must lead the next group."""
        assert self._signal is not None
        self._signal.acquire()

    def wake(self) -> None:
        """Wake the unit's thread (once)."""
        assert self._signal is not None
        self._signal.release()

    def fail(self, error: BaseException) -> None:
        """Record ``error`` as the outcome (dropping a result the group will not commit)."""
        self.result = None
        self.error = error

    def outcome(self) -> T:
        """The result, or raise the error mapped to the library's classes."""
        error = self.error
        if error is None:
            return cast("T", self.result)
        if isinstance(error, apsw.Error):
            # Translated here, in the caller's thread: an error shared by a whole group
            # (a failed COMMIT) becomes a separate exception object for each caller.
            raise translate_error(error) from error
        raise error


class LoopUnit(Unit[T]):
    """A unit submitted from an event loop: its outcome goes to a future of that loop."""

    __slots__ = ("future", "loop")

    def __init__(self, work: Callable[[apsw.Cursor], T], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(work)
        self.loop = loop
        self.future: asyncio.Future[T] = loop.create_future()


def _settle(units: Sequence[LoopUnit[Any]]) -> None:
    """On the units' loop: each future gets its unit's result or error."""
    for unit in units:
        future = unit.future
        if future.done():  # Cancelled: the caller no longer waits for it.
            continue
        try:
            future.set_result(unit.outcome())
        except Exception as error:  # The unit's own error, translated by outcome().
            future.set_exception(error)


def _hand_over(units: Sequence[Unit[Any]]) -> None:
    """Wake the sleeping threads of ``units``; settle loop units, one call per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[LoopUnit[Any]]] = {}
    for unit in units:
        if isinstance(unit, LoopUnit):
            by_loop.setdefault(unit.loop, []).append(unit)
        else:
            unit.wake()
    for loop, settled in by_loop.items():
        # A closed loop raises RuntimeError: nobody awaits its units any more.
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, settled)


def _shared(error: BaseException) -> BaseException:
    """The error for one of several units that fail together because of ``error``."""
    if isinstance(error, apsw.Error):
        return error  # Unit.outcome() translates it afresh for each caller.
    fresh = (
        type(error)(str(error))
        if isinstance(error, PersistenceError)
        else OperationalError(f"The write was not committed: {error!r}")
    )
    fresh.__cause__ = error
    return fresh


class GroupCommitter:
    """The queue of units waiting for the writer of one database, and their leaders.

    ``max_units`` bounds a group (and so a group's latency); ``queued`` is for tests
    and diagnostics, e.g. to wait until followers have queued behind a held writer.
    """

    def __init__(self, db: Database, max_units: int = MAX_GROUP_UNITS) -> None:
        self._db = db
        self.max_units = max_units
        self._lock = threading.Lock()
        self._queue: deque[Unit[Any]] = deque()
        self._leading = False
        # The thread that leads for loop units, started with the first of them; it
        # takes the units it is to lead from this queue (None: stop).
        self._loop_leads: queue.SimpleQueue[Unit[Any] | None] = queue.SimpleQueue()
        self._loop_leader: threading.Thread | None = None

    @property
    def queued(self) -> int:
        """Units waiting for a group (not counting the one being committed)."""
        return len(self._queue)

    def submit(self, work: Callable[[apsw.Cursor], T]) -> T:
        """Run ``work`` in a write transaction, possibly shared; return once durable.

        ``work`` may run in another thread (the leader's), and more than once: if
        another unit makes SQLite abandon the whole transaction (disk full), the others
        are run again in a new one. It must only act through the cursor.
        """
        unit = Unit(work)
        with self._lock:
            self._queue.append(unit)
            if self._leading:
                unit.will_sleep()
            else:
                unit.leads = self._leading = True
        if not unit.leads:
            try:
                unit.sleep()
            except BaseException:
                self._abandon(unit)
                raise
            if unit.done:
                return unit.outcome()
        self._lead(unit)
        return unit.outcome()

    def submit_async(self, work: Callable[[apsw.Cursor], T]) -> asyncio.Future[T]:
        """:meth:`submit` for a coroutine on the running event loop: the future of the
        outcome, set on that loop once the commit holding the work has returned.

        The loop never blocks: when this unit is to lead a group, the committer's
        thread leads it. Cancelling the future does not withdraw the work; like an
        interrupted ``COMMIT``, it may still be committed.
        """
        unit = LoopUnit(work, asyncio.get_running_loop())
        with self._lock:
            self._queue.append(unit)
            leads = unit.leads = not self._leading
            self._leading = True
        if leads:
            self._lead_for(unit)
        return unit.future

    def close(self) -> None:
        """Stop the thread that leads for loop units, once it has finished its group."""
        leader = self._loop_leader
        if leader is None:
            return
        self._loop_leads.put(None)
        leader.join()
        self._loop_leader = None
        # A group handed to it as it stopped is led here, so that no future waits forever.
        while True:
            try:
                unit = self._loop_leads.get_nowait()
            except queue.Empty:
                return
            if unit is not None:
                self._lead(unit)

    def _lead_for(self, unit: Unit[Any]) -> None:
        """Make ``unit``'s group run: in its own thread, or the loop units' leader's."""
        if not isinstance(unit, LoopUnit):
            unit.wake()
            return
        if self._loop_leader is None:
            with self._lock:
                if self._loop_leader is None:
                    self._loop_leader = threading.Thread(
                        target=self._lead_loop_units, name="stoat-group-commit", daemon=True
                    )
                    self._loop_leader.start()
        self._loop_leads.put(unit)

    def _lead_loop_units(self) -> None:
        while (unit := self._loop_leads.get()) is not None:
            try:
                self._lead(unit)
            except Exception:  # Every unit of the group has its outcome; lead the next.
                log.exception("group_commit_failed", db=self._db.db_name)

    def _abandon(self, unit: Unit[Any]) -> None:
        # The caller was interrupted while asleep (KeyboardInterrupt in the main thread).
        # If its unit is still queued, it never runs; if a group holds it already, its
        # outcome is unknown to the caller, as with an interrupted COMMIT. Leadership
        # handed to it must not be lost, or the queue would stall.
        with self._lock:
            if unit in self._queue:
                self._queue.remove(unit)
            if not unit.leads:
                return
            successor = self._successor()
        if successor is not None:
            self._lead_for(successor)

    def _successor(self) -> Unit[Any] | None:
        # Called with self._lock held: the next leader, or the end of leading.
        if self._queue:
            successor = self._queue[0]
            successor.leads = True
            return successor
        self._leading = False
        return None

    def _take(self) -> list[Unit[Any]]:
        with self._lock:
            queue = self._queue
            if len(queue) <= self.max_units:
                group = list(queue)
                queue.clear()
                return group
            return [queue.popleft() for _ in range(max(1, self.max_units))]

    def _lead(self, own: Unit[Any]) -> None:
        """Commit one group (which holds ``own``), then hand over and wake the others."""
        db = self._db
        group: list[Unit[Any]] = []
        try:
            # The writer first, then the queue: units that arrive while the writer is
            # busy (a previous group from transaction(), a commit) join this group.
            if not db.writer_lock.acquire(timeout=db.busy_timeout_ms / 1000):
                group = self._take()
                msg = f"Timed out waiting for the writer of {db.db_name!r} in this process"
                error = OperationalError(msg)
                for unit in group:
                    unit.fail(_shared(error))
                return
            try:
                group = self._take()
                db.writer_thread = threading.get_ident()
                committed = run_group(db, group)
            finally:
                db.writer_thread = None
                db.writer_lock.release()
            if committed:
                db.notify_commit()
        finally:
            self._finish(own, group)

    def _finish(self, own: Unit[Any], group: Sequence[Unit[Any]]) -> None:
        for unit in group:
            unit.done = True
        with self._lock:
            own.leads = False
            if not own.done and own in self._queue:
                # Interrupted before taking its group: the caller sees the exception,
                # so the unit must not run later.
                self._queue.remove(own)
            successor = self._successor()
        _hand_over([unit for unit in group if unit is not own or isinstance(unit, LoopUnit)])
        if successor is not None:
            self._lead_for(successor)


def run_group(db: Database, group: Sequence[Unit[Any]]) -> bool:
    """Run ``group`` in transactions on the writer (held by the caller).

    Each unit ends with a result or an error. Returns whether anything was committed.
    """
    remaining = list(group)
    while remaining:
        try:
            aborted_by = _run_transaction(db, remaining)
        except BaseException as error:
            # Interrupted (KeyboardInterrupt, SystemExit): nothing of this transaction
            # is committed; the other callers get an OperationalError.
            _rollback(db)
            for unit in remaining:
                if unit.error is None:
                    unit.fail(_shared(error))
            raise
        if aborted_by is None:
            return _any_succeeded(remaining)
        # SQLite abandoned the whole transaction because of one unit (SQLITE_FULL, an
        # I/O error): that unit keeps its error, the others run again, from a clean
        # slate, in a new transaction (so a unit that clashed with a unit now rolled
        # back gets another chance, as if the abandoned transaction had never been).
        remaining = [unit for unit in remaining if unit is not aborted_by]
        for unit in remaining:
            unit.result = None
            unit.error = None
    return False


def _run_transaction(db: Database, units: Sequence[Unit[Any]]) -> Unit[Any] | None:
    """One ``BEGIN IMMEDIATE`` ... ``COMMIT`` over ``units``.

    Returns the unit that made SQLite roll the whole transaction back, if one did (the
    others have not been given outcomes then). Any other failure (``BEGIN``, a
    savepoint statement, ``COMMIT``) fails every unit without an error of its own.
    """
    try:
        conn = db.writer
        conn.execute("BEGIN IMMEDIATE")
    except (apsw.Error, PersistenceError) as error:
        _fail_all(units, error)
        return None
    if len(units) == 1:
        _run_alone(db, conn, units[0])
        return None
    try:
        for unit in units:
            conn.execute(_SAVEPOINT)
            if not _run_unit(conn, unit):
                if not conn.in_transaction:
                    return unit
                # Undo the unit's statements; the release then ends the savepoint.
                conn.execute(_ROLLBACK_TO)
            conn.execute(_RELEASE)
        conn.execute("COMMIT" if _any_succeeded(units) else "ROLLBACK")
    except apsw.Error as error:
        # The COMMIT itself (or a savepoint statement) failed: nothing of the group is
        # durable, so no unit may report success.
        _rollback(db)
        _fail_all(units, error)
    return None


def _run_alone(db: Database, conn: apsw.Connection, unit: Unit[Any]) -> None:
    # The common case without contention: no savepoint, the transaction is the unit's.
    try:
        if _run_unit(conn, unit):
            conn.execute("COMMIT")
        elif conn.in_transaction:
            conn.execute("ROLLBACK")
    except apsw.Error as error:
        _rollback(db)
        _fail_all((unit,), error)


def _any_succeeded(units: Sequence[Unit[Any]]) -> bool:
    if len(units) == 1:  # The lone writer's case, spared the generator.
        return units[0].error is None
    return any(unit.error is None for unit in units)


def _run_unit(conn: apsw.Connection, unit: Unit[Any]) -> bool:
    """Run one unit's work on a fresh cursor; record its result or error."""
    cursor = conn.cursor()
    try:
        unit.result = unit.work(cursor)
    except Exception as error:  # Handed on to the unit's caller.
        unit.fail(error)
        return False
    finally:
        # A statement the work left unfinished would make COMMIT fail for everyone.
        cursor.close(force=True)
    return True


def _fail_all(units: Sequence[Unit[Any]], error: BaseException) -> None:
    for unit in units:
        if unit.error is None:
            unit.fail(_shared(error))


def _rollback(db: Database) -> None:
    # SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR), so
    # only roll back what is still open. If even that fails, the connection's state is
    # unknown: drop it rather than let the next BEGIN fail.
    try:
        conn = db.writer
    except PersistenceError:
        return
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except apsw.Error:
        db.discard_writer()
