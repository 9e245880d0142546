"""Keyframes on every animatable property, and every named easing curve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from stoat._core import EASINGS, value_at
from tests.render._support import (
    BLUE,
    GREEN,
    RED,
    TONE_DB,
    Frames,
    Project,
    band_level,
    frame_color,
    near,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow

CURVES = [e for e in EASINGS if e not in {"ease_in", "ease_out", "ease_in_out"}]


def _keyframes(values: list[tuple[float, float]], easing: str = "linear") -> list[dict[str, Any]]:
    return [{"time": t, "value": v, "easing": easing} for t, v in values]


def test_every_easing_curve_animates_opacity(tmp_path: Path) -> None:
    """One white clip per curve over black, its opacity going 0 to 1 over 14 frames: the
    grey level at frames 4, 7 and 11 is what the core's value_at says (clipped to 0..1,
    since opacity cannot overshoot)."""
    p = Project(output={"width": 160, "height": 120, "fps": "30"})
    n = len(CURVES)
    edits: list[dict[str, Any]] = [
        {"op": "add_clip", "kind": "color", "color": "black", "duration": n / 2},
        {"op": "add_track", "kind": "overlay", "track_id": "ov"},
    ]
    for i, curve in enumerate(CURVES):
        edits += [
            {
                "op": "add_clip",
                "clip_id": f"c{i}",
                "track_id": "ov",
                "kind": "color",
                "color": "white",
                "duration": 0.5,
            },
            {
                "op": "set_keyframes",
                "clip_id": f"c{i}",
                "property": "opacity",
                "keyframes": _keyframes([(0, 0), (14 / 30, 1)], curve),
            },
        ]
    p.edit(*edits)
    frames = Frames(p.render(tmp_path / "curves.mp4", "preview"), 160, 120)
    for i, curve in enumerate(CURVES):
        keyframes = _keyframes([(0, 0), (14 / 30, 1)], curve)
        for frame in (4, 7, 11):
            expected = round(255 * min(max(value_at(keyframes, frame / 30) or 0, 0), 1))
            got = frames.color(15 * i + frame, 80, 60)
            assert near(got, (expected,) * 3), (curve, frame, got, expected)


def test_volume_keyframes(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {"op": "add_clip", "clip_id": "c", "source": str(media / "red.mp4"), "out": 2},
        {
            "op": "set_keyframes",
            "clip_id": "c",
            "property": "volume",
            "keyframes": _keyframes([(0.5, 1), (1.0, 0.5)]),
        },
    )
    out = p.render(tmp_path / "volume.mp4")
    assert band_level(out, 0.1, 0.3, 400, 480) == pytest.approx(TONE_DB, abs=0.5)
    assert band_level(out, 1.2, 0.6, 400, 480) == pytest.approx(TONE_DB - 6.02, abs=0.5)


@pytest.mark.parametrize(
    ("prop", "samples"),
    [
        # A blue 80x60 box at the top left, moved right from x=0 to x=240 over 1 s.
        ("x", [(15, (160, 30), BLUE), (15, (100, 30), RED), (29, (300, 30), BLUE)]),
        ("y", [(15, (40, 110), BLUE), (15, (40, 40), RED), (29, (40, 210), BLUE)]),
    ],
)
def test_position_keyframes(
    media: Path,
    tmp_path: Path,
    prop: str,
    samples: list[tuple[int, tuple[int, int], tuple[int, int, int]]],
) -> None:
    far = 240 if prop == "x" else 180
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "red.mp4"), "out": 1},
        {"op": "add_track", "kind": "overlay", "track_id": "ov"},
        {
            "op": "add_clip",
            "clip_id": "box",
            "track_id": "ov",
            "kind": "color",
            "color": "blue",
            "duration": 1,
            "transform": {"scale": 0.25, "position": "top_left"},
        },
        {
            "op": "set_keyframes",
            "clip_id": "box",
            "property": prop,
            "keyframes": _keyframes([(0, 0), (1, far)]),
        },
    )
    out = p.render(tmp_path / f"{prop}.mp4")
    for frame, point, expected in samples:
        assert near(frame_color(out, frame, *point), expected), (frame, point)


def test_scale_keyframes(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "red.mp4"), "out": 1},
        {"op": "add_track", "kind": "overlay", "track_id": "ov"},
        {
            "op": "add_clip",
            "clip_id": "g",
            "track_id": "ov",
            "source": str(media / "green.mp4"),
            "out": 1,
        },
        {
            "op": "set_keyframes",
            "clip_id": "g",
            "property": "scale",
            "keyframes": _keyframes([(0, 0.5), (1, 1)], "ease_out_quad"),
        },
    )
    out = p.render(tmp_path / "scale.mp4")
    assert near(frame_color(out, 1, 160, 120), GREEN)
    assert near(frame_color(out, 1, 60, 120), RED)  # half size: 80..240
    assert near(frame_color(out, 29, 60, 120), GREEN)  # nearly full size


def test_blur_keyframes_without_a_blur_effect(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {"op": "add_clip", "clip_id": "q", "source": str(media / "quad.mp4"), "out": 1},
        {
            "op": "set_keyframes",
            "clip_id": "q",
            "property": "blur",
            "keyframes": _keyframes([(0, 0), (0.5, 20)]),
        },
    )
    out = p.render(tmp_path / "blur.mp4")
    assert near(frame_color(out, 1, 150, 30), RED)
    blurred = frame_color(out, 25, 150, 30)
    assert blurred[1] > 40, blurred
