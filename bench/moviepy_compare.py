"""Stoat against MoviePy 2.x on the same edit: three trimmed clips with crossfades, a
title and a music bed.

MoviePy is not a dependency of Stoat: install it into a virtualenv of its own, then run
from the repository root (not part of the test suite)::

    python3 -m venv /tmp/moviepy-venv
    /tmp/moviepy-venv/bin/pip install -r bench/requirements-moviepy.txt
    PYTHONPATH=src .venv/bin/python bench/moviepy_compare.py

(``--moviepy-python`` names another virtualenv's interpreter.)

The media are those of ``bench/render_overhead.py`` (three 10 s 1280x720 30 fps
``testsrc2`` clips with tones) plus a 20 s music file (a chord, AAC). The edit, the same
in both: each clip trimmed to 6 s, 0.5 s crossfades between them (picture and sound), a
white 64 px DejaVu Sans title centred from 0.5 s to 3.5 s, the music under it all at 0.3
gain; rendered at 1280x720, 30 fps, H.264 (libx264 ``veryfast``, CRF 20, yuv420p) and AAC
192 kb/s at 48 kHz, both with the system's FFmpeg (MoviePy through
``IMAGEIO_FFMPEG_EXE``).

Timed, in alternating order, ``--rounds`` times after an untimed first round of each:

- **Stoat**: the service end to end, as in ``render_overhead.py``: render requested
  over HTTP until its status says completed;
- **MoviePy**: in a child process of the MoviePy virtualenv, from building the clips to
  ``write_videofile`` returning (the interpreter's start and MoviePy's import are not
  counted).

Target (issue 4): Stoat at least 5x faster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from render_overhead import (
    FFMPEG,
    FPS,
    HEIGHT,
    TRANSITION,
    TRIMS,
    WIDTH,
    alternate,
    facts,
    load,
    make_media,
    open_service,
    reference_edits,
    row,
)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TITLE = "Stoat against MoviePy"
TITLE_START, TITLE_SECONDS, TITLE_SIZE = 0.5, 3.0, 64
MUSIC_GAIN = 0.3


def make_music(folder: Path, seconds: float = 20.0) -> Path:
    """A chord (A minor, three sines) as AAC."""
    path = folder / f"music-{seconds:g}s.m4a"
    if not path.exists():
        chord = "+".join(f"0.1*sin(2*PI*{f}*t)" for f in (220, 261.63, 329.63))
        source = f"aevalsrc={chord}|{chord}:sample_rate=48000:duration={seconds}"
        subprocess.run(
            [*FFMPEG, "-f", "lavfi", "-i", source, "-c:a", "aac", "-b:a", "160k", str(path)],
            check=True,
        )
    return path


def stoat_edits(media: list[Path], music: Path, duration: float) -> list[dict[str, Any]]:
    """The edit as Stoat edits: the reference edit, a title track and a music track."""
    return [
        *reference_edits(media),
        {"op": "add_track", "kind": "overlay", "track_id": "titles"},
        {
            "op": "add_clip",
            "track_id": "titles",
            "kind": "text",
            "text": TITLE,
            "start": TITLE_START,
            "duration": TITLE_SECONDS,
            "style": {"font": "DejaVu Sans", "size": TITLE_SIZE, "color": "#FFFFFF"},
        },
        {
            "op": "add_track",
            "kind": "audio",
            "track_id": "music",
            "role": "music",
            "volume": MUSIC_GAIN,
        },
        {"op": "add_clip", "track_id": "music", "source": str(music), "out": duration},
    ]


def moviepy_render(media: list[str], music: str, out: str) -> float:
    """The edit with MoviePy (run in its virtualenv); seconds from the first clip to the
    written file."""
    from moviepy import (  # type: ignore[import-not-found]
        AudioFileClip,
        CompositeAudioClip,
        CompositeVideoClip,
        TextClip,
        VideoFileClip,
        afx,
        concatenate_videoclips,
        vfx,
    )

    started = time.perf_counter()
    clips = []
    for i, (path, (start, end)) in enumerate(zip(media, TRIMS, strict=True)):
        effects = []
        if i > 0:
            effects += [vfx.CrossFadeIn(TRANSITION), afx.AudioFadeIn(TRANSITION)]
        if i < len(media) - 1:
            effects.append(afx.AudioFadeOut(TRANSITION))
        clips.append(VideoFileClip(path).subclipped(start, end).with_effects(effects))
    video = concatenate_videoclips(clips, method="compose", padding=-TRANSITION)
    title = (
        TextClip(font=str(FONT), text=TITLE, font_size=TITLE_SIZE, color="white")
        .with_start(TITLE_START)
        .with_duration(TITLE_SECONDS)
        .with_position("center")
    )
    bed = (
        AudioFileClip(music)
        .subclipped(0, video.duration)
        .with_effects([afx.MultiplyVolume(MUSIC_GAIN)])
    )
    final = CompositeVideoClip([video, title], size=(WIDTH, HEIGHT)).with_audio(
        CompositeAudioClip([video.audio, bed])
    )
    final.write_videofile(
        out,
        fps=FPS,
        codec="libx264",
        preset="veryfast",
        audio_codec="aac",
        audio_bitrate="192k",
        audio_fps=48000,
        ffmpeg_params=["-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
        logger=None,
    )
    return time.perf_counter() - started


def run_moviepy(python: str, media: list[Path], music: Path, out: Path) -> float:
    """:func:`moviepy_render` in a child process of the MoviePy virtualenv."""
    spec = json.dumps({"media": [str(p) for p in media], "music": str(music), "out": str(out)})
    env = {
        **os.environ,
        "IMAGEIO_FFMPEG_EXE": shutil.which("ffmpeg") or "ffmpeg",
        "PYTHONPATH": str(Path(__file__).parent),
    }
    done = subprocess.run(
        [python, __file__, "--moviepy-worker", spec],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moviepy-python", default="/tmp/moviepy-venv/bin/python")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--poll", type=float, default=0.05, help="status polling interval")
    parser.add_argument("--media", type=Path, default=Path(tempfile.gettempdir()) / "stoat-bench")
    parser.add_argument("--keep", type=Path, help="copy the last outputs into this folder")
    parser.add_argument("--moviepy-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.moviepy_worker:
        spec = json.loads(args.moviepy_worker)
        print(moviepy_render(spec["media"], spec["music"], spec["out"]))
        return
    media = make_media(args.media, 10.0)
    music = make_music(args.media)
    version = subprocess.run(
        [
            args.moviepy_python,
            "-c",
            "from importlib.metadata import version as v; print(v('moviepy'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {load()}")
    print(f"MoviePy {version}; Python {sys.version.split()[0]}")
    duration = sum(end - start for start, end in TRIMS) - TRANSITION * (len(TRIMS) - 1)
    with tempfile.TemporaryDirectory() as tmp, open_service(Path(tmp) / "data", args.media) as svc:
        output = {"width": WIDTH, "height": HEIGHT, "fps": str(FPS)}
        project = svc.project(output, stoat_edits(media, music, duration))
        moviepy_out = Path(tmp) / "moviepy.mp4"
        outputs: list[Path] = []

        def stoat() -> float:
            seconds, path = svc.render(project, args.poll)
            outputs.append(path)
            return seconds

        def moviepy() -> float:
            return run_moviepy(args.moviepy_python, media, music, moviepy_out)

        stoat()
        moviepy()
        stoat_s, moviepy_s = alternate(args.rounds, stoat, moviepy)
        print(f"Stoat output:   {facts(outputs[-1])}")
        print(f"MoviePy output: {facts(moviepy_out)}")
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(outputs[-1], args.keep / "stoat.mp4")
            shutil.copy(moviepy_out, args.keep / "moviepy.mp4")
    print(f"rounds: {args.rounds}, alternating")
    row("Stoat (service, end to end)", stoat_s.wall)
    row("MoviePy", moviepy_s.wall)
    row("CPU, Stoat (the whole process)", stoat_s.cpu)
    row("CPU, MoviePy (its process too)", moviepy_s.cpu)
    speedup = statistics.median(moviepy_s.wall) / statistics.median(stoat_s.wall)
    print(f"Stoat is {speedup:.2f}x faster (MoviePy median / Stoat median, wall time)")
    cpu = statistics.median(moviepy_s.cpu) / statistics.median(stoat_s.cpu)
    print(f"MoviePy uses {cpu:.2f}x the CPU time")
    print(f"after: {load()}")


if __name__ == "__main__":
    main()
