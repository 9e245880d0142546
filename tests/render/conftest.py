"""Small generated media for render tests, made once per session (320x240, 30 fps)."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

BASE = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
AAC = ["-c:a", "aac", "-b:a", "128k"]


def _run(*args: str) -> None:
    subprocess.run([*BASE, *args], check=True)


def _solid(path: Path, color: str, tone: int | None, size: str = "320x240") -> None:
    args = ["-f", "lavfi", "-i", f"color=c={color}:s={size}:r=30:d=2"]
    if tone is not None:
        args += ["-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=48000:duration=2"]
        args += AAC
    _run(*args, *H264, str(path))


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("render-media")
    _solid(root / "red.mp4", "red", 440)
    _solid(root / "green.mp4", "lime", 880)
    _solid(root / "blue.mp4", "blue", None)
    _solid(root / "wide.mp4", "red", 440, size="640x240")
    # Quadrants: red, green / blue, white.
    _run(
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=320x240:r=30:d=2,"
        "drawbox=x=160:y=0:w=160:h=120:color=lime:t=fill,"
        "drawbox=x=0:y=120:w=160:h=120:color=blue:t=fill,"
        "drawbox=x=160:y=120:w=160:h=120:color=white:t=fill",
        *H264,
        str(root / "quad.mp4"),
    )
    # Three seconds: red with 440 Hz, green with 880 Hz, blue with 1760 Hz.
    _run(
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=320x240:r=30:d=1",
        "-f",
        "lavfi",
        "-i",
        "color=c=lime:s=320x240:r=30:d=1",
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=320x240:r=30:d=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=880:sample_rate=48000:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=1760:sample_rate=48000:duration=1",
        "-filter_complex",
        "[0:v][3:a][1:v][4:a][2:v][5:a]concat=n=3:v=1:a=1[v][a]",
        "-map",
        "[v]",
        "-map",
        "[a]",
        *H264,
        *AAC,
        str(root / "steps.mp4"),
    )
    # Mono 44.1 kHz sound at 660 Hz.
    _run(
        "-f",
        "lavfi",
        "-i",
        "color=c=red:s=320x240:r=25:d=2",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=660:sample_rate=44100:duration=2",
        *H264,
        "-c:a",
        "aac",
        "-ac",
        "1",
        str(root / "mono44.mp4"),
    )
    # Variable frame rate: frames at uneven times.
    _run(
        "-f",
        "lavfi",
        "-i",
        "color=c=lime:s=320x240:r=30:d=2",
        "-vf",
        "setpts='PTS+0.01*mod(N,3)/TB'",
        "-fps_mode",
        "vfr",
        *H264,
        str(root / "vfr.mkv"),
    )
    # Stored 320x240 (blue, right half red) with rotation metadata: shown 240x320.
    _run(
        "-f",
        "lavfi",
        "-i",
        "color=c=blue:s=320x240:r=30:d=2,drawbox=x=160:y=0:w=160:h=240:color=red:t=fill",
        *H264,
        str(root / "unrotated.mp4"),
    )
    _run(
        "-i",
        str(root / "unrotated.mp4"),
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        str(root / "rotated.mp4"),
    )
    # Sound only: a steady 200 Hz "music" bed and a 1 kHz "voice" from 1 s to 2 s.
    _run(
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=200:sample_rate=48000:duration=3",
        "-af",
        "volume=0.5",
        str(root / "music.wav"),
    )
    _run(
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=1000:sample_rate=48000:duration=3,volume='between(t,1,2)*0.5':eval=frame",
        str(root / "voice.wav"),
    )
    # A 64x64 yellow square with a transparent border, and a green-screen clip.
    _run(
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=64x64,format=rgba,"
        "geq=r=255:g=255:b=0:a='255*between(X,8,55)*between(Y,8,55)'",
        "-frames:v",
        "1",
        str(root / "logo.png"),
    )
    _run(
        "-f", "lavfi", "-i", "color=c=red:s=320x240:d=1", "-frames:v", "1", str(root / "still.png")
    )
    _run(
        "-f",
        "lavfi",
        "-i",
        "color=c=lime:s=320x240:r=30:d=2,drawbox=x=80:y=60:w=160:h=120:color=red:t=fill",
        *H264,
        str(root / "greenscreen.mp4"),
    )
    # A 2-point LUT that inverts colours.
    lines = ["LUT_3D_SIZE 2"]
    lines += [f"{1 - r} {1 - g} {1 - b}" for b in (0, 1) for g in (0, 1) for r in (0, 1)]
    (root / "invert.cube").write_text("\n".join(lines) + "\n")
    (root / "subs.srt").write_text(
        "1\n00:00:00,000 --> 00:00:01,000\nHHHHHHHH\n\n2\n00:00:01,000 --> 00:00:02,000\n\n"
    )
    return root
