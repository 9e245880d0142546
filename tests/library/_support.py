"""Helpers for the library tests: FFmpeg, waiting for scans, synthetic videos."""

from __future__ import annotations

import subprocess
import time
from typing import TYPE_CHECKING, Any

from stoat.domain.video import Video

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

GOOD = {
    "beach_sunset.mp4": "video",
    "city_night.mov": "video",
    "portrait_interview.mp4": "video",
    "voiceover.wav": "audio",
    "poster_frame.png": "image",
    "trips/forest_walk.mp4": "video",
}
BAD = {"truncated.mp4", "fake_clip.mp4"}

CONTEXT: dict[str, Any] = {"actor": "test", "request_id": "t", "idempotency_key": None}


def ffmpeg(*argv: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *argv], check=True)


def wait_for_scan(
    client: TestClient[Litestar], accepted: dict[str, Any], timeout: float = 60.0
) -> dict[str, Any]:
    """Polls a scan (from its 202 response) until it completes or fails."""
    deadline = time.monotonic() + timeout
    url, after = f"/v1/scans/{accepted['id']}", {"X-Stoat-After": str(accepted["position"])}
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(url, headers=after).json()
        if body.get("status") in {"completed", "failed"}:
            return body
        time.sleep(0.1)
    raise AssertionError(f"scan {accepted['id']} did not finish in {timeout} s")


def synthetic_video(
    path: str,
    *,
    duration: float | None = 10.0,
    size: tuple[int, int] | None = (1920, 1080),
    video_codec: str | None = "h264",
    audio_codec: str | None = "aac",
    tags: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
    file_size: int = 1000,
) -> Video:
    """A library video whose facts are made up (no file behind it)."""
    width, height = size or (None, None)
    kind = "video" if video_codec else "audio"
    streams: list[dict[str, Any]] = []
    if video_codec:
        streams.append({"index": 0, "type": "video", "codec": video_codec, "duration": None})
    if audio_codec:
        streams.append({"index": len(streams), "type": "audio", "codec": audio_codec})
    micros = None if duration is None else round(duration * 1_000_000)
    media = {
        "kind": "image" if duration is None else kind,
        "format": "mov,mp4",
        "duration": micros,
        "size": file_size,
        "bit_rate": None,
        "has_video": video_codec is not None,
        "has_audio": audio_codec is not None,
        "width": width,
        "height": height,
        "display_width": width,
        "display_height": height,
        "rotation": 0,
        "fps": "30" if video_codec else None,
        "video_codec": video_codec,
        "audio_codec": audio_codec,
        "sample_rate": 48000 if audio_codec else None,
        "channels": 2 if audio_codec else None,
        "streams": streams,
    }
    return Video.import_file(
        path=path,
        file={"size": file_size, "mtime_ns": 1, "content_hash": path},
        media=media,  # type: ignore[arg-type]
        tags=tags or [],
        metadata=metadata or {},
        context=CONTEXT,
    )
