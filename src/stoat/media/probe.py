"""Probing media files with ffprobe (I/O stays on the Python side of the boundary).

The Rust decider receives what this module learns as plain data, so validation stays
pure: ``{"duration": µs, "has_video": bool, "has_audio": bool, "width": int | None, ...}``.
"""

from __future__ import annotations

import subprocess
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypedDict

import msgspec


class MediaInfo(TypedDict):
    """What the Rust core needs to know about a source file."""

    duration: int
    has_video: bool
    has_audio: bool
    width: int | None
    height: int | None


class ProbeError(Exception):
    """ffprobe could not read the file as media."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class _Stream(msgspec.Struct):
    codec_type: str = ""
    width: int | None = None
    height: int | None = None
    duration: str | None = None


class _Format(msgspec.Struct):
    duration: str | None = None


class _Probe(msgspec.Struct):
    streams: list[_Stream] = []
    format: _Format = msgspec.field(default_factory=_Format)


class Prober:
    """Runs ffprobe, caching results by path, size and modification time."""

    def __init__(self, ffprobe: str = "ffprobe", timeout: float = 30.0) -> None:
        self._ffprobe = ffprobe
        self._timeout = timeout
        self._cache: dict[tuple[str, int, int], MediaInfo] = {}
        self._lock = threading.Lock()

    def probe(self, path: str) -> MediaInfo:
        """Returns the media facts of ``path`` (an already checked, canonical path)."""
        stat = Path(path).stat()
        key = (path, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        info = self._run(path)
        with self._lock:
            self._cache[key] = info
        return info

    def _run(self, path: str) -> MediaInfo:
        argv = [
            self._ffprobe,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "--",
            path,
        ]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=self._timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ProbeError(path, "ffprobe timed out") from None
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip() or "not a media file"
            raise ProbeError(path, reason.splitlines()[-1])
        return media_info(path, msgspec.json.decode(done.stdout, type=_Probe))


def media_info(path: str, probe: _Probe) -> MediaInfo:
    video = [s for s in probe.streams if s.codec_type == "video"]
    audio = [s for s in probe.streams if s.codec_type == "audio"]
    duration = _micros(probe.format.duration)
    if duration is None:
        durations = [_micros(s.duration) for s in probe.streams]
        duration = max((d for d in durations if d is not None), default=None)
    if duration is None or duration <= 0:
        raise ProbeError(path, "the file has no known duration")
    first: dict[str, Any] = {"width": None, "height": None}
    if video:
        first = {"width": video[0].width, "height": video[0].height}
    return MediaInfo(
        duration=duration,
        has_video=bool(video),
        has_audio=bool(audio),
        width=first["width"],
        height=first["height"],
    )


def _micros(seconds: str | None) -> int | None:
    if seconds is None:
        return None
    try:
        return int((Decimal(seconds) * 1_000_000).to_integral_value())
    except InvalidOperation:
        return None
