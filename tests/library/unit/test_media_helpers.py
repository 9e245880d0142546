"""Pure helpers of derived media and ranged responses."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

from stoat.http.media_range import _bounds
from stoat.workers.media_assets import AssetStore, default_poster_time, downsample, sprite_times

if TYPE_CHECKING:
    from pathlib import Path


def test_sprite_and_poster_times() -> None:
    assert sprite_times(None) == [0]
    assert sprite_times(10_000_000) == [500_000 + 1_000_000 * i for i in range(10)]
    assert default_poster_time(10_000_000) == 1_000_000
    assert default_poster_time(None) == 0


def test_downsampling_keeps_the_extremes() -> None:
    peaks = [[-0.1, 0.1], [-0.5, 0.2], [-0.2, 0.9], [0.0, 0.0]]
    assert downsample(peaks, 2) == [[-0.5, 0.2], [-0.2, 0.9]]
    assert downsample(peaks, 10) == peaks
    assert downsample([], 3) == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", (0, 9)),
        ("bytes=90-", (90, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=95-200", (95, 99)),
        ("bytes=100-", None),
        ("bytes=5-1", None),
        ("bytes=-0", None),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
    ],
)
def test_byte_ranges(header: str, expected: tuple[int, int] | None) -> None:
    assert _bounds(header, 100) == expected


def test_asset_locks_are_dropped_after_use(tmp_path: Path) -> None:
    store = AssetStore(tmp_path)
    target = tmp_path / "x.txt"
    inside = threading.Event()
    release = threading.Event()

    def slow(tmp: Path) -> None:
        inside.set()
        release.wait(5)
        tmp.write_text("made")

    worker = threading.Thread(target=store._make, args=(target, slow))
    worker.start()
    inside.wait(5)
    assert list(store._locks) == [target]
    release.set()
    worker.join(5)
    assert target.read_text() == "made"
    assert store._locks == {}
    assert store._make(target, slow) == target  # cached: not made again
