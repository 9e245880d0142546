"""Transitions: every xfade name compiles and renders; a representative few are checked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from stoat._core import FFMPEG_TRANSITIONS
from tests.media import probe, stream
from tests.render._support import (
    AAC_FRAME,
    FRAME,
    GREEN,
    RED,
    TONE_DB,
    Project,
    band_level,
    color,
    frame_color,
    near,
)

if TYPE_CHECKING:
    from pathlib import Path


def _pair(media: Path, name: str, duration: float = 1.0, curve: str = "tri") -> Project:
    return Project().edit(
        {"op": "add_clip", "clip_id": "a", "source": str(media / "red.mp4"), "out": 2},
        {"op": "add_clip", "clip_id": "b", "source": str(media / "green.mp4"), "out": 2},
        {
            "op": "set_transition",
            "from_clip_id": "a",
            "to_clip_id": "b",
            "name": name,
            "duration": duration,
            "audio_curve": curve,
        },
    )


@pytest.mark.parametrize("name", FFMPEG_TRANSITIONS)
def test_every_transition_compiles(media: Path, tmp_path: Path, name: str) -> None:
    argv = _pair(media, name).argv(tmp_path / "x.mp4")
    graph = argv[argv.index("-filter_complex") + 1]
    assert f"xfade=transition={name}:duration=1:offset=1" in graph
    assert "acrossfade=ns=48000:c1=tri:c2=tri" in graph


@pytest.mark.slow
def test_all_46_render_in_one_timeline(media: Path, tmp_path: Path) -> None:
    """47 half-second clips, red and green in turn, joined by every transition for 0.2 s:
    23.5 - 46 * 0.2 = 14.3 s, and each clip shows its own colour between transitions."""
    p = Project(output={"width": 160, "height": 120, "fps": "30"})
    edits: list[dict[str, object]] = []
    for i in range(47):
        source = "red.mp4" if i % 2 == 0 else "green.mp4"
        edits.append(
            {"op": "add_clip", "clip_id": f"c{i}", "source": str(media / source), "out": 0.5}
        )
    for i, name in enumerate(FFMPEG_TRANSITIONS):
        edits.append(
            {
                "op": "set_transition",
                "from_clip_id": f"c{i}",
                "to_clip_id": f"c{i + 1}",
                "name": name,
                "duration": 0.2,
            }
        )
    p.edit(*edits)
    out = p.render(tmp_path / "all.mp4", "preview")
    probed = probe(out)
    video, audio = stream(probed, "video"), stream(probed, "audio")
    assert int(video["nb_read_frames"]) == 429
    assert float(audio["duration"]) == pytest.approx(14.3, abs=AAC_FRAME + FRAME)
    for i in range(0, 47, 5):
        middle = i * 0.3 + 0.25  # each clip starts 0.3 s after the one before
        expected = RED if i % 2 == 0 else GREEN
        assert near(color(out, middle, 80, 60), expected, 10), (i, FFMPEG_TRANSITIONS[i - 1])


@pytest.mark.slow
def test_fade_blends_and_crossfades_the_sound(media: Path, tmp_path: Path) -> None:
    out = _pair(media, "fade").render(tmp_path / "fade.mp4")
    probed = probe(out)
    video, audio = stream(probed, "video"), stream(probed, "audio")
    # 2 + 2 - 1 seconds: the track is one transition shorter.
    assert int(video["nb_read_frames"]) == 90
    assert float(audio["duration"]) == pytest.approx(3.0, abs=AAC_FRAME)
    assert near(frame_color(out, 15, 160, 120), RED)
    # Frame 45 is halfway: 1 - 15/30 of the first clip.
    assert near(frame_color(out, 45, 160, 120), (128, 128, 0), 8)
    assert near(frame_color(out, 75, 160, 120), GREEN)
    # Both tones at half gain halfway through; each alone outside.
    assert band_level(out, 1.4, 0.2, 400, 480) == pytest.approx(TONE_DB - 6, abs=1.5)
    assert band_level(out, 1.4, 0.2, 800, 960) == pytest.approx(TONE_DB - 6, abs=1.5)
    assert band_level(out, 0.3, 0.5, 800, 960) < -60
    assert band_level(out, 2.3, 0.5, 400, 480) < -60


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "left", "right"),
    [
        ("wipeleft", RED, GREEN),  # the new clip comes in from the right
        ("wiperight", GREEN, RED),
        ("slideleft", RED, GREEN),
    ],
)
def test_directional_transitions(
    media: Path,
    tmp_path: Path,
    name: str,
    left: tuple[int, int, int],
    right: tuple[int, int, int],
) -> None:
    out = _pair(media, name).render(tmp_path / f"{name}.mp4")
    assert near(frame_color(out, 45, 40, 120), left, 10)
    assert near(frame_color(out, 45, 280, 120), right, 10)


@pytest.mark.slow
def test_circleopen_grows_from_the_centre(media: Path, tmp_path: Path) -> None:
    out = _pair(media, "circleopen").render(tmp_path / "circle.mp4")
    assert near(frame_color(out, 45, 160, 120), GREEN, 10)
    assert near(frame_color(out, 45, 5, 5), RED, 10)


@pytest.mark.slow
def test_chained_transitions_keep_offsets(media: Path, tmp_path: Path) -> None:
    """Three clips with two transitions: the second xfade's offset is the running sum
    minus the first overlap (3 s), not the second clip's own start."""
    p = Project().edit(
        {"op": "add_clip", "clip_id": "a", "source": str(media / "red.mp4"), "out": 2},
        {"op": "add_clip", "clip_id": "b", "source": str(media / "green.mp4"), "out": 2},
        {"op": "add_clip", "clip_id": "c", "source": str(media / "red.mp4"), "out": 2},
        {
            "op": "set_transition",
            "from_clip_id": "a",
            "to_clip_id": "b",
            "name": "fade",
            "duration": 0.5,
        },
        {
            "op": "set_transition",
            "from_clip_id": "b",
            "to_clip_id": "c",
            "name": "fade",
            "duration": 0.5,
        },
    )
    out = p.render(tmp_path / "chain.mp4")
    assert int(stream(probe(out), "video")["nb_read_frames"]) == 150
    assert near(frame_color(out, 60, 160, 120), GREEN)  # 2.0 s: b alone
    assert near(frame_color(out, 97, 160, 120), (128, 128, 0), 12)  # 3.25 s: b to c
    assert near(frame_color(out, 120, 160, 120), RED)
