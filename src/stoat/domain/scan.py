"""The LibraryScan aggregate: one scan of a directory (or file) for media.

A scan is a job with its own lifecycle, like a render: its progress and report live
here, and the library changes it finds are events of the ``Video`` aggregates.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from uuid import UUID


class ScanStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class LibraryScan(Aggregate):
    """A request to scan ``path`` and what came of it."""

    class Event(Aggregate.Event):
        class_version = 1
        context: dict[str, Any]

    class ScanRequested(Event, Aggregate.Created):
        """A scan of the canonical ``path`` (a directory or a file) was asked for."""

        path: str
        recursive: bool

    class ScanStarted(Event):
        """A worker began attempt number ``attempt``."""

        attempt: int

        def apply(self, aggregate: Any) -> None:
            aggregate.status = ScanStatus.RUNNING
            aggregate.attempts = self.attempt

    class ScanProgressed(Event):
        """Files found so far, and how many of them have been examined (throttled)."""

        found: int
        processed: int

    class ScanCompleted(Event):
        """The report: counts per outcome and the per-file errors."""

        report: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.status = ScanStatus.COMPLETED

    class ScanFailed(Event):
        """The scan as a whole could not run (its directory vanished, say)."""

        reason: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = ScanStatus.FAILED

    def __init__(self, path: str, recursive: bool) -> None:
        self.path = path
        self.recursive = recursive
        self.status = ScanStatus.QUEUED
        self.attempts = 0

    @classmethod
    def request(
        cls, *, scan_id: UUID, path: str, recursive: bool, context: dict[str, Any]
    ) -> LibraryScan:
        return cls._create(
            cls.ScanRequested, id=scan_id, path=path, recursive=recursive, context=context
        )

    @property
    def finished(self) -> bool:
        return self.status in (ScanStatus.COMPLETED, ScanStatus.FAILED)

    def start(self, context: dict[str, Any]) -> None:
        """Starts the next attempt; a scan found running was abandoned by a dead worker."""
        self._require_unfinished()
        self.trigger_event(self.ScanStarted, attempt=self.attempts + 1, context=context)

    def progress(self, found: int, processed: int, context: dict[str, Any]) -> None:
        self._require_running()
        self.trigger_event(self.ScanProgressed, found=found, processed=processed, context=context)

    def complete(self, report: dict[str, Any], context: dict[str, Any]) -> None:
        self._require_running()
        self.trigger_event(self.ScanCompleted, report=report, context=context)

    def fail(self, reason: str, context: dict[str, Any]) -> None:
        self._require_unfinished()
        self.trigger_event(self.ScanFailed, reason=reason, context=context)

    def _require_unfinished(self) -> None:
        if self.finished:
            raise ScanStateError(str(self.id), self.status)

    def _require_running(self) -> None:
        if self.status is not ScanStatus.RUNNING:
            raise ScanStateError(str(self.id), self.status)


class ScanStateError(Exception):
    """The scan is not in a status that allows the change."""

    def __init__(self, scan_id: str, status: ScanStatus) -> None:
        super().__init__(f"scan {scan_id} is {status}")
        self.status = status
