"""Generated test media (FFmpeg lavfi sources) and output inspection with ffprobe."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path


def make_clip(
    path: Path,
    *,
    color: str,
    seconds: float,
    size: str = "320x240",
    rate: int = 30,
    tone: int | None = 440,
) -> Path:
    """A solid-colour H.264 clip, with a sine tone as AAC audio unless ``tone`` is None."""
    argv = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
    argv += ["-f", "lavfi", "-i", f"color=c={color}:s={size}:r={rate}:d={seconds}"]
    if tone is not None:
        argv += ["-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=48000:duration={seconds}"]
        argv += ["-c:a", "aac", "-b:a", "128k"]
    argv += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(argv, check=True)
    return path


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "-count_frames",
            str(path),
        ],
        check=True,
        capture_output=True,
    ).stdout
    return dict(json.loads(out))


def stream(probed: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = [s for s in probed["streams"] if s["codec_type"] == kind]
    return dict(found)


def pixel(path: Path, seconds: float, x: int, y: int) -> tuple[int, int, int]:
    """The RGB colour of one pixel of the frame shown at ``seconds``."""
    raw = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-ss",
            f"{seconds}",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-vf",
            # Average a 4x4 patch in RGB: robust to chroma subsampling at the sample point.
            f"format=rgb24,crop=4:4:{x - 2}:{y - 2},scale=1:1:flags=area",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stdout
    assert len(raw) == 3, f"no frame at {seconds} s"
    return raw[0], raw[1], raw[2]


def close_to(actual: tuple[int, int, int], expected: tuple[int, int, int], tolerance: int) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))
