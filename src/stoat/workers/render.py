"""The render job: load the job and the pinned project, compile in Rust, run FFmpeg.

Idempotent, because a message may be delivered more than once (a lease expired after a
crash, or Redis's at-least-once delivery): a finished job is left alone, and every
append carries the expected version, so a duplicate loses the race harmlessly.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from eventsourcing.persistence import RecordConflictError

from stoat.commands.projects import load_project
from stoat.commands.renders import load_render
from stoat.domain.context import system_context
from stoat.workers.ffmpeg import run_ffmpeg

if TYPE_CHECKING:
    from stoat.domain.render_job import RenderJob
    from stoat.services import Services

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 3
PROGRESS_INTERVAL_SECONDS = 1.0


class RenderRunner:
    """Runs one render job to a terminal event."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def run(self, render_id: str) -> None:
        app = self._services.app
        job = load_render(app, render_id)
        if job.finished:
            log.info("render_already_finished", render_id=render_id, status=job.status)
            return
        context = dict(system_context(request_id=f"render:{render_id}"))
        if job.attempts >= MAX_ATTEMPTS:
            job.fail(f"abandoned after {job.attempts} attempts", "", context)
            self._save(job)
            return
        job.start(context)
        if not self._save(job):
            return
        self._render(job, context)

    def _render(self, job: RenderJob, context: dict[str, object]) -> None:
        project = load_project(self._services.app, job.project_id, job.project_version)
        final = Path(job.output_path)
        partial = final.with_name(f".{final.stem}.partial{final.suffix}")
        argv = project.timeline.compile_render({"output_path": str(partial), "preset": job.preset})
        log.debug("ffmpeg_argv", render_id=str(job.id), argv=argv)
        total_us = int(project.timeline.layout()["duration_us"])
        final.parent.mkdir(parents=True, exist_ok=True)
        throttle = _Throttle(job, self._services, context)
        result = run_ffmpeg(
            argv,
            total_us=total_us,
            on_progress=throttle,
            timeout_seconds=self._services.settings.render_timeout_seconds,
        )
        if result.returncode == 0:
            os.replace(partial, final)
            probed = self._services.prober.probe(str(final))
            job.complete(_describe_output(final, probed["duration"]), context)
        else:
            partial.unlink(missing_ok=True)
            reason = (
                f"timed out after {result.elapsed_seconds:.0f} s"
                if result.timed_out
                else f"ffmpeg exited with status {result.returncode}"
            )
            job.fail(reason, result.stderr_tail, context)
        self._save(job)

    def _save(self, job: RenderJob) -> bool:
        try:
            self._services.app.save(job)
        except RecordConflictError:
            log.warning("render_lost_race", render_id=str(job.id))
            return False
        return True


class _Throttle:
    """Appends a progress event at most once a second, so the log stays small."""

    def __init__(self, job: RenderJob, services: Services, context: dict[str, object]) -> None:
        self._job = job
        self._services = services
        self._context = context
        self._last = 0.0

    def __call__(self, fraction: float, eta_seconds: float | None) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_SECONDS or fraction >= 1.0:
            return
        self._last = now
        self._job.report_progress(round(fraction, 4), eta_seconds, self._context)
        self._services.app.save(self._job)


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
        "content_type": "video/mp4",
    }
