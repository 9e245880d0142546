"""Probing media files with ffprobe (I/O stays on the Python side of the boundary).

The Rust decider receives what this module learns as plain data, so validation stays
pure: ``{"duration": µs, "has_video": bool, "has_audio": bool, "width": int | None, ...}``
(:class:`MediaInfo`, from :meth:`Prober.probe`). The media library wants more, per file
and per stream: :class:`MediaDetails`, from :meth:`Prober.details`.
"""

from __future__ import annotations

import subprocess
import threading
from collections import OrderedDict
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, TypedDict

import msgspec


class MediaInfo(TypedDict):
    """What the Rust core needs to know about a source file (duration 0 for a still)."""

    duration: int
    has_video: bool
    has_audio: bool
    width: int | None
    height: int | None
    fps: str | None
    rotation: int
    sample_rate: int | None
    channels: int | None


MediaKind = Literal["video", "audio", "image"]


class StreamDetails(TypedDict):
    """One stream of a file, as the library records it (times in microseconds)."""

    index: int
    type: str
    codec: str | None
    profile: str | None
    duration: int | None
    bit_rate: int | None
    language: str | None
    width: int | None
    height: int | None
    fps: str | None
    """A rational, ``"30"`` or ``"30000/1001"``; None where the stream has no rate."""
    rotation: int
    """Degrees counter-clockwise from the display matrix (0, 90, 180 or 270)."""
    pix_fmt: str | None
    attached_pic: bool
    """A cover picture (an MP3's artwork), not a video track."""
    sample_rate: int | None
    channels: int | None
    channel_layout: str | None


class MediaDetails(TypedDict):
    """Everything the library knows about a file's contents.

    ``width``/``height`` are the stored picture size; ``display_width``/
    ``display_height`` the size after applying ``rotation``. Stream-level facts
    (``fps``, codecs, ``sample_rate``, ``channels``) are those of the first video and
    the first audio stream; ``streams`` has them all.
    """

    kind: MediaKind
    format: str
    duration: int | None
    size: int
    bit_rate: int | None
    has_video: bool
    has_audio: bool
    width: int | None
    height: int | None
    display_width: int | None
    display_height: int | None
    rotation: int
    fps: str | None
    video_codec: str | None
    audio_codec: str | None
    sample_rate: int | None
    channels: int | None
    streams: list[StreamDetails]


class ProbeError(Exception):
    """ffprobe could not read the file as media."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class _Stream(msgspec.Struct):
    index: int = 0
    codec_type: str = ""
    codec_name: str | None = None
    profile: str | None = None
    width: int | None = None
    height: int | None = None
    duration: str | None = None
    bit_rate: str | None = None
    avg_frame_rate: str | None = None
    r_frame_rate: str | None = None
    pix_fmt: str | None = None
    sample_rate: str | None = None
    channels: int | None = None
    channel_layout: str | None = None
    disposition: dict[str, int] = {}
    tags: dict[str, str] = {}
    side_data_list: list[dict[str, Any]] = []


class _Format(msgspec.Struct):
    duration: str | None = None
    format_name: str = ""
    size: str | None = None
    bit_rate: str | None = None


class _Probe(msgspec.Struct):
    streams: list[_Stream] = []
    format: _Format = msgspec.field(default_factory=_Format)


CACHE_SIZE = 4096
"""Files whose :class:`MediaInfo` a :class:`Prober` keeps (the most recently probed)."""


class Prober:
    """Runs ffprobe; :meth:`probe` caches its results by path, size and modification time.

    :meth:`details` (a library import or scan) fills the same cache, so an edit that uses
    a file the library has just probed does not run ffprobe on it again.
    """

    def __init__(self, ffprobe: str = "ffprobe", timeout: float = 30.0) -> None:
        self._ffprobe = ffprobe
        self._timeout = timeout
        self._cache: OrderedDict[tuple[str, int, int], MediaInfo] = OrderedDict()
        self._lock = threading.Lock()

    def probe(self, path: str) -> MediaInfo:
        """Returns the media facts of ``path`` (an already checked, canonical path)."""
        key = _cache_key(path)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        info = media_info(path, self._run(path))
        self._remember(key, info)
        return info

    def details(self, path: str) -> MediaDetails:
        """Everything about ``path`` (checked, canonical), read afresh; :class:`ProbeError`
        when it is not media FFmpeg can read (truncated, unknown format, no streams)."""
        try:
            key = _cache_key(path)  # before ffprobe reads it: a later change is a new key
        except OSError:
            key = None  # gone: ffprobe says so
        details = media_details(path, self._run(path))
        if key is not None:
            self._remember(key, info_of(details))
        return details

    def _remember(self, key: tuple[str, int, int], info: MediaInfo) -> None:
        with self._lock:
            self._cache[key] = info
            self._cache.move_to_end(key)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)

    def _run(self, path: str) -> _Probe:
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
        try:
            return msgspec.json.decode(done.stdout, type=_Probe)
        except msgspec.DecodeError as error:
            raise ProbeError(path, f"unexpected ffprobe output: {error}") from None


def _cache_key(path: str) -> tuple[str, int, int]:
    stat = Path(path).stat()
    return path, stat.st_size, stat.st_mtime_ns


def media_info(path: str, probe: _Probe) -> MediaInfo:
    """The decider's facts, derived from the library's (one reading of ffprobe's output)."""
    return info_of(media_details(path, probe))


def info_of(details: MediaDetails) -> MediaInfo:
    """The decider's facts within the library's."""
    return MediaInfo(
        duration=details["duration"] or 0,
        has_video=details["has_video"],
        has_audio=details["has_audio"],
        width=details["width"],
        height=details["height"],
        fps=details["fps"],
        rotation=details["rotation"],
        sample_rate=details["sample_rate"],
        channels=details["channels"],
    )


# Demuxers that read one still picture (FFmpeg calls them image2 or <codec>_pipe).
_IMAGE_FORMATS = ("image2", "_pipe")


def media_details(path: str, probe: _Probe) -> MediaDetails:
    """The library's facts from ffprobe's output; :class:`ProbeError` if it is not media."""
    streams = [_stream_details(s) for s in probe.streams]
    video = [s for s in streams if s["type"] == "video" and not s["attached_pic"]]
    audio = [s for s in streams if s["type"] == "audio"]
    name = probe.format.format_name
    if video and (name == _IMAGE_FORMATS[0] or name.endswith(_IMAGE_FORMATS[1])):
        kind: MediaKind = "image"
        duration = None
    elif video or audio:
        kind = "video" if video else "audio"
        duration = _duration(probe)
        if duration is None or duration <= 0:
            raise ProbeError(path, "the file has no known duration (truncated?)")
    else:
        raise ProbeError(path, "the file has no audio or video stream")
    first_video = video[0] if video else None
    first_audio = audio[0] if audio else None
    rotation = first_video["rotation"] if first_video else 0
    width = first_video["width"] if first_video else None
    height = first_video["height"] if first_video else None
    turned = rotation in (90, 270)
    return MediaDetails(
        kind=kind,
        format=name,
        duration=duration,
        size=_int(probe.format.size) or Path(path).stat().st_size,
        bit_rate=_int(probe.format.bit_rate),
        has_video=bool(video),
        has_audio=bool(audio),
        width=width,
        height=height,
        display_width=height if turned else width,
        display_height=width if turned else height,
        rotation=rotation,
        fps=first_video["fps"] if first_video and kind == "video" else None,
        video_codec=first_video["codec"] if first_video else None,
        audio_codec=first_audio["codec"] if first_audio else None,
        sample_rate=first_audio["sample_rate"] if first_audio else None,
        channels=first_audio["channels"] if first_audio else None,
        streams=streams,
    )


def _stream_details(stream: _Stream) -> StreamDetails:
    visual = stream.codec_type == "video"
    return StreamDetails(
        index=stream.index,
        type=stream.codec_type or "unknown",
        codec=stream.codec_name,
        profile=stream.profile,
        duration=_micros(stream.duration),
        bit_rate=_int(stream.bit_rate),
        language=stream.tags.get("language"),
        width=stream.width,
        height=stream.height,
        fps=(_rate(stream.avg_frame_rate) or _rate(stream.r_frame_rate)) if visual else None,
        rotation=_rotation(stream) if visual else 0,
        pix_fmt=stream.pix_fmt,
        attached_pic=bool(stream.disposition.get("attached_pic")),
        sample_rate=_int(stream.sample_rate),
        channels=stream.channels,
        channel_layout=stream.channel_layout,
    )


def _duration(probe: _Probe) -> int | None:
    duration = _micros(probe.format.duration)
    if duration is None:
        durations = [_micros(s.duration) for s in probe.streams]
        duration = max((d for d in durations if d is not None), default=None)
    return duration


def _rate(text: str | None) -> str | None:
    """``"30000/1001"`` stays, ``"30/1"`` becomes ``"30"``; ``"0/0"`` is no rate."""
    if not text:
        return None
    try:
        rate = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None
    if rate <= 0:
        return None
    return str(rate)


def _rotation(stream: _Stream) -> int:
    for side_data in stream.side_data_list:
        rotation = side_data.get("rotation")
        if isinstance(rotation, int | float):
            return round(rotation / 90) * 90 % 360
    rotate = stream.tags.get("rotate")
    if rotate is not None and rotate.lstrip("-").isdigit():
        return -int(rotate) % 360
    return 0


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _micros(seconds: str | None) -> int | None:
    if seconds is None:
        return None
    try:
        return int((Decimal(seconds) * 1_000_000).to_integral_value())
    except InvalidOperation:
        return None
