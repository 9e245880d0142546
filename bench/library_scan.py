"""Scanning real files: files per second, first scan and rescan, by probing parallelism.

Run from the repository root (not part of the test suite)::

    PYTHONPATH=src .venv/bin/python bench/library_scan.py

Makes ``--files`` small real media files (1 s, 160x120 H.264 + AAC; ten encodes,
remuxed with a distinct title each, so every file has its own content), then, for each
``--workers`` value, scans them into a fresh library with the real scan job
(``ScanRunner.run``: walk, fingerprint, ffprobe on a pool of that many threads, events
saved in batches) and scans them again unchanged. Reported: wall time and files/s of
both, the CPU time per file of the first scan (this process, and the ffprobe processes:
what bounds files/s on a machine of N CPUs to about N / CPU per file, however loaded it
is), and the time of ffprobe alone on one file.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from stoat.commands.library import MediaRoots, load_scan, request_scan
from stoat.domain.context import system_context
from stoat.logs import configure_logging
from stoat.media.probe import Prober
from stoat.projections.library_queries import get_scan
from stoat.runtime import Runtime
from stoat.settings import Settings
from stoat.workers.scan import ScanRunner

FFMPEG = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
COLOURS = ("red", "green", "blue", "white", "black", "gray", "yellow", "cyan", "navy", "teal")
DEFAULT_MEDIA = Path(tempfile.gettempdir()) / "stoat-scan-bench"


def make_media(folder: Path, count: int) -> None:
    """``count`` distinct small clips in ``folder`` (kept between runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("clip_*.mp4"))) >= count:
        return
    bases = []
    for i in range(10):
        base = folder / f".base{i}.mp4"
        colour = COLOURS[i]
        subprocess.run(
            [*FFMPEG, "-f", "lavfi", "-i", f"color=c={colour}:s=160x120:r=30:d=1",
             "-f", "lavfi", "-i", f"sine=frequency={300 + 50 * i}:sample_rate=48000:duration=1",
             "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-b:a", "64k", str(base)],
            check=True,
        )  # fmt: skip
        bases.append(base)

    def remux(i: int) -> None:
        target = folder / f"clip_{i:05d}.mp4"
        if not target.exists():
            subprocess.run(
                [*FFMPEG, "-i", str(bases[i % 10]), "-c", "copy",
                 "-metadata", f"title=clip {i}", str(target)],
                check=True,
            )  # fmt: skip

    with ThreadPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(remux, range(count)))


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process and of its finished children (ffprobe)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def scan_once(runtime: Runtime, folder: Path) -> tuple[float, dict[str, object]]:
    services = runtime.services
    result = request_scan(
        services.app,
        MediaRoots.from_settings(services.settings),
        path=str(folder),
        recursive=True,
        context=system_context("bench"),
    )
    started = time.perf_counter()
    ScanRunner(services).run(result.id)
    elapsed = time.perf_counter() - started
    assert load_scan(services.app, result.id).status == "completed"
    services.views.wait(services.app.recorder.max_notification_id() or 0, timeout=60)
    return elapsed, get_scan(services.views, result.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+")
    parser.add_argument("--media-dir", type=Path, default=DEFAULT_MEDIA)
    parser.add_argument("--synchronous", default="FULL")
    args = parser.parse_args()
    configure_logging("WARNING")
    cpus = os.cpu_count() or 1
    workers = args.workers or sorted({1, 2, cpus, 2 * cpus})
    print(f"python {platform.python_version()}, {cpus} CPUs, {platform.platform()}")
    version = subprocess.run(["ffprobe", "-version"], capture_output=True, text=True, check=True)
    print(version.stdout.splitlines()[0])
    started = time.perf_counter()
    make_media(args.media_dir, args.files)
    print(f"{args.files} files in {args.media_dir} ({time.perf_counter() - started:.1f} s to make)")
    one = str(next(args.media_dir.glob("clip_*.mp4")))
    prober = Prober()
    probe_ms = min(_timed(lambda: prober.details(one)) for _ in range(20))
    probe_cpu = _child_cpu_ms(lambda: prober.details(one))
    version_only = ["ffprobe", "-version"]
    start_cpu = _child_cpu_ms(lambda: subprocess.run(version_only, capture_output=True, check=True))
    print(
        f"ffprobe of one file: {probe_ms:.1f} ms (best of 20), {probe_cpu:.1f} ms of CPU "
        f"(mean of 20), of which starting (ffprobe -version) {start_cpu:.1f} ms\n"
    )
    print(
        "| probing threads | first scan s | first scan files/s | CPU ms per file: Stoat"
        " | ffprobe | rescan s | rescan files/s | load average |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count in workers:
        data = Path(tempfile.mkdtemp(prefix="stoat-scan-data-"))
        settings = Settings(
            data_dir=data,
            media_roots=(args.media_dir,),
            sqlite_synchronous=args.synchronous,
            scan_workers=count,
            asset_workers=0,
        )
        runtime = Runtime(settings)
        runtime.start(jobs=False)
        try:
            own, children = cpu_seconds()
            first, report = scan_once(runtime, args.media_dir)
            assert report["new"] == args.files, report
            own_after, children_after = cpu_seconds()
            load = os.getloadavg()[0]
            again, report = scan_once(runtime, args.media_dir)
            assert report["unchanged"] == args.files, report
        finally:
            runtime.stop()
            shutil.rmtree(data, ignore_errors=True)
        n = args.files
        stoat_ms, ffprobe_ms = (own_after - own) / n * 1000, (children_after - children) / n * 1000
        print(
            f"| {count} | {first:.2f} | {n / first:,.0f} | {stoat_ms:.1f} | {ffprobe_ms:.1f}"
            f" | {again:.2f} | {n / again:,.0f} | {load:.1f} |"
        )


def _child_cpu_ms(run: object, times: int = 20) -> float:
    before = cpu_seconds()[1]
    for _ in range(times):
        run()  # type: ignore[operator]
    return (cpu_seconds()[1] - before) / times * 1000


def _timed(run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
