"""Verifying the log: recompute the chain, check every checkpoint, report the first fault.

Two passes over the events table, both bounded by the last notification id when the
verification starts (appends made meanwhile are left for the next run):

1. the checkpoints (``CheckpointSigned`` events): each must be signed by a trusted key
   over its message, and come after the position it vouches for;
2. the chain, in notification-id order from the genesis: ids must run on without gaps,
   every stored ``chain_hash`` must equal the recomputed one, and at each position a
   checkpoint (or an expectation passed in, such as a head kept by a third party)
   vouches for, the recomputed hash must equal the signed head.

A change, deletion or reordering of a stored row breaks the chain at that row. Someone
who also recomputes every hash after it cannot forge the service's signature: the first
checkpoint after the change no longer matches. What no local check can see is the loss
of the newest events together with the checkpoints after them; third parties that keep
signed heads (from the log, SSE or webhooks) catch that by passing them in here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from stoat.audit.checkpoint import (
    CHECKPOINT_TOPIC,
    AuditCheckpoint,
    chain_recorder,
    checkpoint_document,
    checkpoint_message,
)
from stoat.audit.signing import KeyFormatError, verify_signature
from stoat.eventstore import GENESIS, ChainBreak, ChainWalk, walk_chain

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from stoat.commands.application import StoatApplication
    from stoat.eventstore import ChainedLog

PAGE: Final = 5000
_CHAIN: Final = frozenset({"missing_event", "unexpected_event", "hash_mismatch"})


@dataclass(frozen=True)
class Fault:
    """Where the log stops being trustworthy, and why."""

    position: int
    code: str
    reason: str


@dataclass
class Report:
    """The outcome of :func:`verify_log`."""

    count: int = 0
    """Events whose chain hash was recomputed and matched."""
    head_position: int = 0
    head_hash: bytes = GENESIS
    checkpoints: int = 0
    """Checkpoints whose signature and head both checked out."""
    last_checkpoint: dict[str, Any] | None = None
    fault: Fault | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None

    def document(self) -> dict[str, Any]:
        """The report as the API and the CLI give it."""
        signed_up_to = self.last_checkpoint["position"] if self.last_checkpoint else 0
        return {
            "ok": self.ok,
            "count": self.count,
            "head": {"position": self.head_position, "hash": self.head_hash.hex()},
            "checkpoints": self.checkpoints,
            "last_checkpoint": self.last_checkpoint,
            "unsigned_events": max(0, self.head_position - signed_up_to),
            "fault": None
            if self.fault is None
            else {
                "position": self.fault.position,
                "code": self.fault.code,
                "reason": self.fault.reason,
            },
        }


@dataclass
class _Claims:
    """Heads that checkpoints (or the caller) vouch for, by position."""

    by_position: dict[int, list[tuple[str, str, dict[str, Any] | None]]] = field(
        default_factory=dict
    )

    def add(self, position: int, head: str, source: str, doc: dict[str, Any] | None) -> None:
        self.by_position.setdefault(position, []).append((head, source, doc))


def verify_log(
    app: StoatApplication,
    trusted: Mapping[str, str],
    *,
    expected: Sequence[tuple[int, str]] = (),
) -> Report:
    """Recompute the chain and check the checkpoints; the first fault, if any.

    ``trusted`` maps key fingerprints to base64 public keys: a checkpoint signed by any
    other key is a fault. ``expected`` adds ``(position, head hex)`` pairs kept
    elsewhere, checked like checkpoints.
    """
    recorder = chain_recorder(app)
    stop = recorder.max_notification_id() or 0
    faults: list[Fault] = []
    claims = _Claims()
    for at, doc in _checkpoints(app, stop):
        fault = _check_checkpoint(at, doc, trusted)
        if fault is None:
            claims.add(doc["position"], doc["head"], f"the checkpoint at position {at}", doc)
        else:
            faults.append(fault)
    for position, head in expected:
        claims.add(position, head.lower(), "the expected head", None)
    walk = _walk(recorder, stop, claims.by_position.keys())
    if walk.broken is not None:
        broken = walk.broken
        faults.append(Fault(broken.position, broken.code, broken.reason))
    report = Report(count=walk.count, head_position=walk.position, head_hash=walk.head)
    faults.extend(_compare_claims(claims, walk, stop, report))
    if faults:
        # At one position, a broken chain says more than what the row's content claims.
        report.fault = min(faults, key=lambda fault: (fault.position, fault.code not in _CHAIN))
    return report


def _walk(recorder: ChainedLog, stop: int, wanted: Iterable[int]) -> ChainWalk:
    walk = ChainWalk()
    positions = set(wanted)
    while walk.position < stop:
        rows = recorder.select_chain(walk.position, stop, PAGE)
        if not rows:
            missing = walk.position + 1
            reason = f"events {missing} to {stop} were in the log when the check began, not now"
            walk.broken = ChainBreak(missing, "missing_event", reason)
            break
        if not walk_chain(rows, walk, positions):
            break
    return walk


def _checkpoints(app: StoatApplication, stop: int) -> list[tuple[int, dict[str, Any]]]:
    found: list[tuple[int, dict[str, Any]]] = []
    start = 1
    while start <= stop:
        batch = app.recorder.select_notifications(start, PAGE, stop=stop, topics=[CHECKPOINT_TOPIC])
        for notification in batch:
            try:
                event = app.mapper.to_domain_event(notification)
                doc = (
                    checkpoint_document(event, notification.id)
                    if isinstance(event, AuditCheckpoint.CheckpointSigned)
                    else None
                )
            except Exception:  # a damaged row is a finding, not a crash
                doc = None
            found.append((notification.id, doc or {}))
        if len(batch) < PAGE:
            break
        start = batch[-1].id + 1
    return found


def _check_checkpoint(at: int, doc: dict[str, Any], trusted: Mapping[str, str]) -> Fault | None:
    if not doc:
        return Fault(at, "bad_checkpoint", f"the checkpoint at position {at} cannot be read")
    key_id = str(doc["key_id"])
    public_key = trusted.get(key_id)
    if public_key is None:
        return Fault(
            at,
            "untrusted_key",
            f"the checkpoint at position {at} is signed by key {key_id}, "
            f"not a trusted one ({', '.join(sorted(trusted)) or 'none given'})",
        )
    position, head, signed_at = int(doc["position"]), str(doc["head"]), str(doc["signed_at"])
    message = checkpoint_message(position, head, signed_at, key_id)
    try:
        valid = verify_signature(public_key, str(doc["signature"]), message)
    except KeyFormatError as error:
        return Fault(at, "bad_signature", f"the checkpoint at position {at}: {error}")
    if not valid:
        return Fault(
            at,
            "bad_signature",
            f"the signature of the checkpoint at position {at} does not verify with key "
            f"{key_id}: the checkpoint was forged or altered",
        )
    if not 0 <= position < at:
        return Fault(
            at,
            "bad_checkpoint",
            f"the checkpoint at position {at} vouches for position {position}, "
            "which is not before it",
        )
    return None


def _compare_claims(claims: _Claims, walk: ChainWalk, stop: int, report: Report) -> list[Fault]:
    faults: list[Fault] = []
    matched = [0]
    for position in sorted(claims.by_position):
        if position > walk.position:
            if walk.broken is None:
                for _, source, _ in claims.by_position[position]:
                    faults.append(
                        Fault(
                            stop + 1,
                            "missing_event",
                            f"{source} vouches for position {position}, but the log ends "
                            f"at {stop}: events were removed from its end",
                        )
                    )
            continue
        computed = (GENESIS if position == 0 else walk.marks[position]).hex()
        for head, source, doc in claims.by_position[position]:
            if head == computed:
                if doc is not None:
                    report.checkpoints += 1
                    report.last_checkpoint = doc
                continue
            faults.append(
                Fault(
                    position,
                    "checkpoint_mismatch",
                    f"{source} signed head {head} at position {position}, but the log "
                    f"hashes to {computed} there: an event from {matched[-1] + 1} to "
                    f"{position} was changed and the chain after it recomputed",
                )
            )
        matched.append(position)
    return faults
