"""The Video and LibraryScan aggregates: given past events, a command, expected events."""

from __future__ import annotations

from typing import Any

import pytest

from stoat.domain.scan import LibraryScan, ScanStateError, ScanStatus
from stoat.domain.video import (
    UpdateReason,
    Video,
    VideoNotPresentError,
    VideoRemovedError,
    VideoStatus,
    video_id_for,
)

CONTEXT: dict[str, Any] = {"actor": "k1", "request_id": "r1", "idempotency_key": None}
FILE = {"size": 10, "mtime_ns": 1, "content_hash": "aa"}
MEDIA: dict[str, Any] = {"kind": "video", "duration": 1_000_000, "streams": []}


def imported(path: str = "/media/a.mp4") -> Video:
    return Video.import_file(
        path=path,
        file=FILE,  # type: ignore[arg-type]
        media=MEDIA,  # type: ignore[arg-type]
        tags=["x"],
        metadata={"k": 1},
        context=CONTEXT,
    )


def status(video: Video) -> VideoStatus:
    return video.status


def names(video: Video) -> list[str]:
    return [type(event).__name__ for event in video.collect_events()]


def test_the_id_is_derived_from_the_canonical_path() -> None:
    video = imported("/media/a.mp4")
    assert video.id == video_id_for("/media/a.mp4")
    assert video_id_for("/media/a.mp4") != video_id_for("/media/b.mp4")
    assert (video.path, video.tags, video.status) == ("/media/a.mp4", ["x"], VideoStatus.PRESENT)
    assert names(video) == ["VideoImported"]


def test_updates_record_the_new_facts_and_the_reason() -> None:
    video = imported()
    video.collect_events()
    video.update(
        UpdateReason.CHANGED, {"size": 11, "mtime_ns": 2, "content_hash": "bb"}, MEDIA, CONTEXT
    )
    (event,) = video.collect_events()
    assert isinstance(event, Video.VideoUpdated)
    assert (event.reason, video.content_hash, video.version) == ("changed", "bb", 2)


def test_missing_then_found_again() -> None:
    video = imported()
    video.mark_missing(CONTEXT, scan_id="s1")
    assert status(video) is VideoStatus.MISSING
    with pytest.raises(VideoNotPresentError):
        video.mark_missing(CONTEXT)
    video.update(UpdateReason.FOUND, FILE, MEDIA, CONTEXT)  # type: ignore[arg-type]
    assert status(video) is VideoStatus.PRESENT
    assert names(video) == ["VideoImported", "VideoMissing", "VideoUpdated"]


def test_annotating_with_the_same_values_records_nothing() -> None:
    video = imported()
    video.collect_events()
    assert video.annotate(["x"], {"k": 1}, CONTEXT) is False
    assert video.annotate(["x", "y"], {"k": 2}, CONTEXT) is True
    assert names(video) == ["VideoAnnotated"]
    assert (video.tags, video.metadata) == (["x", "y"], {"k": 2})


def test_a_removed_video_refuses_changes_until_restored() -> None:
    video = imported()
    video.remove(CONTEXT)
    assert video.removed
    with pytest.raises(VideoRemovedError):
        video.annotate([], {}, CONTEXT)
    with pytest.raises(VideoRemovedError):
        video.remove(CONTEXT)
    video.restore(FILE, MEDIA, tags=[], metadata={}, context=CONTEXT)  # type: ignore[arg-type]
    assert video.status is VideoStatus.PRESENT
    assert (video.tags, video.metadata) == ([], {})
    with pytest.raises(VideoNotPresentError):
        video.restore(FILE, MEDIA, tags=[], metadata={}, context=CONTEXT)  # type: ignore[arg-type]
    assert names(video)[-2:] == ["VideoRemoved", "VideoRestored"]


def test_a_scan_runs_once_to_a_terminal_event() -> None:
    from uuid import uuid4

    scan = LibraryScan.request(scan_id=uuid4(), path="/media", recursive=True, context=CONTEXT)
    with pytest.raises(ScanStateError):
        scan.progress(1, 1, CONTEXT)
    scan.start(CONTEXT)
    scan.progress(3, 1, CONTEXT)
    scan.complete({"found": 3}, CONTEXT)
    assert scan.status is ScanStatus.COMPLETED
    assert scan.finished
    with pytest.raises(ScanStateError):
        scan.start(CONTEXT)
    assert [type(e).__name__ for e in scan.collect_events()] == [
        "ScanRequested",
        "ScanStarted",
        "ScanProgressed",
        "ScanCompleted",
    ]
