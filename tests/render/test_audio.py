"""The mix: tracks summed without attenuation, track volume and mute, ducking, loudness."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.media import probe, stream
from tests.render._support import (
    AAC_FRAME,
    GREEN,
    RED,
    TONE_DB,
    Project,
    band_level,
    color,
    loudness,
    near,
)

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow


def test_tracks_mix_without_attenuation(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "red.mp4"), "out": 1},
        {"op": "add_track", "kind": "audio", "track_id": "a2"},
        {"op": "add_clip", "track_id": "a2", "source": str(media / "green.mp4"), "out": 1},
    )
    out = p.render(tmp_path / "mix.mp4")
    assert band_level(out, 0.2, 0.6, 400, 480) == pytest.approx(TONE_DB, abs=0.5)
    assert band_level(out, 0.2, 0.6, 800, 960) == pytest.approx(TONE_DB, abs=0.5)
    assert near(color(out, 0.5, 160, 120), RED)  # an audio track shows nothing


def test_track_volume_mute_and_hide(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "red.mp4"), "out": 1},
        {"op": "update_track", "track_id": "video-1", "volume": 0.5},
        {"op": "add_track", "kind": "video", "track_id": "top"},
        {"op": "add_clip", "track_id": "top", "source": str(media / "green.mp4"), "out": 1},
    )
    out = p.render(tmp_path / "both.mp4")
    assert near(color(out, 0.5, 160, 120), GREEN)
    assert band_level(out, 0.2, 0.6, 400, 480) == pytest.approx(TONE_DB - 6.02, abs=0.5)
    p.edit({"op": "update_track", "track_id": "top", "hidden": True, "muted": True})
    out = p.render(tmp_path / "hidden.mp4")
    assert near(color(out, 0.5, 160, 120), RED)
    assert band_level(out, 0.2, 0.6, 800, 960) < -60


def test_music_ducks_under_the_voice(media: Path, tmp_path: Path) -> None:
    """voice.wav speaks (1 kHz) from 1 s to 2 s over a steady 200 Hz music bed."""
    p = Project().edit(
        {"op": "add_track", "kind": "audio", "track_id": "voice", "role": "voice"},
        {"op": "add_clip", "track_id": "voice", "source": str(media / "voice.wav"), "out": 3},
        {
            "op": "add_track",
            "kind": "audio",
            "track_id": "music",
            "role": "music",
            "ducking": {
                "under": "voice",
                "threshold": -40,
                "ratio": 20,
                "attack": 0.01,
                "release": 0.05,
            },
        },
        {"op": "add_clip", "track_id": "music", "source": str(media / "music.wav"), "out": 3},
    )
    out = p.render(tmp_path / "duck.mp4")
    before = band_level(out, 0.3, 0.5, 150, 260)
    during = band_level(out, 1.3, 0.5, 150, 260)
    after = band_level(out, 2.4, 0.5, 150, 260)
    assert during < before - 10
    assert after == pytest.approx(before, abs=1)
    # The voice itself is untouched: 1 kHz at -27.1 dBFS mono, -30.1 per channel.
    assert band_level(out, 1.3, 0.5, 900, 1100) == pytest.approx(-30.1, abs=0.5)
    video, audio = stream(probe(out), "video"), stream(probe(out), "audio")
    assert float(audio["duration"]) == pytest.approx(float(video["duration"]), abs=AAC_FRAME)


@pytest.mark.parametrize(("target", "ceiling"), [(-16.0, -1.0), (-23.0, -2.0)])
def test_output_loudness_normalisation(
    media: Path, tmp_path: Path, target: float, ceiling: float
) -> None:
    p = Project(
        output={
            "width": 320,
            "height": 240,
            "fps": "30",
            "loudness": {"target": target, "true_peak": ceiling},
        }
    ).edit(
        {"op": "add_clip", "source": str(media / "red.mp4"), "out": 2},
        {"op": "add_track", "kind": "audio", "track_id": "music"},
        {"op": "add_clip", "track_id": "music", "source": str(media / "music.wav"), "out": 2},
    )
    out = p.render(tmp_path / "loud.mp4")
    integrated, peak = loudness(out)
    assert integrated == pytest.approx(target, abs=1)
    assert peak <= ceiling + 0.1


def test_no_implicit_loudness_change(media: Path, tmp_path: Path) -> None:
    """Without output loudness the mix keeps the sources' level exactly."""
    p = Project().edit(
        {"op": "add_track", "kind": "audio", "track_id": "music"},
        {"op": "add_clip", "track_id": "music", "source": str(media / "music.wav"), "out": 2},
    )
    out = p.render(tmp_path / "plain.wav", "wav")
    # music.wav: a 200 Hz sine of amplitude 1/8 * 0.5, mono: -27.1 dBFS RMS, -3 dB per
    # channel once upmixed.
    assert band_level(out, 0.2, 1.5, 150, 260) == pytest.approx(-30.1, abs=0.5)
