"""Render tests: projects built through the Rust core, rendered by FFmpeg, measured.

A :class:`Project` is a core ``Timeline`` fed with edits (media probed with ffprobe);
``render`` compiles the argv in Rust and runs it. The measures: ffprobe facts, the mean
RGB colour of a region at a time, the level of a frequency band around a time, and the
integrated loudness and true peak (ebur128).
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stoat._core import Timeline

FPS = 30
FRAME = 1 / FPS
AAC_FRAME = 1024 / 48000
TOLERANCE = 6
# lavfi's sine has amplitude 1/8: an RMS of -21.07 dBFS; mono sources upmixed to stereo
# carry it at -3.01 dB per channel (the same loudness).
TONE_DB = -24.08
PROBED = (".mp4", ".mov", ".mkv", ".wav", ".m4a", ".png", ".jpg")

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)
BLACK, WHITE = (0, 0, 0), (255, 255, 255)


def probe_media(path: Path) -> dict[str, Any]:
    """The core's ``MediaInfo`` for ``path``."""
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        check=True,
        capture_output=True,
    ).stdout
    probed = json.loads(out)
    streams = probed["streams"]
    video = next((s for s in streams if s["codec_type"] == "video"), None)
    audio = next((s for s in streams if s["codec_type"] == "audio"), None)
    duration = float(probed["format"].get("duration", 0) or 0)
    still = video is not None and probed["format"]["format_name"].endswith("_pipe")
    info: dict[str, Any] = {
        "duration": 0 if still else round(duration * 1_000_000),
        "has_video": video is not None,
        "has_audio": audio is not None,
    }
    if video is not None:
        info.update(width=video["width"], height=video["height"], fps=video["r_frame_rate"])
    if audio is not None:
        info.update(sample_rate=int(audio["sample_rate"]), channels=audio["channels"])
    return info


@dataclass
class Project:
    """A timeline in the core, with the media its edits use probed on the way."""

    output: dict[str, Any] = field(
        default_factory=lambda: {"width": 320, "height": 240, "fps": str(FPS)}
    )
    timeline: Timeline = field(default_factory=Timeline)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for event_type, data in Timeline.decide_create("p", "Render test", self.output):
            self.timeline.evolve(event_type, data)

    def edit(self, *edits: dict[str, Any]) -> Project:
        for edit in edits:
            for key in ("source", "path"):
                self._probe(edit.get(key))
            params = edit.get("params") or {}
            self._probe(params.get("path"))
        for event_type, data in self.timeline.decide(list(edits), self.media):
            self.timeline.evolve(event_type, data)
        return self

    def _probe(self, path: object) -> None:
        if isinstance(path, str) and path not in self.media and path.endswith(PROBED):
            self.media[path] = probe_media(Path(path))

    def argv(self, out: Path, preset: str = "h264_aac", **request: Any) -> list[str]:
        return self.timeline.compile_render({"output_path": str(out), "preset": preset, **request})

    def render(self, out: Path, preset: str = "h264_aac", **request: Any) -> Path:
        argv = self.argv(out, preset, **request)
        done = subprocess.run(argv, capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
        return out


def color(path: Path, seconds: float, x: int, y: int, size: int = 4) -> tuple[int, int, int]:
    """The mean RGB colour of the ``size`` square around ``(x, y)`` at ``seconds``."""
    half = size // 2
    seek = ["-ss", f"{seconds}"] if seconds > 0 else []
    raw = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            *seek,
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-vf",
            f"format=rgb24,crop={size}:{size}:{x - half}:{y - half},scale=1:1:flags=area",
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


def near(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = TOLERANCE) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def band_level(path: Path, start: float, duration: float, low: float, high: float) -> float:
    """RMS level in dBFS of the band ``[low, high]`` Hz from ``start`` for ``duration``."""
    center = math.sqrt(low * high)
    width = high - low
    out = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-ss",
            f"{start}",
            "-t",
            f"{duration}",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-af",
            f"pan=mono|c0=c0,bandpass=f={center}:width_type=h:w={width},"
            f"bandpass=f={center}:width_type=h:w={width},astats=metadata=0:measure_overall=RMS_level",
            "-f",
            "null",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stderr.decode()
    match = re.search(r"RMS level dB: (\S+)", out)
    assert match, out
    value = match.group(1)
    return -200.0 if value == "-inf" else float(value)


def loudness(path: Path) -> tuple[float, float]:
    """``(integrated LUFS, true peak dBTP)`` by ebur128."""
    out = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-map",
            "0:a:0",
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stderr.decode()
    summary = out[out.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(\S+) LUFS", summary)
    peak = re.search(r"Peak:\s+(\S+) dBFS", summary)
    assert integrated, summary
    assert peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def frame_color(path: Path, n: int, x: int, y: int, fps: float = FPS) -> tuple[int, int, int]:
    """The colour at ``(x, y)`` of frame ``n`` exactly (seeking half a frame before it)."""
    return color(path, max(n - 0.5, 0) / fps, x, y)


def reference(source: str, filters: str) -> tuple[int, int, int]:
    """What ``filters`` make of a frame of colour ``source``, straight from FFmpeg: the
    expected value for effects defined as FFmpeg's scales."""
    raw = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"color=c={source}:s=16x16:d=0.04,format=yuv420p,{filters},format=rgb24",
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stdout
    center = (8 * 16 + 8) * 3
    return raw[center], raw[center + 1], raw[center + 2]


class Frames:
    """Every frame of a (small) render decoded once, for sampling many points quickly."""

    def __init__(self, path: Path, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.data = subprocess.run(
            [
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-i",
                str(path),
                "-f",
                "rawvideo",
                "-pix_fmt",
                "rgb24",
                "-",
            ],
            check=True,
            capture_output=True,
        ).stdout
        self.count = len(self.data) // (width * height * 3)

    def color(self, n: int, x: int, y: int, size: int = 4) -> tuple[int, int, int]:
        """The mean RGB colour of the ``size`` square around ``(x, y)`` in frame ``n``."""
        half = size // 2
        sums = [0, 0, 0]
        for row in range(y - half, y - half + size):
            start = ((n * self.height + row) * self.width + x - half) * 3
            for i in range(size):
                for c in range(3):
                    sums[c] += self.data[start + i * 3 + c]
        area = size * size
        r, g, b = (round(s / area) for s in sums)
        return r, g, b
