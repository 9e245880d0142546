"""The hash chain over the notification log: tamper evidence for every stored event.

Each row of an application's events table carries ``chain_hash``, the SHA-256 of the
previous row's ``chain_hash`` and of the row's own bytes::

    chain_hash(n) = SHA-256( chain_hash(n - 1)                       32 bytes
                             || u64be(notification_id)                8 bytes
                             || u64be(originator_version)             8 bytes
                             || u32be(len(originator_id)) || originator_id (UTF-8)
                             || u32be(len(topic)) || topic (UTF-8)
                             || state )                               the rest

``originator_id`` is the stored text (a UUID as 32 lowercase hex digits), ``state`` the
stored bytes, and ``chain_hash(0)`` is :data:`GENESIS` (32 zero bytes). Every field but
the last is fixed-size or length-prefixed, so no two rows share an input. The hash is
computed in the append transaction (see ``ApswApplicationRecorder._event_rows``), so a
row never exists without it; changing, deleting or reordering a stored row breaks the
recomputation from that row on (:func:`walk_chain` reports the first such row).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol
from uuid import UUID

if TYPE_CHECKING:
    from collections.abc import Container, Iterable


def stored_id(originator_id: UUID | str) -> str:
    """An originator id as both stores keep it and the chain covers it: a UUID as 32
    lowercase hex digits (as ``eventsourcing.sqlite`` stores it), text as it is."""
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


GENESIS: Final = bytes(32)
"""The ``chain_hash`` before the first event."""

_FIXED: Final = struct.Struct(">QQI")
_LENGTH: Final = struct.Struct(">I")


def chain_hash(previous: bytes, row: tuple[int, str, int, str, bytes]) -> bytes:
    """The chain hash of one stored row, given the previous row's chain hash.

    ``row`` is ``(notification_id, originator_id, originator_version, topic, state)``.
    """
    notification_id, originator_id, originator_version, topic, state = row
    oid = originator_id.encode()
    name = topic.encode()
    # One buffer and one update: cheaper than an update per field (verify is this loop).
    fixed = _FIXED.pack(notification_id, originator_version, len(oid))
    joined = b"".join((previous, fixed, oid, _LENGTH.pack(len(name)), name, state))
    return hashlib.sha256(joined).digest()


def chain_rows(
    previous: bytes, last_id: int, events: Iterable[tuple[str, int, str, bytes]]
) -> list[tuple[int, str, int, str, bytes, bytes]]:
    """Number and chain ``events`` (originator id, version, topic, state) after a head.

    The rows to insert: ``(notification_id, originator_id, version, topic, state,
    chain_hash)``, ids from ``last_id + 1``. The same hashes as :func:`chain_hash`; this
    is the append path's loop, so it encodes each originator id and topic once a batch.
    """
    sha256, pack, join = hashlib.sha256, _FIXED.pack, b"".join
    encoded: dict[str, bytes] = {}
    prefixed: dict[str, bytes] = {}
    rows = []
    for originator_id, version, topic, state in events:
        last_id += 1
        oid = encoded.get(originator_id)
        if oid is None:
            oid = encoded[originator_id] = originator_id.encode()
        name = prefixed.get(topic)
        if name is None:
            raw = topic.encode()
            name = prefixed[topic] = _LENGTH.pack(len(raw)) + raw
        data = join((previous, pack(last_id, version, len(oid)), oid, name, state))
        previous = sha256(data).digest()
        rows.append((last_id, originator_id, version, topic, state, previous))
    return rows


ChainRow = tuple[int, str, int, str, bytes, bytes | None]
"""A stored row as the chain sees it: id, originator id (stored text), version, topic,
state and the stored ``chain_hash``."""


class ChainedLog(Protocol):
    """What the audit needs of an application recorder that keeps the chain.

    Both Stoat stores provide it: the SQLite one (``ApswApplicationRecorder``) and the
    PostgreSQL one (``stoat.eventstore.postgres``).
    """

    def chain_head(self) -> tuple[int, bytes]:
        """The last notification id and its chain hash; ``(0, GENESIS)`` when empty."""
        ...

    def select_chain(self, after: int, stop: int, limit: int) -> list[ChainRow]:
        """Rows after ``after`` up to ``stop``, as stored."""
        ...

    def last_position_of(self, topic: str) -> int | None:
        """The notification id of the last event with ``topic``, if any."""
        ...

    def position_of(self, originator_id: UUID | str, version: int) -> int | None:
        """The notification id of one aggregate's event at ``version``, if stored."""
        ...

    def max_notification_id(self) -> int | None: ...

    @property
    def commit_generation(self) -> int:
        """A counter bumped by every append in this process."""
        ...

    def wait_for_commit(self, generation: int, timeout: float) -> object:
        """Block until an append after ``generation`` in this process, or ``timeout``."""
        ...

    def wake_waiters(self) -> None:
        """Wake every thread blocked in :meth:`wait_for_commit`."""
        ...


@dataclass(frozen=True)
class ChainBreak:
    """The first row where the stored log stops matching its chain."""

    position: int
    """The notification id at which the chain breaks (a missing id, for a gap)."""
    code: str
    """``missing_event``, ``unexpected_event`` or ``hash_mismatch``."""
    reason: str


@dataclass
class ChainWalk:
    """A walk along the chain: how far it got, what it found, and the hashes it kept."""

    count: int = 0
    position: int = 0
    head: bytes = GENESIS
    broken: ChainBreak | None = None
    marks: dict[int, bytes] = field(default_factory=dict)
    """The recomputed hash at each position asked for (to compare with checkpoints)."""


def walk_chain(rows: Iterable[ChainRow], walk: ChainWalk, wanted: Container[int] = ()) -> bool:
    """Recompute the chain over ``rows`` (in notification-id order), continuing ``walk``.

    Keeps the recomputed hash of the positions in ``wanted`` in ``walk.marks``. Stops at
    the first row that does not match, records it in ``walk.broken`` and returns False.
    Ids must run on from ``walk.position`` without gaps: SQLite assigns them
    contiguously, so a gap means a deleted row, and an id out of order a moved one.
    """
    previous, expected = walk.head, walk.position + 1
    try:
        for notification_id, originator_id, version, topic, state, stored in rows:
            if notification_id != expected:
                walk.broken = _out_of_order(notification_id, expected)
                return False
            computed = chain_hash(previous, (notification_id, originator_id, version, topic, state))
            if stored != computed:
                walk.broken = ChainBreak(
                    notification_id,
                    "hash_mismatch",
                    f"the event at position {notification_id} does not match its chain "
                    "hash: it, or the chain before it, was changed, removed or moved",
                )
                return False
            if notification_id in wanted:
                walk.marks[notification_id] = computed
            previous = computed
            expected += 1
    finally:
        walk.count += expected - 1 - walk.position
        walk.position = expected - 1
        walk.head = previous
    return True


def _out_of_order(notification_id: int, expected: int) -> ChainBreak:
    if notification_id > expected:
        return ChainBreak(
            expected,
            "missing_event",
            f"no event at position {expected}: the log jumps from {expected - 1} to "
            f"{notification_id} (a row was deleted)",
        )
    return ChainBreak(
        notification_id,
        "unexpected_event",
        f"position {notification_id} appears after {expected - 1} (a row was moved)",
    )
