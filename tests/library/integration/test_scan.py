"""Scans of a real folder: per-file failures, cheap and idempotent rescans, changes."""

from __future__ import annotations

import os
import shutil
import threading
from typing import TYPE_CHECKING, Any

import pytest

from stoat.commands.library import MediaRoots, load_scan, request_scan
from stoat.domain.context import system_context
from stoat.domain.video import Video, video_id_for
from stoat.media import files
from stoat.projections.library_queries import VideoQuery, search_videos
from stoat.runtime import Runtime
from stoat.workers.scan import ScanRunner
from tests.library._support import BAD, GOOD
from tests.media import make_clip

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from stoat.settings import Settings
    from tests.library.conftest import FileAccess


@pytest.fixture
def quiet(settings: Settings) -> Iterator[Runtime]:
    """Projections only: the test runs scans itself, synchronously."""
    runtime = Runtime(settings)
    runtime.start(jobs=False)
    try:
        yield runtime
    finally:
        runtime.stop()


class Counting:
    """Counts ffprobe and fingerprint calls made by scans."""

    def __init__(self, runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
        self.probed: list[str] = []
        self.hashed: list[str] = []
        prober = runtime.services.prober
        details = prober.details
        fingerprint = files.fingerprint

        def counted_details(path: str) -> Any:
            self.probed.append(path)
            return details(path)

        def counted_fingerprint(path: str, size: int) -> str:
            self.hashed.append(path)
            return fingerprint(path, size)

        monkeypatch.setattr(prober, "details", counted_details)
        monkeypatch.setattr("stoat.commands._library_files.fingerprint", counted_fingerprint)

    def reset(self) -> None:
        self.probed.clear()
        self.hashed.clear()


@pytest.fixture
def counting(quiet: Runtime, monkeypatch: pytest.MonkeyPatch) -> Counting:
    return Counting(quiet, monkeypatch)


def run_scan(runtime: Runtime, path: Path, *, recursive: bool = True) -> dict[str, Any]:
    services = runtime.services
    result = request_scan(
        services.app,
        MediaRoots.from_settings(services.settings),
        path=str(path),
        recursive=recursive,
        context=system_context("test"),
    )
    ScanRunner(services).run(result.id)
    scan = load_scan(services.app, result.id)
    assert scan.status == "completed", scan.status
    services.views.wait(services.app.recorder.max_notification_id() or 0, timeout=10)
    from stoat.projections.library_queries import get_scan

    return get_scan(services.views, result.id)


def video_events(runtime: Runtime) -> list[str]:
    recorder = runtime.services.app.recorder
    return [
        n.topic.rpartition(".")[2]
        for n in recorder.select_notifications(start=1, limit=10_000)
        if ":Video." in n.topic
    ]


def listed(runtime: Runtime, **filters: Any) -> dict[str, dict[str, Any]]:
    items, _ = search_videos(runtime.services.views, VideoQuery(limit=500, **filters))
    return {item["name"]: item for item in items}


def test_a_scan_imports_the_media_and_reports_each_bad_file(
    quiet: Runtime, library_media: Path
) -> None:
    report = run_scan(quiet, library_media)
    assert report["status"] == "completed"
    counts = {key: report[key] for key in ("found", "new", "updated", "unchanged", "failed")}
    assert counts == {"found": 8, "new": 6, "updated": 0, "unchanged": 0, "failed": 2}
    assert (report["missing"], report["skipped"]) == (0, 1)  # notes.txt
    assert {(e["path"].rpartition("/")[2], e["code"]) for e in report["errors"]} == {
        ("truncated.mp4", "not_media"),
        ("fake_clip.mp4", "not_media"),
    }
    videos = listed(quiet)
    assert {name: doc["kind"] for name, doc in videos.items()} == {
        path.rpartition("/")[2]: kind for path, kind in GOOD.items()
    }
    assert not BAD & set(videos)
    assert "hidden.mp4" not in videos  # .cache/ is skipped
    assert videos["portrait_interview.mp4"]["display_width"] == 120


def test_files_are_probed_once_each_and_in_parallel(
    quiet: Runtime, library_media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ffprobe runs once per file, up to ``scan_workers`` (2 here) at a time: the first
    probe waits (10 s at most) until a second one runs beside it."""
    prober = quiet.services.prober
    details = prober.details
    lock = threading.Lock()
    overlapped = threading.Event()
    probed: list[str] = []
    running = [0, 0]  # now, most at once

    def watched_details(path: str) -> Any:
        with lock:
            probed.append(path)
            running[0] += 1
            running[1] = max(running)
            if running[0] > 1:
                overlapped.set()
        try:
            overlapped.wait(timeout=10)
            return details(path)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(prober, "details", watched_details)
    report = run_scan(quiet, library_media)
    assert (report["new"], report["failed"]) == (6, 2)
    assert sorted(probed) == sorted(str(library_media / name) for name in (*GOOD, *BAD))
    assert running[1] == quiet.services.settings.scan_workers == 2


def test_a_rescan_of_unchanged_files_only_stats_them(
    quiet: Runtime, library_media: Path, counting: Counting
) -> None:
    run_scan(quiet, library_media)
    before = video_events(quiet)
    counting.reset()
    report = run_scan(quiet, library_media)
    assert (report["new"], report["updated"], report["unchanged"]) == (0, 0, 6)
    assert video_events(quiet) == before  # idempotent: no Video events at all
    assert sorted(p.rpartition("/")[2] for p in counting.probed) == sorted(BAD)
    assert sorted(p.rpartition("/")[2] for p in counting.hashed) == sorted(BAD)


def test_touched_changed_missing_and_returning_files(
    quiet: Runtime, library_media: Path, counting: Counting
) -> None:
    run_scan(quiet, library_media)
    counting.reset()
    touched = library_media / "voiceover.wav"
    os.utime(touched, ns=(1, 1_000_000_000))
    make_clip(library_media / "beach_sunset.mp4", color="white", seconds=1, size="320x240")
    moved = library_media.parent / "city_night.mov"
    shutil.move(library_media / "city_night.mov", moved)

    report = run_scan(quiet, library_media)
    assert (report["updated"], report["unchanged"], report["missing"]) == (1, 4, 1)
    assert [p.rpartition("/")[2] for p in counting.probed if "beach" in p] == ["beach_sunset.mp4"]
    assert not [p for p in counting.probed if "voiceover" in p]  # same content: no probe
    videos = listed(quiet)
    assert videos["beach_sunset.mp4"]["width"] == 320
    assert videos["city_night.mov"]["status"] == "missing"
    assert listed(quiet, status="missing").keys() == {"city_night.mov"}
    assert video_events(quiet)[-3:] == ["VideoUpdated", "VideoUpdated", "VideoMissing"]

    shutil.move(moved, library_media / "city_night.mov")
    report = run_scan(quiet, library_media)
    assert (report["updated"], report["missing"]) == (1, 0)
    assert listed(quiet)["city_night.mov"]["status"] == "present"


def test_a_non_recursive_scan_stays_in_its_directory(quiet: Runtime, library_media: Path) -> None:
    report = run_scan(quiet, library_media, recursive=False)
    assert report["new"] == 5
    assert "forest_walk.mp4" not in listed(quiet)
    (library_media / "trips/forest_walk.mp4").unlink()
    assert run_scan(quiet, library_media, recursive=False)["missing"] == 0


def test_links_out_of_the_roots_and_fifos_are_reported_not_read(
    quiet: Runtime,
    library_media: Path,
    outside: Path,
    file_access: Callable[[], FileAccess],
) -> None:
    (library_media / "escape.mp4").symlink_to(outside)
    (library_media / "inside_link.mp4").symlink_to(library_media / "trips/forest_walk.mp4")
    os.mkfifo(library_media / "pipe.mp4")
    report = run_scan(quiet, library_media)
    errors = {e["path"].rpartition("/")[2]: e["code"] for e in report["errors"]}
    assert errors["escape.mp4"] == "path_outside_roots"
    assert errors["pipe.mp4"] == "not_a_file"
    assert file_access().touched(str(outside)) == []
    assert file_access().touched("outside") == []
    # A link inside the roots is the file it points to, recorded once under its real path.
    assert [v for v in listed(quiet) if v == "forest_walk.mp4"] == ["forest_walk.mp4"]
    assert "inside_link.mp4" not in listed(quiet)


def test_removed_videos_come_back_with_a_scan(quiet: Runtime, library_media: Path) -> None:
    run_scan(quiet, library_media)
    app = quiet.services.app
    video: Video = app.repository.get(video_id_for(str(library_media / "voiceover.wav")))
    video.remove(dict(system_context("t")))
    app.save(video)
    report = run_scan(quiet, library_media)
    assert report["new"] == 1
    assert video_events(quiet)[-2:] == ["VideoRemoved", "VideoRestored"]
    assert "voiceover.wav" in listed(quiet)


def test_a_scan_of_a_vanished_directory_fails_as_a_whole(
    quiet: Runtime, library_media: Path
) -> None:
    services = quiet.services
    target = library_media / "trips"
    result = request_scan(
        services.app,
        MediaRoots.from_settings(services.settings),
        path=str(target),
        recursive=True,
        context=system_context("test"),
    )
    shutil.rmtree(target)
    ScanRunner(services).run(result.id)
    scan = load_scan(services.app, result.id)
    assert scan.status == "failed"
    ScanRunner(services).run(result.id)  # a redelivery leaves a finished scan alone
    assert load_scan(services.app, result.id).version == scan.version
