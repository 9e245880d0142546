"""Render overhead: a reference edit rendered by the service, against one hand-written
FFmpeg command that makes the same output.

Run from the repository root (not part of the test suite)::

    PYTHONPATH=src .venv/bin/python bench/render_overhead.py

Makes three ``--seconds`` long 1280x720 30 fps clips with FFmpeg's ``testsrc2`` and
``sine`` sources (H.264 + AAC), then edits a project through the real service (a
``Runtime`` with its dispatcher, broker and render worker, driven over HTTP with
Litestar's ``TestClient``): the three clips, each trimmed to 6 s, joined by two 0.5 s
``fade`` transitions (17 s at 1280x720, 30 fps, the ``h264_aac`` preset).

Each round times, in alternating order:

- **ours**: ``POST /v1/projects/{id}/renders`` until ``GET /v1/renders/{id}`` (polled
  every ``--poll`` seconds) says ``completed``: the request, the dispatcher, the queue,
  the worker, the compile, FFmpeg, the output's probe and hash, the events;
- **FFmpeg alone**: the same preset's encoder settings in one hand-written command (the
  inputs seeked and cut with ``-ss``/``-t``, two ``xfade`` and two ``acrossfade``).

It also reports the time FFmpeg itself ran inside our render (the worker's
``run_ffmpeg``, timed in the same process), so that the gap splits into the graph and the
pipeline before FFmpeg starts (request, dispatch, queue, compile) and after it ends
(probe, hash, events, the client seeing ``completed``), and checks that both outputs have
the same streams, size, frame count and duration.

Target (issue 4): ours at most 1.10x the hand-written command's wall time.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import resource
import statistics
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from litestar import Litestar
    from litestar.testing import TestClient

FFMPEG = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
ADMIN_KEY = "stoat_bench-admin-key-0123456789abcdefghijklmnopqrstuvwxyz"
WIDTH, HEIGHT, FPS = 1280, 720, 30
TONES = (440, 660, 880)
# (in, out) of each clip in its source, in seconds; each 6 s.
TRIMS = ((1.0, 7.0), (2.0, 8.0), (0.5, 6.5))
TRANSITION = 0.5
# The h264_aac preset at its default quality ("high").
ENCODE = [
    *("-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"),
    *("-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2"),
    *("-movflags", "+faststart"),
]


def make_media(folder: Path, seconds: float) -> list[Path]:
    """Three ``testsrc2`` clips with a sine tone each (made once, kept in ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, tone in enumerate(TONES):
        path = folder / f"clip{i}-{seconds:g}s.mp4"
        if not path.exists():
            subprocess.run(
                [
                    *FFMPEG,
                    *("-f", "lavfi", "-i"),
                    f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}:duration={seconds}",
                    *("-f", "lavfi", "-i"),
                    f"sine=frequency={tone}:sample_rate=48000:duration={seconds}",
                    *("-c:v", "libx264", "-preset", "veryfast", "-g", str(2 * FPS)),
                    *("-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2", str(path)),
                ],
                check=True,
            )
        paths.append(path)
    return paths


def reference_edits(media: list[Path]) -> list[dict[str, Any]]:
    """The edit: the clips trimmed, joined by ``fade`` transitions."""
    edits: list[dict[str, Any]] = [
        {"op": "add_clip", "clip_id": f"c{i}", "source": str(path), "in": start, "out": end}
        for i, (path, (start, end)) in enumerate(zip(media, TRIMS, strict=True))
    ]
    edits += [
        {
            "op": "set_transition",
            "from_clip_id": f"c{i - 1}",
            "to_clip_id": f"c{i}",
            "name": "fade",
            "duration": TRANSITION,
        }
        for i in range(1, len(media))
    ]
    return edits


def reference_graph() -> str:
    """The hand-written filter graph: ``xfade`` and ``acrossfade`` between the inputs."""
    video, audio, offset = "[0:v]", "[0:a]", 0.0
    chains = []
    for k in range(1, len(TRIMS)):
        start, end = TRIMS[k - 1]
        offset += end - start - TRANSITION
        last = k == len(TRIMS) - 1
        v_out, a_out = ("[v]", "[a]") if last else (f"[v{k}]", f"[a{k}]")
        chains.append(
            f"{video}[{k}:v]xfade=transition=fade:duration={TRANSITION}:offset={offset:g}{v_out}"
        )
        chains.append(f"{audio}[{k}:a]acrossfade=d={TRANSITION}{a_out}")
        video, audio = v_out, a_out
    return ";".join(chains)


def reference_argv(media: list[Path], out: Path, graph: str, encode: list[str]) -> list[str]:
    """One FFmpeg command: the inputs seeked and cut, ``graph``, then ``encode``."""
    argv = list(FFMPEG)
    for path, (start, end) in zip(media, TRIMS, strict=True):
        argv += ["-ss", f"{start:g}", "-t", f"{end - start:g}", "-i", str(path)]
    return [*argv, "-filter_complex", graph, "-map", "[v]", "-map", "[a]", *encode, str(out)]


def run_ffmpeg(argv: list[str]) -> float:
    """Runs ``argv``; its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run(argv, check=True)
    return time.perf_counter() - started


@dataclass
class Service:
    """A running Stoat service (embedded: one process) with an authenticated client."""

    client: TestClient[Litestar]
    renders_dir: Path
    # (start, end) of each FFmpeg run in the worker, and of each render as the client
    # saw it (request sent, completed read), in time.perf_counter() seconds.
    ffmpeg_runs: list[tuple[float, float]]
    requests: list[tuple[float, float]]

    def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(url, json=body)
        assert response.status_code in {200, 201, 202}, response.text
        return dict(response.json())

    def project(self, output: dict[str, Any], edits: list[dict[str, Any]]) -> str:
        """A new project with ``edits`` applied; its id."""
        project = self.post("/v1/projects", {"name": "bench", "output": output})
        self.post(f"/v1/projects/{project['id']}/edits", {"edits": edits})
        return str(project["id"])

    def render(self, project_id: str, poll: float) -> tuple[float, Path]:
        """Requests a render and polls until it completes: wall seconds, and the output."""
        started = time.perf_counter()
        accepted = self.post(f"/v1/projects/{project_id}/renders", {})
        url = f"/v1/renders/{accepted['id']}"
        after = {"X-Stoat-After": str(accepted["position"])}
        while True:
            body = self.client.get(url, headers=after).json()
            if body["status"] in {"completed", "failed", "cancelled"}:
                break
            time.sleep(poll)
        done = time.perf_counter()
        assert body["status"] == "completed", body
        self.requests.append((started, done))
        return done - started, self.renders_dir / f"{accepted['id']}.mp4"


@contextmanager
def open_service(data_dir: Path, media_root: Path) -> Iterator[Service]:
    """Starts the service (as ``stoat serve`` does, without uvicorn) and yields a client."""
    from litestar.testing import TestClient

    from stoat.http.app import create_app
    from stoat.logs import configure_logging
    from stoat.runtime import Runtime
    from stoat.settings import Settings
    from stoat.workers.ffmpeg import FfmpegResult, run_ffmpeg

    configure_logging("WARNING")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ffmpeg_runs: list[tuple[float, float]] = []

    def timed(argv: Any, **kwargs: Any) -> FfmpegResult:
        started = time.perf_counter()
        result = run_ffmpeg(argv, **kwargs)
        ffmpeg_runs.append((started, time.perf_counter()))
        return result

    settings = Settings(data_dir=data_dir, media_roots=(media_root,), admin_key=ADMIN_KEY)
    runtime = Runtime(settings)
    runtime.provision_admin_key()
    runtime.start()
    try:
        with (
            mock.patch("stoat.workers.render.run_ffmpeg", timed),
            TestClient(create_app(runtime.services)) as client,
        ):
            client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
            yield Service(client, settings.renders_dir, ffmpeg_runs, [])
    finally:
        runtime.stop()


def facts(path: Path) -> tuple[object, ...]:
    """What both outputs must share: codecs, size, rate, frame count, duration (ms)."""
    out = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-count_frames", "-show_entries"),
            "stream=codec_name,width,height,r_frame_rate,nb_read_frames,sample_rate,channels"
            ":format=duration",
            *("-of", "compact=p=0:nk=1", str(path)),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    *streams, duration = out
    return (*streams, round(float(duration), 1))


@dataclass
class Samples:
    """Per round: wall seconds, and CPU seconds of this process and its children (and of
    the children alone)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    children: list[float] = field(default_factory=list)


def cpu_seconds() -> tuple[float, float]:
    """User and system time of this process, and of its children waited for so far."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def alternate(
    rounds: int, first: Callable[[], float], second: Callable[[], float]
) -> tuple[Samples, Samples]:
    """Runs both ``rounds`` times, alternating which goes first (each returns its wall
    time); their wall and CPU times."""
    a, b = Samples(), Samples()

    def measure(run: Callable[[], float], into: Samples) -> None:
        own, children = cpu_seconds()
        into.wall.append(run())
        own_after, children_after = cpu_seconds()
        into.children.append(children_after - children)
        into.cpu.append(own_after - own + children_after - children)

    for r in range(rounds):
        pair = ((first, a), (second, b)) if r % 2 == 0 else ((second, b), (first, a))
        for run, into in pair:
            measure(run, into)
    return a, b


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each source")
    parser.add_argument("--poll", type=float, default=0.05, help="status polling interval")
    parser.add_argument("--media", type=Path, default=Path(tempfile.gettempdir()) / "stoat-bench")
    args = parser.parse_args()
    media = make_media(args.media, args.seconds)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        hand_out = Path(tmp) / "hand.mp4"
        hand = reference_argv(media, hand_out, reference_graph(), ENCODE)
        with open_service(Path(tmp) / "data", args.media) as service:
            output = {"width": WIDTH, "height": HEIGHT, "fps": str(FPS)}
            project = service.project(output, reference_edits(media))
            outputs: list[Path] = []

            def ours() -> float:
                seconds, path = service.render(project, args.poll)
                outputs.append(path)
                return seconds

            # A first round of each, untimed: page cache, encoder probe, lazy imports.
            ours()
            run_ffmpeg(hand)
            del service.ffmpeg_runs[:], service.requests[:]
            ours_s, hand_s = alternate(args.rounds, ours, lambda: run_ffmpeg(hand))
            spans = list(zip(service.requests, service.ffmpeg_runs, strict=True))
            same = facts(outputs[-1]) == facts(hand_out)
            print(f"output: {facts(hand_out)}; ours the same: {same}")
    report(ours_s, hand_s, spans)
    print(f"after: {load()}")


def row(name: str, samples: list[float]) -> None:
    print(
        f"{name:<34} median {statistics.median(samples):6.2f} s"
        f"  (min {min(samples):.2f}, max {max(samples):.2f})"
    )


def ratio(name: str, ours: list[float], theirs: list[float]) -> None:
    per_round = ", ".join(f"{o / t:.3f}" for o, t in zip(ours, theirs, strict=True))
    print(
        f"{name}: {statistics.median(ours) / statistics.median(theirs):.3f} "
        f"(medians); per round {per_round}"
    )


def report(
    ours: Samples,
    hand: Samples,
    spans: list[tuple[tuple[float, float], tuple[float, float]]],
) -> None:
    print(f"rounds: {len(ours.wall)}, alternating")
    row("hand-written ffmpeg command", hand.wall)
    row("ours, request to completed", ours.wall)
    row("  before ffmpeg starts", [f0 - r0 for (r0, _), (f0, _) in spans])
    row("  ffmpeg", [f1 - f0 for _, (f0, f1) in spans])
    row("  after ffmpeg ends", [r1 - f1 for (_, r1), (_, f1) in spans])
    row("CPU, hand-written", hand.cpu)
    row("CPU, ours (the whole process too)", ours.cpu)
    row("  of which child processes", ours.children)
    ratio("wall time, ours / hand-written", ours.wall, hand.wall)
    ratio("CPU time, ours / hand-written", ours.cpu, hand.cpu)


if __name__ == "__main__":
    main()
