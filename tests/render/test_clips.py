"""Clips of every kind, conformed to the output, and their per-clip changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.media import probe, stream
from tests.render._support import (
    AAC_FRAME,
    BLUE,
    FRAME,
    GREEN,
    RED,
    TONE_DB,
    WHITE,
    Project,
    band_level,
    color,
    near,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow

BLACK = (0, 0, 0)


def test_kinds_back_to_back_end_together(media: Path, tmp_path: Path) -> None:
    """Media (VFR, mono 44.1 kHz, silent), image, colour and text clips: exact frames,
    the sound padded to the picture's length."""
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "vfr.mkv"), "out": 1},
        {"op": "add_clip", "source": str(media / "mono44.mp4"), "out": 1},
        {"op": "add_clip", "kind": "image", "source": str(media / "still.png"), "duration": 0.5},
        {"op": "add_clip", "kind": "color", "color": "blue", "duration": 0.5},
        {"op": "add_clip", "source": str(media / "blue.mp4"), "out": 0.5},
        {
            "op": "add_clip",
            "kind": "text",
            "text": "T",
            "duration": 0.5,
            "style": {"size": 200, "color": "white"},
        },
    )
    out = p.render(tmp_path / "kinds.mp4")
    probed = probe(out)
    video, audio = stream(probed, "video"), stream(probed, "audio")
    assert (video["codec_name"], audio["codec_name"]) == ("h264", "aac")
    assert (video["width"], video["height"], video["r_frame_rate"]) == (320, 240, "30/1")
    assert int(video["nb_read_frames"]) == 120
    assert float(video["duration"]) == pytest.approx(4.0, abs=FRAME)
    assert float(audio["duration"]) == pytest.approx(float(video["duration"]), abs=AAC_FRAME)
    assert (int(audio["sample_rate"]), audio["channels"]) == (48000, 2)
    for seconds, expected in [(0.5, GREEN), (1.5, RED), (2.25, RED), (2.75, BLUE), (3.25, BLUE)]:
        assert near(color(out, seconds, 160, 120), expected), seconds
    assert near(color(out, 3.75, 20, 20), BLACK)  # the title's transparent background
    assert band_level(out, 1.2, 0.6, 600, 720) == pytest.approx(TONE_DB, abs=1)  # 44.1k mono
    assert band_level(out, 0.2, 0.6, 100, 4000) < -60  # vfr.mkv has no sound: silence


def test_rotation_metadata_is_applied_before_fitting(media: Path, tmp_path: Path) -> None:
    """rotated.mp4 is stored 320x240 with its right half red, and carries a 90 degree
    (counter-clockwise) rotation: shown 240x320 with red on top, pillarboxed."""
    p = Project().edit({"op": "add_clip", "source": str(media / "rotated.mp4"), "out": 1})
    out = p.render(tmp_path / "rotated.mp4")
    assert near(color(out, 0.5, 30, 120), BLACK)  # pillar
    assert near(color(out, 0.5, 290, 120), BLACK)
    assert near(color(out, 0.5, 160, 40), RED)
    assert near(color(out, 0.5, 160, 200), BLUE)


@pytest.mark.parametrize(
    ("fit", "samples"),
    [
        ("contain", [((160, 20), BLACK), ((160, 120), RED)]),
        ("cover", [((160, 20), RED), ((160, 120), RED)]),
        ("stretch", [((160, 20), RED), ((5, 120), RED)]),
    ],
)
def test_fit_modes(
    media: Path, tmp_path: Path, fit: str, samples: list[tuple[tuple[int, int], tuple[int, ...]]]
) -> None:
    """wide.mp4 is 640x240 (2:1) into 320x240."""
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "wide.mp4"), "out": 0.5, "transform": {"fit": fit}}
    )
    out = p.render(tmp_path / f"{fit}.mp4")
    for (x, y), expected in samples:
        assert near(color(out, 0.25, x, y), expected), (x, y)


def test_contain_bars_take_the_background_colour(media: Path, tmp_path: Path) -> None:
    p = Project(output={"width": 320, "height": 240, "fps": "30", "background": "white"})
    p.edit({"op": "add_clip", "source": str(media / "wide.mp4"), "out": 0.5})
    out = p.render(tmp_path / "bars.mp4")
    assert near(color(out, 0.25, 160, 20), WHITE)
    assert near(color(out, 0.25, 160, 120), RED)


QUAD = {"tl": RED, "tr": GREEN, "bl": BLUE, "br": WHITE}
POINTS = {"tl": (80, 60), "tr": (240, 60), "bl": (80, 180), "br": (240, 180)}


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        ({"flip_h": True}, {"tl": GREEN, "tr": RED, "bl": WHITE, "br": BLUE}),
        ({"flip_v": True}, {"tl": BLUE, "tr": WHITE, "bl": RED, "br": GREEN}),
        ({"rotate": 180}, {"tl": WHITE, "tr": BLUE, "bl": GREEN, "br": RED}),
        # The top-left quarter of the source, fitted to the whole frame.
        ({"crop": {"right": 0.5, "bottom": 0.5}}, dict.fromkeys(QUAD, RED)),
        # Half size in the top-left corner, the rest shows the background.
        (
            {"scale": 0.5, "position": "top_left"},
            {"tl": None, "tr": BLACK, "bl": BLACK, "br": BLACK},
        ),
        # Moved right by 160 pixels: the left half shows the background.
        ({"x": 160}, {"tl": BLACK, "tr": RED, "bl": BLACK, "br": BLUE}),
        (
            {"opacity": 0.5},
            {"tl": (128, 0, 0), "tr": (0, 128, 0), "bl": (0, 0, 128), "br": (128, 128, 128)},
        ),
    ],
)
def test_transforms(
    media: Path,
    tmp_path: Path,
    transform: dict[str, object],
    expected: dict[str, tuple[int, int, int] | None],
) -> None:
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "quad.mp4"), "out": 0.5, "transform": transform}
    )
    out = p.render(tmp_path / "t.mp4")
    for corner, want in expected.items():
        if want is not None:
            got = color(out, 0.25, *POINTS[corner])
            assert near(got, want, 10), (corner, got, want)
    if transform.get("scale") == 0.5:
        # The quarter-size quadrants: red at (40, 30), white at (120, 90).
        assert near(color(out, 0.25, 40, 30), RED)
        assert near(color(out, 0.25, 120, 90), WHITE)


def test_speed_keeps_pitch_and_shortens(media: Path, tmp_path: Path) -> None:
    """steps.mp4: red 440 Hz, green 880 Hz, blue 1760 Hz, one second each. At 2x the
    clip lasts 1.5 s, colours change every 0.5 s, and the tones keep their pitch."""
    p = Project().edit({"op": "add_clip", "source": str(media / "steps.mp4"), "speed": 2})
    out = p.render(tmp_path / "fast.mp4")
    video = stream(probe(out), "video")
    assert int(video["nb_read_frames"]) == 45
    for seconds, expected in [(0.25, RED), (0.75, GREEN), (1.25, BLUE)]:
        assert near(color(out, seconds, 160, 120), expected), seconds
    assert band_level(out, 0.55, 0.4, 800, 960) > band_level(out, 0.55, 0.4, 1600, 1920) + 20
    assert band_level(out, 0.55, 0.4, 800, 960) > -25


def test_slow_motion(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "steps.mp4"), "out": 1, "speed": 0.5}
    )
    out = p.render(tmp_path / "slow.mp4")
    assert int(stream(probe(out), "video")["nb_read_frames"]) == 60
    assert near(color(out, 1.8, 160, 120), RED)
    assert band_level(out, 0.5, 1.0, 400, 480) > -25  # still 440 Hz


def test_reverse_plays_backwards(media: Path, tmp_path: Path) -> None:
    p = Project().edit({"op": "add_clip", "source": str(media / "steps.mp4"), "reverse": True})
    out = p.render(tmp_path / "reverse.mp4")
    for seconds, expected in [(0.2, BLUE), (1.5, GREEN), (2.8, RED)]:
        assert near(color(out, seconds, 160, 120), expected), seconds
    assert band_level(out, 0.1, 0.8, 1600, 1920) > -25
    assert band_level(out, 2.1, 0.8, 400, 480) > -25
    # The reversed sound is aligned with its picture: the 1760 Hz ends at 1 s.
    assert band_level(out, 1.03, 0.9, 1600, 1920) < -50


def test_freeze_holds_a_frame_in_silence(media: Path, tmp_path: Path) -> None:
    """Freeze at 1.5 s (green) for 1 s: green 1 s to 2.5 s, silent meanwhile, then green
    and blue again."""
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "steps.mp4"), "freeze": {"at": 1.5, "duration": 1}}
    )
    out = p.render(tmp_path / "freeze.mp4")
    assert int(stream(probe(out), "video")["nb_read_frames"]) == 120
    for seconds, expected in [(0.5, RED), (1.2, GREEN), (2.2, GREEN), (2.8, GREEN), (3.6, BLUE)]:
        assert near(color(out, seconds, 160, 120), expected), seconds
    assert band_level(out, 1.6, 0.8, 100, 4000) < -60
    assert band_level(out, 2.6, 0.3, 800, 960) > -25


def test_clip_volume_and_mute(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {"op": "add_clip", "clip_id": "a", "source": str(media / "red.mp4"), "out": 1},
        {
            "op": "add_clip",
            "clip_id": "b",
            "source": str(media / "red.mp4"),
            "out": 1,
            "volume": 0.5,
        },
        {
            "op": "add_clip",
            "clip_id": "c",
            "source": str(media / "red.mp4"),
            "out": 1,
            "muted": True,
        },
    )
    out = p.render(tmp_path / "volume.mp4")
    full, half = band_level(out, 0.2, 0.6, 400, 480), band_level(out, 1.2, 0.6, 400, 480)
    assert half == pytest.approx(full - 6.02, abs=0.5)
    assert band_level(out, 2.2, 0.6, 100, 4000) < -60
