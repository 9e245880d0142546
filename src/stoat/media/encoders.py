"""Which video encoders the installed FFmpeg offers, and which actually work here.

``ffmpeg -encoders`` lists what the build includes; a hardware encoder is usable only
if a one-frame trial encode succeeds on this machine (a driver and a device must be
present). The trial argv comes from the Rust core. Results are computed once, in the
background, and shown on GET /v1/system/info.
"""

from __future__ import annotations

import re
import subprocess
import threading
from dataclasses import dataclass, field

from stoat._core import encoder_trial_argv

HARDWARE_MARKERS = ("nvenc", "qsv", "vaapi", "videotoolbox", "amf", "v4l2m2m", "_mf")
_ENCODER_LINE = re.compile(r"^\s*V\S{5}\s+(\S+)\s")


def listed_encoders(ffmpeg: str = "ffmpeg") -> list[str]:
    """Every video encoder name in ``ffmpeg -encoders``."""
    try:
        done = subprocess.run(
            [ffmpeg, "-hide_banner", "-encoders"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [m.group(1) for line in done.stdout.splitlines() if (m := _ENCODER_LINE.match(line))]


def works(encoder: str, timeout: float = 15.0) -> bool:
    """A one-frame trial encode; True only if FFmpeg succeeds."""
    try:
        done = subprocess.run(
            encoder_trial_argv(encoder), capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@dataclass
class EncoderReport:
    """Hardware encoders the build lists, and those that passed the trial encode."""

    listed: list[str] = field(default_factory=list)
    working: list[str] = field(default_factory=list)
    done: bool = False


class EncoderProbe:
    """Runs the trials once, in a background thread, so start-up does not wait for them."""

    def __init__(self, ffmpeg: str = "ffmpeg") -> None:
        self._ffmpeg = ffmpeg
        self.report = EncoderReport()
        self._thread = threading.Thread(target=self._run, name="stoat-encoders", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout: float | None = None) -> EncoderReport:
        """The report once the trials are done (or ``timeout`` passes, or they never
        started: then nothing counts as working)."""
        if self._thread.ident is not None and not self.report.done:
            self._thread.join(timeout)
        return self.report

    def _run(self) -> None:
        hardware = [
            name
            for name in listed_encoders(self._ffmpeg)
            if any(marker in name for marker in HARDWARE_MARKERS)
        ]
        working = [name for name in hardware if works(name)]
        self.report = EncoderReport(listed=hardware, working=working, done=True)
