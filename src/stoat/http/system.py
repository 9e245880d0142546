"""GET /v1/system/info: versions, mode and usable encoders."""

from __future__ import annotations

import functools
import platform
import subprocess
from typing import Any

import apsw
from litestar import get

from stoat import __version__, _core
from stoat.http.context import ServicesDep


@functools.lru_cache(maxsize=4)
def ffmpeg_version(ffmpeg: str) -> str | None:
    try:
        done = subprocess.run(
            [ffmpeg, "-hide_banner", "-version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = done.stdout.splitlines()[0] if done.stdout else ""
    return first.removeprefix("ffmpeg version ").split(" ")[0] or None


@get("/v1/system/info", sync_to_thread=True)
def system_info(services: ServicesDep) -> dict[str, Any]:
    """Versions (package, Rust core, FFmpeg, SQLite), the configured mode and encoders.

    ``encoders.hardware_working`` lists the hardware encoders that passed a one-frame
    trial encode on this machine; a render may ask for one with ``video_encoder`` and
    falls back to software when it fails.
    """
    settings = services.settings
    report = services.encoders.report
    return {
        "version": __version__,
        "core_version": _core.__version__,
        "ffmpeg_version": ffmpeg_version(settings.ffmpeg),
        "sqlite_version": apsw.sqlite_lib_version(),
        "python_version": platform.python_version(),
        "mode": settings.mode,
        "event_store": "sqlite" if settings.event_store_url is None else "postgresql",
        "broker": "embedded" if settings.broker_url is None else "redis",
        "runs_jobs": settings.run_jobs,
        "encoders": {
            "software": ["libx264", "libx265", "libvpx-vp9", "prores_ks", "gif"],
            "hardware_listed": report.listed,
            "hardware_working": report.working,
            "probing": not report.done,
        },
        "transitions": len(services.transitions),
        "render_presets": [preset["name"] for preset in _core.render_presets()],
    }


ROUTES = [system_info]
