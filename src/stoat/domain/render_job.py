"""The RenderJob aggregate: one render of a project pinned to a version.

Render progress lives here, never on the Project, so a progress bar cannot bump a
project's version and cause edit conflicts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from uuid import UUID


class RenderStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL = frozenset({RenderStatus.COMPLETED, RenderStatus.FAILED, RenderStatus.CANCELLED})


class RenderJob(Aggregate):
    """A render request and everything that happened to it."""

    class Event(Aggregate.Event):
        class_version = 1
        context: dict[str, Any]

    class RenderRequested(Event, Aggregate.Created):
        """A render of ``project_id`` at ``project_version`` was asked for."""

        project_id: str
        project_version: int
        preset: str
        options: dict[str, Any]
        output_path: str

    class RenderStarted(Event):
        """A worker began attempt number ``attempt``."""

        attempt: int

        def apply(self, aggregate: Any) -> None:
            aggregate.status = RenderStatus.RUNNING
            aggregate.attempts = self.attempt

    class RenderProgressed(Event):
        """FFmpeg reported progress (throttled)."""

        progress: float
        eta_seconds: float | None

        def apply(self, aggregate: Any) -> None:
            aggregate.progress = self.progress

    class RenderCompleted(Event):
        """The output file is complete: its path, duration (µs), size and sha256."""

        output: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.status = RenderStatus.COMPLETED
            aggregate.progress = 1.0

    class RenderAttemptFailed(Event):
        """An attempt failed for a reason that may pass (it will be tried again)."""

        attempt: int
        reason: str
        stderr_tail: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = RenderStatus.QUEUED

    class RenderCancelRequested(Event):
        """Someone asked to stop a running render; its worker stops FFmpeg."""

        def apply(self, aggregate: Any) -> None:
            aggregate.cancel_requested = True

    class RenderCancelled(Event):
        """The render was stopped; any partial output was removed."""

        def apply(self, aggregate: Any) -> None:
            aggregate.status = RenderStatus.CANCELLED

    class RenderFailed(Event):
        """The render failed for good, with the reason and FFmpeg's stderr tail."""

        reason: str
        stderr_tail: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = RenderStatus.FAILED

    def __init__(
        self,
        project_id: str,
        project_version: int,
        preset: str,
        options: dict[str, Any],
        output_path: str,
    ) -> None:
        self.project_id = project_id
        self.project_version = project_version
        self.preset = preset
        self.options = dict(options)
        self.output_path = output_path
        self.status = RenderStatus.QUEUED
        self.attempts = 0
        self.progress = 0.0
        self.cancel_requested = False

    @classmethod
    def request(
        cls,
        *,
        job_id: UUID,
        project_id: str,
        project_version: int,
        preset: str,
        options: dict[str, Any],
        output_path: str,
        context: dict[str, Any],
    ) -> RenderJob:
        return cls._create(
            cls.RenderRequested,
            id=job_id,
            project_id=project_id,
            project_version=project_version,
            preset=preset,
            options=options,
            output_path=output_path,
            context=context,
        )

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def start(self, context: dict[str, Any]) -> None:
        """Starts the next attempt; a job found running was abandoned by a dead worker."""
        self._require_unfinished()
        self.trigger_event(self.RenderStarted, attempt=self.attempts + 1, context=context)

    def report_progress(
        self, progress: float, eta_seconds: float | None, context: dict[str, Any]
    ) -> None:
        self._require_running()
        self.trigger_event(
            self.RenderProgressed, progress=progress, eta_seconds=eta_seconds, context=context
        )

    def complete(self, output: dict[str, Any], context: dict[str, Any]) -> None:
        self._require_running()
        self.trigger_event(self.RenderCompleted, output=output, context=context)

    def fail(self, reason: str, stderr_tail: str, context: dict[str, Any]) -> None:
        self._require_unfinished()
        self.trigger_event(
            self.RenderFailed, reason=reason, stderr_tail=stderr_tail, context=context
        )

    def attempt_failed(self, reason: str, stderr_tail: str, context: dict[str, Any]) -> None:
        self._require_running()
        self.trigger_event(
            self.RenderAttemptFailed,
            attempt=self.attempts,
            reason=reason,
            stderr_tail=stderr_tail,
            context=context,
        )

    def cancel(self, context: dict[str, Any]) -> None:
        """Cancels a queued job at once; asks a running job's worker to stop it."""
        self._require_unfinished()
        if self.status is RenderStatus.RUNNING and not self.cancel_requested:
            self.trigger_event(self.RenderCancelRequested, context=context)
        elif self.status is not RenderStatus.RUNNING:
            self.trigger_event(self.RenderCancelled, context=context)

    def cancelled_by_worker(self, context: dict[str, Any]) -> None:
        """The worker stopped FFmpeg after a cancel request (or found one at start)."""
        self._require_unfinished()
        self.trigger_event(self.RenderCancelled, context=context)

    def _require_unfinished(self) -> None:
        if self.finished:
            raise RenderJobFinishedError(str(self.id), self.status)

    def _require_running(self) -> None:
        if self.status is not RenderStatus.RUNNING:
            raise RenderJobNotRunningError(str(self.id), self.status)


class RenderJobFinishedError(Exception):
    """The job already reached a terminal state."""

    def __init__(self, job_id: str, status: RenderStatus) -> None:
        super().__init__(f"render {job_id} is already {status}")


class RenderJobNotRunningError(Exception):
    """Progress or completion was reported for a job that is not running."""

    def __init__(self, job_id: str, status: RenderStatus) -> None:
        super().__init__(f"render {job_id} is {status}, not running")
