"""Every effect rendered on generated media, with an objective check of what it did."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.render._support import (
    BLUE,
    RED,
    TONE_DB,
    Project,
    band_level,
    color,
    frame_color,
    loudness,
    near,
    reference,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow

YELLOW = (255, 255, 0)


def _render(
    media: Path,
    tmp_path: Path,
    effect: dict[str, Any],
    source: str = "red.mp4",
    seconds: float = 1,
) -> Path:
    p = Project().edit(
        {"op": "add_clip", "clip_id": "c", "source": str(media / source), "out": seconds},
        {"op": "add_effect", "clip_id": "c", **effect},
    )
    return p.render(tmp_path / f"{effect['type']}.mp4")


def test_text_timed_boxed_and_faded(media: Path, tmp_path: Path) -> None:
    out = _render(
        media,
        tmp_path,
        {
            "type": "text",
            "params": {
                "text": "HHHH",
                "start": 0.25,
                "duration": 0.5,
                "fade_in": 0.2,
                "fade_out": 0.2,
                "style": {"size": 60, "box": True, "box_color": "blue", "box_padding": 20},
            },
        },
    )
    for y in (90, 120, 150):  # between the letters: the box
        assert near(color(out, 0.1, 160, y), RED)
        assert near(color(out, 0.5, 160, y), BLUE, 10), y
        assert near(color(out, 0.9, 160, y), RED)
    # Frame 11 (0.3667 s) is 0.583 of the way through the fade in.
    assert near(frame_color(out, 11, 160, 120), (106, 0, 149), 8)


def test_text_escapes_everything(media: Path, tmp_path: Path) -> None:
    out = _render(
        media,
        tmp_path,
        {
            "type": "text",
            "params": {
                "text": "It's 50%: [a], b;c = 'd' \\ e\nline two",
                "style": {"position": "top_left"},
            },
        },
    )
    assert near(color(out, 0.5, 300, 220), RED)


def test_fade_from_and_to_colours_with_sound(media: Path, tmp_path: Path) -> None:
    out = _render(
        media,
        tmp_path,
        {"type": "fade", "params": {"fade_in": 0.5, "fade_out": 0.3, "color": "white"}},
    )
    # Frame 7 (0.2333 s): 0.467 red; frame 25 (0.8333 s): 0.556 of red towards white.
    assert near(frame_color(out, 7, 160, 120), (255, 136, 136), 8)
    assert near(frame_color(out, 25, 160, 120), (255, 113, 113), 8)
    assert band_level(out, 0.0, 0.1, 400, 480) < band_level(out, 0.5, 0.1, 400, 480) - 6


@pytest.mark.parametrize(
    "params",
    [
        {"brightness": 0.2},
        {"contrast": 0.5},
        {"saturation": 0.3},
        {"gamma": 2.0},
        {"brightness": -0.1, "contrast": 1.3, "saturation": 1.5, "gamma": 0.8},
    ],
)
def test_color_follows_ffmpeg_eq_scales(
    media: Path, tmp_path: Path, params: dict[str, float]
) -> None:
    out = _render(media, tmp_path, {"type": "color", "params": params}, "quad.mp4")
    eq = ":".join(f"{k}={v}" for k, v in params.items())
    for (x, y), source in [((80, 60), "red"), ((240, 60), "lime"), ((240, 180), "white")]:
        assert near(color(out, 0.5, x, y), reference(source, f"eq={eq}")), (x, y)


def test_blur_softens_edges_only(media: Path, tmp_path: Path) -> None:
    out = _render(media, tmp_path, {"type": "blur", "params": {"sigma": 10}}, "quad.mp4")
    assert near(color(out, 0.5, 40, 30), RED)
    edge = color(out, 0.5, 156, 30)  # 4 pixels left of the red/green edge
    assert 60 < edge[1] < 200, edge


def test_sharpen_restores_an_edge(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {"op": "add_clip", "clip_id": "c", "source": str(media / "quad.mp4"), "out": 1},
        {"op": "add_effect", "clip_id": "c", "type": "blur", "params": {"sigma": 2}},
    )
    soft = p.render(tmp_path / "soft.mp4")
    p.edit({"op": "add_effect", "clip_id": "c", "type": "sharpen", "params": {"amount": 3}})
    sharp = p.render(tmp_path / "sharp.mp4")
    # Next to the edge, blurred green leaks into red; sharpening pushes it back.
    assert color(sharp, 0.5, 159, 30, 2)[1] < color(soft, 0.5, 159, 30, 2)[1] - 10


def test_grayscale(media: Path, tmp_path: Path) -> None:
    out = _render(media, tmp_path, {"type": "grayscale"})
    assert near(color(out, 0.5, 160, 120), reference("red", "hue=s=0"))
    r, g, b = color(out, 0.5, 160, 120)
    assert abs(r - g) <= 3
    assert abs(g - b) <= 3


def test_lut_from_a_cube_file(media: Path, tmp_path: Path) -> None:
    out = _render(media, tmp_path, {"type": "lut", "params": {"path": str(media / "invert.cube")}})
    assert near(color(out, 0.5, 160, 120), (0, 255, 255))


def test_chroma_key_shows_the_track_below(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "blue.mp4"), "out": 1},
        {"op": "add_track", "kind": "overlay", "track_id": "keyed"},
        {
            "op": "add_clip",
            "clip_id": "g",
            "track_id": "keyed",
            "source": str(media / "greenscreen.mp4"),
            "out": 1,
        },
        {
            "op": "add_effect",
            "clip_id": "g",
            "type": "chroma_key",
            "params": {"color": "#00FF00", "similarity": 0.2},
        },
    )
    out = p.render(tmp_path / "key.mp4")
    assert near(color(out, 0.5, 20, 20), BLUE)
    assert near(color(out, 0.5, 160, 120), RED)


def test_image_overlay_anchored_scaled_and_timed(media: Path, tmp_path: Path) -> None:
    out = _render(
        media,
        tmp_path,
        {
            "type": "image_overlay",
            "params": {
                "path": str(media / "logo.png"),
                "position": "top_left",
                "scale": 0.2,
                "start": 0.25,
                "duration": 0.5,
            },
        },
    )
    # 64 pixels wide at 6 pixels from the edges; yellow inside its transparent border.
    assert near(color(out, 0.5, 38, 38), YELLOW)
    assert near(color(out, 0.5, 9, 9), RED)
    assert near(color(out, 0.1, 38, 38), RED)
    assert near(color(out, 0.9, 38, 38), RED)


def test_watermark_defaults(media: Path, tmp_path: Path) -> None:
    out = _render(
        media, tmp_path, {"type": "watermark", "params": {"path": str(media / "logo.png")}}
    )
    # 38 pixels wide, bottom right, 6 pixels in, 60 % opaque over red.
    assert near(color(out, 0.5, 295, 215), (255, 153, 0), 8)
    assert near(color(out, 0.5, 160, 120), RED)


@pytest.mark.parametrize("source", ["file", "cues"])
@pytest.mark.parametrize(("position", "y"), [("bottom_center", 215), ("top_center", 25)])
def test_subtitles(media: Path, tmp_path: Path, source: str, position: str, y: int) -> None:
    params: dict[str, Any] = {"box": True, "box_color": "blue", "position": position}
    if source == "file":
        params["path"] = str(media / "subs.srt")
    else:
        params["cues"] = [{"start": 0, "end": 1, "text": "HHHHHHHH"}]
    out = _render(media, tmp_path, {"type": "subtitles", "params": params}, seconds=1.5)
    assert near(color(out, 0.5, 160, y, 8), BLUE, 10), position
    assert near(color(out, 0.5, 160, 240 - y, 8), RED)
    assert near(color(out, 1.3, 160, y, 8), RED)


def test_volume_gain(media: Path, tmp_path: Path) -> None:
    out = _render(media, tmp_path, {"type": "volume", "params": {"gain": 0.5}})
    assert band_level(out, 0.2, 0.6, 400, 480) == pytest.approx(TONE_DB - 6.02, abs=0.5)


def test_audio_fade(media: Path, tmp_path: Path) -> None:
    out = _render(
        media,
        tmp_path,
        {"type": "audio_fade", "params": {"fade_in": 0.4, "fade_out": 0.4, "curve": "tri"}},
    )
    middle = band_level(out, 0.45, 0.1, 400, 480)
    assert middle == pytest.approx(TONE_DB, abs=1)
    assert band_level(out, 0.0, 0.1, 400, 480) < middle - 10
    assert band_level(out, 0.9, 0.1, 400, 480) < middle - 10
    # From 0.1 s to 0.3 s the gain ramps from 0.25 to 0.75: an RMS gain of 0.52.
    assert band_level(out, 0.1, 0.2, 400, 480) == pytest.approx(TONE_DB - 5.7, abs=1)


def test_clip_loudness(media: Path, tmp_path: Path) -> None:
    out = _render(
        media,
        tmp_path,
        {"type": "loudness", "params": {"target": -16, "true_peak": -1.5}},
        seconds=2,
    )
    integrated, peak = loudness(out)
    assert integrated == pytest.approx(-16, abs=1)
    assert peak <= -1.5 + 0.1
