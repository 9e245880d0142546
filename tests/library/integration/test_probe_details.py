"""ffprobe details on real generated media: rationals, rotation, audio facts, failures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from stoat.media.probe import ProbeError, Prober
from tests.library._support import ffmpeg
from tests.media import make_clip

if TYPE_CHECKING:
    from pathlib import Path

prober = Prober()


def test_a_video_with_audio(library_sources: Path) -> None:
    details = prober.details(str(library_sources / "beach_sunset.mp4"))
    assert details["kind"] == "video"
    assert (details["width"], details["height"], details["rotation"]) == (160, 120, 0)
    assert (details["fps"], details["video_codec"], details["audio_codec"]) == ("30", "h264", "aac")
    assert (details["sample_rate"], details["channels"]) == (48000, 1)
    assert abs(details["duration"] - 2_000_000) < 100_000  # type: ignore[operator]
    assert details["size"] == (library_sources / "beach_sunset.mp4").stat().st_size
    assert details["bit_rate"] is not None
    assert [s["type"] for s in details["streams"]] == ["video", "audio"]


def test_ntsc_frame_rates_stay_exact(tmp_path: Path) -> None:
    path = make_clip(tmp_path / "ntsc.mp4", color="red", seconds=0.5, rate=30, tone=None)
    ffmpeg("-i", str(path), "-c:v", "libx264", "-preset", "ultrafast", "-r", "30000/1001",
           str(tmp_path / "ntsc2.mp4"))  # fmt: skip
    assert prober.details(str(tmp_path / "ntsc2.mp4"))["fps"] == "30000/1001"


def test_rotation_swaps_the_displayed_size(library_sources: Path) -> None:
    details = prober.details(str(library_sources / "portrait_interview.mp4"))
    assert details["rotation"] in (90, 270)
    assert (details["display_width"], details["display_height"]) == (120, 160)


def test_audio_and_images(library_sources: Path) -> None:
    audio = prober.details(str(library_sources / "voiceover.wav"))
    assert (audio["kind"], audio["has_video"], audio["audio_codec"]) == (
        "audio",
        False,
        "pcm_s16le",
    )
    assert (audio["sample_rate"], audio["channels"], audio["fps"]) == (48000, 1, None)
    image = prober.details(str(library_sources / "poster_frame.png"))
    assert (image["kind"], image["duration"], image["width"]) == ("image", None, 64)


def test_cover_art_does_not_make_an_mp3_a_video(tmp_path: Path) -> None:
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32", "-frames:v", "1", str(tmp_path / "c.png"))
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-i", str(tmp_path / "c.png"),
           "-map", "0", "-map", "1", "-c:a", "libmp3lame", "-c:v", "mjpeg",
           "-disposition:v", "attached_pic", str(tmp_path / "song.mp3"))  # fmt: skip
    details = prober.details(str(tmp_path / "song.mp3"))
    assert (details["kind"], details["has_video"]) == ("audio", False)
    assert any(s["attached_pic"] for s in details["streams"])


@pytest.mark.parametrize("name", ["truncated.mp4", "fake_clip.mp4", "notes.txt"])
def test_files_that_are_not_media_raise(library_sources: Path, name: str) -> None:
    with pytest.raises(ProbeError):
        prober.details(str(library_sources / name))


def test_the_decider_facts_keep_their_keys(library_sources: Path) -> None:
    info = prober.probe(str(library_sources / "beach_sunset.mp4"))
    assert set(info) >= {"duration", "has_video", "has_audio", "width", "height"}
    assert (info["has_video"], info["has_audio"], info["width"]) == (True, True, 160)
