"""What the installed FFmpeg can do, read once at start."""

from __future__ import annotations

import re
import subprocess

from stoat._core import FFMPEG_TRANSITIONS

_CONSTANT = re.compile(r"^\s{5}(\w+)\s+-?\d+\s+\S+\s+")


def xfade_transitions(ffmpeg: str = "ffmpeg") -> list[str]:
    """The xfade transition names (``custom`` aside) from ``ffmpeg -h filter=xfade``.

    Falls back to FFmpeg 5.1's list when FFmpeg cannot be asked, so the service still
    starts; renders will then fail with FFmpeg's own error.
    """
    try:
        done = subprocess.run(
            [ffmpeg, "-hide_banner", "-h", "filter=xfade"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return list(FFMPEG_TRANSITIONS)
    names = parse_xfade_help(done.stdout)
    return names or list(FFMPEG_TRANSITIONS)


def parse_xfade_help(text: str) -> list[str]:
    names: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.lstrip().startswith("transition "):
            inside = True
            continue
        if inside:
            match = _CONSTANT.match(line)
            if match is None:
                break
            if match.group(1) != "custom":
                names.append(match.group(1))
    return names
