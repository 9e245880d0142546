"""Deterministic group commits for tests, and a VFS that counts syncs and fails writes.

A group is built without any hook in the committer: the test thread holds the writer
with ``transaction()``, starts one writer thread at a time and waits until its unit is
queued (``GroupCommitter.queued``, which exists for this) before starting the next.
When the test releases the writer, the first thread (the leader, blocked on the
writer) takes every queued unit, in that order, as one group.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import apsw

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from apsw import URIFilename
    from typing_extensions import Buffer

    from stoat.eventstore import ApswDatastore


@dataclass
class Outcome:
    """What one writer thread's call returned or raised."""

    value: Any = None
    error: BaseException | None = None


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for a condition"
        time.sleep(0.001)


def _call(call: Callable[[], object], outcome: Outcome) -> None:
    try:
        outcome.value = call()
    except BaseException as error:  # The test inspects it.
        outcome.error = error


def start_queued(
    datastore: ApswDatastore, call: Callable[[], object], name: str | None = None
) -> tuple[threading.Thread, Outcome]:
    """Start ``call`` on a thread and return once its unit has joined the queue."""
    committer = datastore._db.committer
    before = committer.queued
    outcome = Outcome()
    thread = threading.Thread(target=_call, args=(call, outcome), name=name, daemon=True)
    thread.start()
    wait_until(lambda: committer.queued == before + 1)
    return thread, outcome


def start(call: Callable[[], object], name: str | None = None) -> tuple[threading.Thread, Outcome]:
    """Start ``call`` on a thread; its outcome is filled in when it ends."""
    outcome = Outcome()
    thread = threading.Thread(target=_call, args=(call, outcome), name=name, daemon=True)
    thread.start()
    return thread, outcome


def join_all(threads: Sequence[threading.Thread], timeout: float = 30.0) -> None:
    """Join the threads; fail the test if one is stuck."""
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a writer thread is stuck"


def run_as_one_group(
    datastore: ApswDatastore,
    calls: Sequence[Callable[[], object]],
    while_held: Callable[[], None] | None = None,
) -> list[Outcome]:
    """Queue ``calls`` in order behind a held writer, then release it; their outcomes.

    ``while_held`` runs once all are queued, before the writer is released (e.g. to arm
    a fault). With the default group bound, the calls commit as one group.
    """
    threads: list[threading.Thread] = []
    outcomes: list[Outcome] = []
    with datastore.transaction():
        for call in calls:
            thread, outcome = start_queued(datastore, call)
            threads.append(thread)
            outcomes.append(outcome)
        if while_held is not None:
            while_held()
    join_all(threads)
    return outcomes


class _FaultyFile(apsw.VFSFile):
    def __init__(self, vfs: FaultyVFS, name: str | URIFilename | None, flags: list[int]) -> None:
        self._vfs = vfs
        filename = name.filename() if isinstance(name, apsw.URIFilename) else name
        self._is_wal = str(filename).endswith("-wal")
        super().__init__("", name, flags)

    def xWrite(self, data: Buffer, offset: int) -> None:
        if self._is_wal and self._vfs.fail_wal_writes:
            msg = "injected write failure"
            raise apsw.IOError(msg)
        super().xWrite(data, offset)

    def xSync(self, flags: int) -> None:
        if self._is_wal:
            self._vfs.wal_syncs += 1
        super().xSync(flags)


class FaultyVFS(apsw.VFS):
    """The default VFS, counting WAL syncs and failing WAL writes while asked to.

    Open a database through it with ``file:PATH?vfs=NAME``; :meth:`unregister` once the
    connections are closed.
    """

    def __init__(self) -> None:
        self.name = f"faulty-{uuid4().hex}"
        self.wal_syncs = 0
        self.fail_wal_writes = False
        super().__init__(self.name, "")

    def uri(self, path: str) -> str:
        """The URI that opens ``path`` through this VFS."""
        return f"file:{path}?vfs={self.name}"

    def xOpen(self, name: str | URIFilename | None, flags: list[int]) -> apsw.VFSFile:
        return _FaultyFile(self, name, flags)
