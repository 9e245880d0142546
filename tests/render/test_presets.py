"""Every preset, ranges, custom size and rate, determinism and encoder overrides."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING, Any

import pytest

from stoat._core import RENDER_PRESETS, ValidationError, render_presets
from tests.media import probe, stream
from tests.render._support import AAC_FRAME, BLACK, FRAME, GREEN, RED, Project, color, near

if TYPE_CHECKING:
    from pathlib import Path

EXTENSIONS = {p["name"]: p["extension"] for p in render_presets()}


@pytest.fixture
def two(media: Path) -> Project:
    """Red (440 Hz) for 2 s, then green (880 Hz) for 2 s."""
    return Project().edit(
        {"op": "add_clip", "source": str(media / "red.mp4"), "out": 2},
        {"op": "add_clip", "source": str(media / "green.mp4"), "out": 2},
    )


def _out(tmp_path: Path, preset: str) -> Path:
    return tmp_path / f"out.{EXTENSIONS[preset]}"


def test_catalog_lists_every_preset() -> None:
    assert [p["name"] for p in render_presets()] == RENDER_PRESETS
    assert set(RENDER_PRESETS) >= {
        "h264_aac",
        "h265_aac",
        "webm_vp9",
        "prores_mov",
        "gif",
        "mp3",
        "wav",
        "aac",
        "poster_jpg",
        "poster_png",
        "thumbnails",
        "preview",
    }
    h264 = render_presets()[0]
    assert h264["quality"]["crf"] == {"low": 28, "medium": 23, "high": 20, "max": 16}
    assert "h264_nvenc" in h264["video_encoders"]


@pytest.mark.parametrize(("quality", "crf"), [("low", "28"), ("max", "16"), (None, "20")])
def test_quality_levels_pick_the_crf(
    two: Project, tmp_path: Path, quality: str | None, crf: str
) -> None:
    request: dict[str, Any] = {} if quality is None else {"quality": quality}
    argv = two.argv(tmp_path / "q.mp4", **request)
    assert argv[argv.index("-crf") + 1] == crf
    argv = two.argv(tmp_path / "q.mp4", crf=33)
    assert argv[argv.index("-crf") + 1] == "33"


def test_video_encoder_override(two: Project, tmp_path: Path) -> None:
    argv = two.argv(tmp_path / "nv.mp4", video_encoder="h264_nvenc", quality="medium")
    assert argv[argv.index("-c:v") + 1] == "h264_nvenc"
    assert argv[argv.index("-cq") + 1] == "23"
    with pytest.raises(ValidationError) as caught:
        two.argv(tmp_path / "nv.mp4", video_encoder="hevc_nvenc")
    assert caught.value.errors()[0]["loc"] == ("video_encoder",)


VIDEO = [
    ("h264_aac", "h264", "aac", "yuv420p"),
    ("h265_aac", "hevc", "aac", "yuv420p"),
    ("webm_vp9", "vp9", "opus", "yuv420p"),
    ("prores_mov", "prores", "pcm_s16le", "yuv422p10le"),
    ("preview", "h264", "aac", "yuv420p"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("preset", "vcodec", "acodec", "pix_fmt"), VIDEO)
def test_video_presets(
    two: Project, tmp_path: Path, preset: str, vcodec: str, acodec: str, pix_fmt: str
) -> None:
    out = two.render(_out(tmp_path, preset), preset)
    probed = probe(out)
    video, audio = stream(probed, "video"), stream(probed, "audio")
    assert (video["codec_name"], audio["codec_name"], video["pix_fmt"]) == (vcodec, acodec, pix_fmt)
    assert (video["width"], video["height"], video["r_frame_rate"]) == (320, 240, "30/1")
    assert int(video["nb_read_frames"]) == 120
    assert float(probed["format"]["duration"]) == pytest.approx(4.0, abs=FRAME + AAC_FRAME)
    if "duration" in audio:  # Matroska keeps durations on the container only
        assert float(audio["duration"]) == pytest.approx(
            float(video["duration"]), abs=AAC_FRAME + 0.0066
        )
    assert near(color(out, 1.0, 160, 120), RED, 8)
    assert near(color(out, 3.0, 160, 120), GREEN, 8)


@pytest.mark.slow
def test_preview_is_small(tmp_path: Path) -> None:
    p = Project(output={"width": 1280, "height": 720, "fps": "30"}).edit(
        {"op": "add_clip", "kind": "color", "color": "red", "duration": 1}
    )
    video = stream(probe(p.render(tmp_path / "p.mp4", "preview")), "video")
    assert (video["width"], video["height"]) == (640, 360)


@pytest.mark.slow
def test_gif_with_palette(two: Project, tmp_path: Path) -> None:
    out = two.render(tmp_path / "out.gif", "gif")
    video = stream(probe(out), "video")
    assert video["codec_name"] == "gif"
    assert (video["width"], video["height"]) == (320, 240)
    assert int(video["nb_read_frames"]) == 60  # 15 fps by default
    assert near(color(out, 1.0, 160, 120), RED, 8)
    assert near(color(out, 3.0, 160, 120), GREEN, 8)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("preset", "codec"), [("mp3", "mp3"), ("wav", "pcm_s16le"), ("aac", "aac")]
)
def test_audio_presets(two: Project, tmp_path: Path, preset: str, codec: str) -> None:
    out = two.render(_out(tmp_path, preset), preset)
    probed = probe(out)
    assert [s["codec_type"] for s in probed["streams"]] == ["audio"]
    audio = stream(probed, "audio")
    assert (audio["codec_name"], audio["channels"]) == (codec, 2)
    assert float(probed["format"]["duration"]) == pytest.approx(4.0, abs=0.06)


@pytest.mark.slow
@pytest.mark.parametrize(("preset", "codec"), [("poster_jpg", "mjpeg"), ("poster_png", "png")])
def test_poster_frames(two: Project, tmp_path: Path, preset: str, codec: str) -> None:
    out = two.render(_out(tmp_path, preset), preset, time=2.5)
    video = stream(probe(out), "video")
    assert (video["codec_name"], video["width"], video["height"]) == (codec, 320, 240)
    assert near(color(out, 0, 160, 120), GREEN, 8)


@pytest.mark.slow
def test_thumbnails_contact_sheet(two: Project, tmp_path: Path) -> None:
    out = two.render(tmp_path / "t.jpg", "thumbnails", count=4)
    video = stream(probe(out), "video")
    assert (video["width"], video["height"]) == (644, 484)  # 2x2 tiles, 4-pixel padding
    for (x, y), expected in [
        ((160, 120), RED),
        ((484, 120), RED),
        ((160, 364), GREEN),
        ((484, 364), GREEN),
    ]:
        assert near(color(out, 0, x, y), expected, 8), (x, y)


@pytest.mark.slow
def test_range_of_the_timeline(two: Project, tmp_path: Path) -> None:
    out = two.render(tmp_path / "r.mp4", range={"start": 1.5, "end": 3})
    probed = probe(out)
    video, audio = stream(probed, "video"), stream(probed, "audio")
    assert int(video["nb_read_frames"]) == 45
    assert float(audio["duration"]) == pytest.approx(1.5, abs=AAC_FRAME)
    assert near(color(out, 0.2, 160, 120), RED)
    assert near(color(out, 1.2, 160, 120), GREEN)


@pytest.mark.slow
def test_custom_size_rate_and_aspect(two: Project, tmp_path: Path) -> None:
    out = two.render(tmp_path / "c.mp4", width=320, height=320, fps="25")
    video = stream(probe(out), "video")
    assert (video["width"], video["height"], video["r_frame_rate"]) == (320, 320, "25/1")
    assert int(video["nb_read_frames"]) == 100
    assert near(color(out, 1.0, 160, 20), BLACK)  # letterboxed: 320x240 in 320x320
    assert near(color(out, 1.0, 160, 160), RED)


def _framemd5(path: Path) -> bytes:
    return subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-map",
            "0",
            "-f",
            "framemd5",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stdout


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["h264_aac", "webm_vp9"])
def test_renders_are_deterministic(two: Project, tmp_path: Path, preset: str) -> None:
    two.edit(
        {
            "op": "set_transition",
            "from_clip_id": two.timeline.state()["tracks"][0]["clips"][0]["id"],
            "to_clip_id": two.timeline.state()["tracks"][0]["clips"][1]["id"],
            "name": "dissolve",
            "duration": 0.5,
        }
    )
    first = two.render(tmp_path / f"a.{EXTENSIONS[preset]}", preset)
    second = two.render(tmp_path / f"b.{EXTENSIONS[preset]}", preset)
    assert _framemd5(first) == _framemd5(second)
    assert first.read_bytes() == second.read_bytes()
