"""Library fixtures: a folder of real generated media (good, truncated, not media)."""

from __future__ import annotations

import shutil
import sys
from typing import TYPE_CHECKING, Any

import pytest

from stoat.settings import Settings
from tests.conftest import ADMIN_KEY
from tests.library._support import ffmpeg
from tests.media import make_clip

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@pytest.fixture(scope="session")
def library_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six good files (four videos, one audio, one image), two bad ones, and others."""
    root = tmp_path_factory.mktemp("library-sources")
    (root / "trips").mkdir()
    (root / ".cache").mkdir()
    make_clip(root / "beach_sunset.mp4", color="red", seconds=2, size="160x120", tone=440)
    make_clip(root / "city_night.mov", color="blue", seconds=1, size="320x240", tone=None)
    make_clip(root / "trips/forest_walk.mp4", color="lime", seconds=1, size="160x120", tone=880)
    ffmpeg(
        "-i", str(root / "beach_sunset.mp4"), "-c", "copy",
        "-metadata:s:v:0", "rotate=90", str(root / "portrait_interview.mp4"),
    )  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1",
           str(root / "voiceover.wav"))  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "color=c=yellow:s=64x48", "-frames:v", "1",
           str(root / "poster_frame.png"))  # fmt: skip
    data = (root / "beach_sunset.mp4").read_bytes()
    (root / "truncated.mp4").write_bytes(data[: len(data) // 3])  # moov atom lost
    (root / "fake_clip.mp4").write_text("this is not a video")
    (root / "notes.txt").write_text("not media, by name")
    shutil.copy(root / "beach_sunset.mp4", root / ".cache/hidden.mp4")
    return root


@pytest.fixture
def library_media(tmp_path: Path, library_sources: Path) -> Path:
    """A fresh copy of the sources per test (tests change files)."""
    target = tmp_path / "media"
    shutil.copytree(library_sources, target)
    return target


@pytest.fixture
def outside(tmp_path: Path, library_sources: Path) -> Path:
    """A real media file outside the allowed roots."""
    folder = tmp_path / "outside"
    folder.mkdir()
    shutil.copy(library_sources / "beach_sunset.mp4", folder / "secret.mp4")
    return folder / "secret.mp4"


@pytest.fixture
def settings(tmp_path: Path, library_media: Path) -> Settings:
    """No background asset jobs by default: tests ask for derived media explicitly."""
    return Settings(
        data_dir=tmp_path / "data",
        media_roots=(library_media,),
        sqlite_synchronous="NORMAL",
        read_wait_seconds=10.0,
        admin_key=ADMIN_KEY,
        asset_workers=0,
        scan_workers=2,
    )


class FileAccess:
    """Records the files Python opens and the programs it runs, while recording."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.recording = False

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.recording and event in ("open", "subprocess.Popen", "os.scandir"):
            self.events.append((event, str(args[0])))

    def touched(self, needle: str) -> list[tuple[str, str]]:
        return [item for item in self.events if needle in item[1]]


_ACCESS = FileAccess()
sys.addaudithook(_ACCESS)


@pytest.fixture
def file_access() -> Iterator[Callable[[], FileAccess]]:
    """Start recording file access; the fixture's value returns the recorder."""
    _ACCESS.events.clear()
    _ACCESS.recording = True
    try:
        yield lambda: _ACCESS
    finally:
        _ACCESS.recording = False
