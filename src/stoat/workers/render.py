"""The render job: load the job and the pinned project, compile in Rust, run FFmpeg.

Idempotent, because a message may be delivered more than once (a lease expired after a
crash, or Redis's at-least-once delivery): a finished job is left alone, and every
append carries the expected version, so a duplicate loses the race harmlessly.

Failures are sorted: a transient one (FFmpeg killed by the system, out of memory or
disk space, an I/O error) records RenderAttemptFailed and raises
:class:`TransientRenderError`, which dramatiq retries with backoff; anything else, or
the last attempt, records RenderFailed with FFmpeg's stderr tail.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from eventsourcing.persistence import RecordConflictError

from stoat._core import render_presets
from stoat.commands.projects import load_project
from stoat.commands.renders import load_render
from stoat.domain.context import system_context
from stoat.domain.render_job import RenderStatus
from stoat.observability.metrics import RENDER_JOBS, RENDER_SECONDS, RENDER_SPEED, core_call
from stoat.workers.ffmpeg import FfmpegResult, run_ffmpeg

if TYPE_CHECKING:
    from stoat.domain.render_job import RenderJob
    from stoat.services import Services

log = structlog.get_logger(__name__)

# Each preset's extension -> content type, from the Rust core's preset catalog.
CONTENT_TYPES = {p["extension"]: p["content_type"] for p in render_presets()}

MAX_ATTEMPTS = 3
PROGRESS_INTERVAL_SECONDS = 1.0
CANCEL_POLL_SECONDS = 0.5
ENCODER_TRIAL_WAIT_SECONDS = 30.0
"""How long a render asking for a hardware encoder waits for the start-up trial encodes."""
TRANSIENT_SIGNS = (
    "No space left on device",
    "Cannot allocate memory",
    "Resource temporarily unavailable",
    "Input/output error",
)

# Renders running in this process, so a cancel made here stops FFmpeg at once; a cancel
# made elsewhere is seen within CANCEL_POLL_SECONDS by polling the job's events.
_RUNNING: dict[str, threading.Event] = {}
_RUNNING_LOCK = threading.Lock()


def signal_cancel(render_id: str) -> None:
    with _RUNNING_LOCK:
        flag = _RUNNING.get(render_id)
    if flag is not None:
        flag.set()


class TransientRenderError(Exception):
    """An attempt failed for a reason that may pass; dramatiq retries the message."""


class RenderRunner:
    """Runs one render job to a terminal event (or to a retry)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def run(self, render_id: str) -> None:
        app = self._services.app
        job = load_render(app, render_id)
        if job.status is RenderStatus.RUNNING:
            # Either its worker died (the broker redelivers once the lease ran out), or
            # this is a duplicate message (Redis dispatch is at-least-once) while a worker
            # still reports progress. Silence tells them apart.
            abandoned = self._await_silence(job)
            if abandoned is None:
                log.info("render_running_elsewhere", render_id=render_id)
                return
            job = abandoned
        if job.finished:
            log.info("render_already_finished", render_id=render_id, status=job.status)
            return
        context = dict(system_context(request_id=f"render:{render_id}"))
        if job.cancel_requested or job.attempts >= MAX_ATTEMPTS:
            # Ending without running: what a worker that died mid-run left goes too.
            for leftover in _work_files(Path(job.output_path)):
                leftover.unlink(missing_ok=True)
        if job.cancel_requested:
            job.cancelled_by_worker(context)
            self._save(job)
            return
        if job.attempts >= MAX_ATTEMPTS:
            job.fail(f"abandoned after {job.attempts} attempts", "", context)
            self._save(job)
            return
        structlog.contextvars.bind_contextvars(project_id=job.project_id)
        job.start(context)
        if not self._save(job):
            return
        log.info("render_started", render_id=render_id, attempt=job.attempts)
        RENDER_JOBS.labels("started").inc()
        cancelled = threading.Event()
        with _RUNNING_LOCK:
            _RUNNING[render_id] = cancelled
        try:
            self._render(job, context, cancelled)
        finally:
            with _RUNNING_LOCK:
                _RUNNING.pop(render_id, None)

    def _render(
        self, job: RenderJob, context: dict[str, object], cancelled: threading.Event
    ) -> None:
        project = load_project(self._services.app, job.project_id, job.project_version)
        final = Path(job.output_path)
        partial, script = _work_files(final)
        options = self._with_usable_encoder(job.options)
        with core_call("compile_render"):
            argv, graph = project.timeline.compile_render_script(
                {**options, "output_path": str(partial), "preset": job.preset}, str(script)
            )
        with core_call("layout"):
            total_us = int(project.timeline.layout()["duration_us"])
        final.parent.mkdir(parents=True, exist_ok=True)
        watcher = _Watcher(job, self._services, context, cancelled)
        script.write_text(graph, encoding="utf-8")
        try:
            result = run_ffmpeg(
                argv,
                total_us=total_us,
                on_progress=watcher,
                timeout_seconds=self._services.settings.render_timeout_seconds,
                cancelled=cancelled,
            )
        finally:
            script.unlink(missing_ok=True)
        # A cancel request may have been appended since: decide on the latest job.
        job = load_render(self._services.app, str(job.id))
        if job.finished:
            partial.unlink(missing_ok=True)
            return
        if job.cancel_requested:
            cancelled.set()
        if result.returncode == 0 and not cancelled.is_set():
            os.replace(partial, final)
            probed = self._services.prober.probe(str(final))
            output = _describe_output(final, probed["duration"])
            if "video_encoder" in job.options:
                output["video_encoder"] = options.get("video_encoder", "software")
            job.complete(output, context)
            if self._save(job):
                _count_completed(result.elapsed_seconds, probed["duration"])
                log.info("render_completed", render_id=str(job.id), seconds=result.elapsed_seconds)
            return
        partial.unlink(missing_ok=True)
        if cancelled.is_set():
            job.cancelled_by_worker(context)
            self._save(job)
            RENDER_JOBS.labels("cancelled").inc()
            return
        reason = _reason(result)
        if _transient(result) and job.attempts < MAX_ATTEMPTS:
            job.attempt_failed(reason, result.stderr_tail, context)
            self._save(job)
            RENDER_JOBS.labels("retrying").inc()
            raise TransientRenderError(reason)
        job.fail(reason, result.stderr_tail, context)
        self._save(job)
        RENDER_JOBS.labels("failed").inc()

    def _with_usable_encoder(self, options: dict[str, Any]) -> dict[str, Any]:
        """The job's options, without a hardware encoder that failed this machine's trial
        encode (the preset's software encoder takes its place)."""
        encoder = options.get("video_encoder")
        if encoder is None:
            return options
        report = self._services.encoders.wait(ENCODER_TRIAL_WAIT_SECONDS)
        if encoder in report.working:
            return options
        log.warning("video_encoder_unusable", video_encoder=encoder, fallback="software")
        return {key: value for key, value in options.items() if key != "video_encoder"}

    def _await_silence(self, job: RenderJob) -> RenderJob | None:
        """The job, once it has been silent (no progress, no end) for a lease; None if
        it keeps reporting for twice that long: another worker has it in hand."""
        lease = self._services.settings.job_lease_seconds
        deadline = time.monotonic() + 2 * lease
        while job.status is RenderStatus.RUNNING:
            silent = (datetime.now(UTC) - job.modified_on).total_seconds()
            if silent >= lease:
                return job
            if time.monotonic() >= deadline:
                return None
            time.sleep(min(1.0, lease - silent))
            job = load_render(self._services.app, str(job.id))
        return job

    def _save(self, job: RenderJob) -> bool:
        try:
            self._services.app.save(job)
        except RecordConflictError:
            log.warning("render_lost_race", render_id=str(job.id))
            return False
        return True


def _work_files(final: Path) -> tuple[Path, Path]:
    """The files an attempt writes beside the output: FFmpeg's partial output, and the
    filter graph (-filter_complex_script: a long timeline's graph is larger than the
    128 KiB Linux allows one argument)."""
    return (
        final.with_name(f".{final.stem}.partial{final.suffix}"),
        final.with_name(f".{final.stem}.graph"),
    )


def _count_completed(elapsed_seconds: float, duration_us: int) -> None:
    RENDER_JOBS.labels("completed").inc()
    RENDER_SECONDS.observe(elapsed_seconds)
    if elapsed_seconds > 0:
        RENDER_SPEED.observe(duration_us / 1_000_000 / elapsed_seconds)


def _reason(result: FfmpegResult) -> str:
    if result.timed_out:
        return f"timed out after {result.elapsed_seconds:.0f} s"
    if result.returncode < 0:
        return f"ffmpeg was killed by signal {-result.returncode}"
    return f"ffmpeg exited with status {result.returncode}"


def _transient(result: FfmpegResult) -> bool:
    if result.timed_out:
        return False
    killed_by_system = result.returncode < 0
    return killed_by_system or any(sign in result.stderr_tail for sign in TRANSIENT_SIGNS)


class _Watcher:
    """Appends throttled progress, and notices a cancel requested anywhere."""

    def __init__(
        self,
        job: RenderJob,
        services: Services,
        context: dict[str, object],
        cancelled: threading.Event,
    ) -> None:
        self.job = job
        self._services = services
        self._context = context
        self._cancelled = cancelled
        self._last_progress = 0.0
        self._last_poll = time.monotonic()

    def __call__(self, fraction: float, eta_seconds: float | None) -> None:
        now = time.monotonic()
        if now - self._last_poll >= CANCEL_POLL_SECONDS:
            self._last_poll = now
            self.job = load_render(self._services.app, str(self.job.id))
            if self.job.cancel_requested or self.job.finished:
                self._cancelled.set()
                return
        if now - self._last_progress < PROGRESS_INTERVAL_SECONDS or fraction >= 1.0:
            return
        self._last_progress = now
        self.job.report_progress(round(fraction, 4), eta_seconds, self._context)
        try:
            self._services.app.save(self.job)
        except RecordConflictError:
            # A cancel was appended meanwhile: reload, and stop if that is what it was.
            self.job = load_render(self._services.app, str(self.job.id))
            if self.job.cancel_requested:
                self._cancelled.set()


def _describe_output(path: Path, duration_us: int) -> dict[str, object]:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return {
        "path": str(path),
        "duration": duration_us,
        "size": path.stat().st_size,
        "sha256": digest.hexdigest(),
        "content_type": CONTENT_TYPES.get(path.suffix.lstrip("."), "application/octet-stream"),
    }
