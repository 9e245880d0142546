"""The scan job: find media under a path, examine each file in parallel, record events.

Files are fingerprinted and probed on a thread pool bounded by ``scan_workers`` (the
CPU count by default: ffprobe is a subprocess, so threads run it in parallel). Events
are saved in batches, one transaction each. A bad file is a line in the report, never a
failed scan. Idempotent like the render job: a finished scan is left alone, and a
redelivered one starts again (unchanged files cost a ``stat`` each).
"""

from __future__ import annotations

import os
import posixpath
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import dramatiq
import structlog
from eventsourcing.persistence import RecordConflictError

from stoat._core import ValidationError, check_path
from stoat.commands._library_files import FileError, Observation, Outcome, examine, record
from stoat.commands.library import find_video, load_scan
from stoat.domain.context import system_context
from stoat.domain.video import Video, VideoStatus, video_id_for
from stoat.errors import ReadTimeout
from stoat.media.files import is_media_name
from stoat.projections.library_queries import videos_under
from stoat.workers.media_assets import AssetRunner, asset_store

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from stoat.domain.scan import LibraryScan
    from stoat.services import Services
    from stoat.settings import Settings

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 3
SAVE_BATCH = 200
PROGRESS_INTERVAL_SECONDS = 1.0
MAX_REPORTED_ERRORS = 1000


class ScanRunner:
    """Runs one scan to a terminal event."""

    def __init__(self, services: Services) -> None:
        self._services = services
        settings = services.settings
        self.workers = settings.scan_workers or os.cpu_count() or 1
        # The library's own derived files are not media to import.
        self._skip = {str(settings.library_dir.resolve())}

    def run(self, scan_id: str) -> None:
        app = self._services.app
        scan = load_scan(app, scan_id)
        if scan.finished:
            log.info("scan_already_finished", scan_id=scan_id, status=scan.status)
            return
        context = dict(system_context(request_id=f"scan:{scan_id}"))
        if scan.attempts >= MAX_ATTEMPTS:
            scan.fail(f"abandoned after {scan.attempts} attempts", context)
            self._save_scan(scan)
            return
        scan.start(context)
        recordings = self._save_scan(scan)
        if recordings is None:
            return
        try:
            report = self.scan(scan, context, after=recordings)
        except Exception as error:
            log.exception("scan_failed", scan_id=scan_id)
            scan.fail(f"{type(error).__name__}: {error}", context)
        else:
            scan.complete(report, context)
        self._save_scan(scan)

    def scan(self, scan: LibraryScan, context: dict[str, Any], *, after: int = 0) -> dict[str, Any]:
        """Examines everything under the scan's path and records what changed.

        ``after`` is the log position the read models must reach before the library's
        view of the directory is trusted to find missing files.
        """
        started = time.monotonic()
        tally = _Tally(scan, self._services, context)
        if not os.path.exists(scan.path):
            raise FileNotFoundError(f"{scan.path} no longer exists")
        candidates = self._candidates(scan, tally)
        tally.found += len(candidates)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="stoat-scan") as pool:
            for observation in pool.map(self._examine, candidates):
                video = record(observation, context, scan_id=str(scan.id))
                tally.add(observation, video)
        if os.path.isdir(scan.path):
            self._find_missing(scan, set(candidates), tally, after)
        tally.flush()
        return tally.report(time.monotonic() - started)

    def _examine(self, path: str) -> Observation:
        known = find_video(self._services.app, str(video_id_for(path)))
        return examine(self._services.prober, path, known)

    def _candidates(self, scan: LibraryScan, tally: _Tally) -> list[str]:
        if not os.path.isdir(scan.path):
            return [scan.path]
        seen: dict[str, None] = {}
        for path in self._walk(scan.path, scan.recursive, tally):
            seen.setdefault(path)
        return list(seen)

    def _walk(self, directory: str, recursive: bool, tally: _Tally) -> Iterator[str]:
        """Media files under ``directory``, in name order; symlinks are followed to files
        inside the roots only, never to directories (no loops)."""
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            tally.error(FileError(directory, "directory_unreadable", str(error.strerror)))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue  # hidden files and folders, macOS "._x.mp4" resource forks
            if entry.is_symlink():
                yield from self._follow(entry, tally)
            elif entry.is_dir(follow_symlinks=False):
                if recursive and entry.path not in self._skip:
                    yield from self._walk(entry.path, recursive, tally)
            elif is_media_name(entry.name):
                yield entry.path
            else:
                tally.skipped += 1

    def _follow(self, entry: os.DirEntry[str], tally: _Tally) -> Iterable[str]:
        if not is_media_name(entry.name):
            tally.skipped += 1
            return []
        try:
            target = check_path(entry.path, self._services.settings.allowed_roots)
        except ValidationError as error:
            (item, *_) = error.errors()
            code = "path_outside_roots" if item["code"] == "path_outside_roots" else "bad_link"
            tally.found += 1
            tally.error(FileError(entry.path, code, f"symlink not followed: {item['msg']}"))
            return []
        return [] if os.path.isdir(target) else [target]

    def _find_missing(self, scan: LibraryScan, found: set[str], tally: _Tally, after: int) -> None:
        views = self._services.views
        try:
            views.wait(after, timeout=self._services.settings.read_wait_seconds)
        except ReadTimeout:
            log.warning("scan_missing_check_skipped", scan_id=str(scan.id))
            return
        for video_id, path, status in videos_under(views, scan.path):
            if status != VideoStatus.PRESENT.value or path in found:
                continue
            if not scan.recursive and posixpath.dirname(path) != scan.path:
                continue
            if os.path.lexists(path):
                continue  # still there: hidden, or no longer named like media
            video = find_video(self._services.app, video_id)
            if video is not None and video.status is VideoStatus.PRESENT:
                video.mark_missing(tally.context, scan_id=str(scan.id))
                tally.missing += 1
                tally.pending(video, None)
            else:
                log.debug("scan_missing_stale_view", video_id=video_id)

    def _save_scan(self, scan: LibraryScan) -> int | None:
        try:
            recordings = self._services.app.save(scan)
        except RecordConflictError:
            log.warning("scan_lost_race", scan_id=str(scan.id))
            return None
        return recordings[-1].notification.id if recordings else 0


class _Tally:
    """Counts outcomes, keeps the first errors, saves events in batches, reports progress."""

    def __init__(self, scan: LibraryScan, services: Services, context: dict[str, Any]) -> None:
        self.scan = scan
        self.services = services
        self.context = context
        self.found = self.processed = self.skipped = self.missing = self.failed = 0
        self.counts = dict.fromkeys(Outcome, 0)
        self.errors: list[dict[str, str]] = []
        self._batch: list[tuple[Video, Outcome | None]] = []
        self._last_progress = time.monotonic()

    def add(self, observation: Observation, video: Video | None) -> None:
        self.processed += 1
        self.counts[observation.outcome] += 1
        if observation.error is not None:
            self.error(observation.error)
        if video is not None:
            self.pending(video, observation.outcome)
        if time.monotonic() - self._last_progress >= PROGRESS_INTERVAL_SECONDS:
            self.flush()
            self._last_progress = time.monotonic()
            self.scan.progress(self.found, self.processed, self.context)
            self.services.app.save(self.scan)

    def error(self, error: FileError) -> None:
        """One path that could not be taken into the library (the first 1000 are kept)."""
        self.failed += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error.as_dict())

    def pending(self, video: Video, outcome: Outcome | None) -> None:
        self._batch.append((video, outcome))
        if len(self._batch) >= SAVE_BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self._batch = self._batch, []
        if not batch:
            return
        try:
            self.services.app.save(*(video for video, _ in batch))
        except RecordConflictError:
            # Another writer (an import, an overlapping scan) touched one of them: save
            # the others one by one, and report the ones that lost.
            for video, outcome in batch:
                try:
                    self.services.app.save(video)
                except RecordConflictError:
                    if outcome is not None:
                        self.counts[outcome] -= 1
                    self.error(
                        FileError(
                            video.path,
                            "changed_concurrently",
                            "another import or scan changed this video at the same time; "
                            "scan again",
                        )
                    )

    def report(self, elapsed: float) -> dict[str, Any]:
        c = self.counts
        return {
            "found": self.found,
            "processed": self.processed,
            "new": c[Outcome.NEW] + c[Outcome.RESTORED],
            "updated": c[Outcome.CHANGED] + c[Outcome.FOUND],
            "unchanged": c[Outcome.UNCHANGED] + c[Outcome.TOUCHED],
            "missing": self.missing,
            "failed": self.failed,
            "skipped": self.skipped,
            "errors": self.errors,
            "errors_omitted": self.failed - len(self.errors),
            "elapsed_seconds": round(elapsed, 3),
        }


LIBRARY_SCAN_QUEUE = "library_scans"
MEDIA_ASSETS_QUEUE = "media_assets"
SCAN_TIME_LIMIT_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class LibraryJobs:
    """The library's actors; ``assets`` is None when derived media are not made."""

    settings: Settings
    scan: dramatiq.Actor[[str], None]
    assets: dramatiq.Actor[[str], None] | None

    def start_worker(self, broker: dramatiq.Broker) -> dramatiq.Worker:
        """A worker for the library's queues, apart from the render worker: one thread
        for a scan (which runs its own probing pool) and ``asset_workers`` for derived
        media, so renders never wait behind thumbnails."""
        queues = {LIBRARY_SCAN_QUEUE}
        threads = 1
        if self.assets is not None:
            queues.add(MEDIA_ASSETS_QUEUE)
            threads += max(1, self.settings.asset_workers)
        # Idle threads look for work every 100 ms (the broker polls that often anyway),
        # so stopping takes a tenth of a second rather than dramatiq's default second.
        worker = dramatiq.Worker(broker, queues=queues, worker_threads=threads, worker_timeout=100)
        worker.start()
        return worker


def library_jobs(services: Services, broker: dramatiq.Broker) -> LibraryJobs:
    """Declares the scan and asset actors on ``broker``."""
    settings = services.settings
    scan: dramatiq.Actor[[str], None] = dramatiq.actor(
        actor_name="scan_library",
        queue_name=LIBRARY_SCAN_QUEUE,
        broker=broker,
        max_retries=0,
        time_limit=SCAN_TIME_LIMIT_MS,
    )(ScanRunner(services).run)
    assets: dramatiq.Actor[[str], None] | None = None
    if settings.asset_workers > 0:
        runner = AssetRunner(services, asset_store(settings), proxies=settings.library_proxies)
        assets = dramatiq.actor(
            actor_name="make_media_assets",
            queue_name=MEDIA_ASSETS_QUEUE,
            broker=broker,
            max_retries=0,
            time_limit=int((settings.render_timeout_seconds + 60) * 1000),
        )(runner.run)
    return LibraryJobs(settings, scan, assets)
