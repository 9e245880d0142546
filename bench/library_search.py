"""The media library at scale: projection rebuild, search and list latency.

Run from the repository root (not part of the test suite)::

    PYTHONPATH=src .venv/bin/python bench/library_search.py

Builds a library of ``--videos`` synthetic videos (imports plus tags, metadata, lost
and touched files: see bench/library_data.py) in a fresh data directory, through the
real application (mapper, transcoder, event store). Then:

- **rebuild**: ``Runtime.rebuild_library()`` (what ``stoat projections rebuild --only
  library`` runs: the target's measure) and ``Runtime.rebuild_projections()`` (every read
  model, the audit log's included) over the whole log, ``--rounds`` times each: events
  per second and CPU time, medians of rounds, and the load average;
- **search**: ``search_videos`` with ``q`` (FTS5) per query class, each class a few
  hundred different queries drawn from the vocabulary: p50, p95, p99 in ms;
- **list**: pages without ``q``: filters, sort orders, and pages deep in a cursor walk;
- **HTTP**: one search and one list page through Litestar (auth, routing, JSON), to
  show what the edge adds.

Targets (issue 5): search p95 <= 20 ms, list page p95 <= 10 ms, rebuild >= 50,000
events/s.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from litestar.testing import TestClient

from library_data import Vocabulary, build
from stoat.http.app import create_app
from stoat.logs import configure_logging
from stoat.projections.library_queries import SortKey, VideoQuery, search_videos
from stoat.runtime import Runtime
from stoat.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from stoat.projections.views import ViewStore

KEY = "stoat_bench-admin-key-0123456789abcdefghijklmnopqrstuvwx"


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[94], cuts[98]


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def query_classes(
    views: ViewStore, vocabulary: Vocabulary, count: int, rnd: random.Random
) -> dict[str, list[VideoQuery]]:
    words = vocabulary.words
    with views.read() as cursor:
        names = [row[0] for row in cursor.execute("SELECT name FROM library_videos LIMIT 20000")]
    pairs = [name.split("_")[:2] for name in rnd.sample(names, count)]
    tags = words[:300]

    def some(ranks: range) -> list[str]:
        return [words[rnd.choice(ranks)] for _ in range(count)]

    return {
        "search: a word (rank 10-2000)": [VideoQuery(q=w) for w in some(range(10, 2000))],
        "search: a rare word (rank 2000-5000)": [VideoQuery(q=w) for w in some(range(2000, 5000))],
        "search: a 3-letter prefix": [VideoQuery(q=w[:3] + "*") for w in some(range(10, 2000))],
        "search: a phrase of two words": [VideoQuery(q=f'"{a} {b}"') for a, b in pairs],
        "search: a tag (tags:x)": [VideoQuery(q=f"tags:{rnd.choice(tags)}") for _ in range(count)],
        "search: a word + filters": [
            VideoQuery(q=w, has_audio=True, min_duration=10, codec="h264")
            for w in some(range(10, 2000))
        ],
        "search: a word, sorted by name": [
            VideoQuery(q=w, sort="name") for w in some(range(10, 2000))
        ],
        "search: a top-10 word (10-30% of the library)": [VideoQuery(q=w) for w in some(range(10))],
    }


def list_classes(views: ViewStore, count: int, rnd: random.Random) -> dict[str, list[VideoQuery]]:
    def deep(sort: SortKey, pages: int) -> VideoQuery:
        cursor = None
        for _ in range(pages):
            _, cursor = search_videos(views, VideoQuery(sort=sort, limit=50, cursor=cursor))
        return VideoQuery(sort=sort, limit=50, cursor=cursor)

    sorts: list[SortKey] = ["-imported", "name", "-duration", "size"]
    return {
        "list: first page, newest first": [VideoQuery() for _ in range(count)],
        "list: first page, each sort order": [
            VideoQuery(sort=rnd.choice(sorts)) for _ in range(count)
        ],
        "list: a page 1 to 40 pages deep": [
            deep(rnd.choice(sorts), rnd.randint(1, 40)) for _ in range(min(count, 60))
        ],
        "list: filters (codec, resolution, duration, audio)": [
            rnd.choice(
                [
                    VideoQuery(codec="hevc"),
                    VideoQuery(resolution="3840x2160"),
                    VideoQuery(min_duration=60, max_duration=600),
                    VideoQuery(has_audio=False),
                    VideoQuery(codec="prores", has_audio=True, sort="-duration"),
                ]
            )
            for _ in range(count)
        ],
    }


def measure(views: ViewStore, classes: dict[str, list[VideoQuery]]) -> list[float]:
    everything: list[float] = []
    for label, queries in classes.items():
        for query in queries[:20]:  # warm up
            search_videos(views, query)
        samples = [timed(lambda q=q: search_videos(views, q)) for q in queries]  # type: ignore[misc]
        everything += samples
        p50, p95, p99 = percentiles(samples)
        print(f"| {label} | {len(samples)} | {p50:.2f} | {p95:.2f} | {p99:.2f} |")
    return everything


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--synchronous", default="FULL")
    parser.add_argument("--data-dir", type=Path, help="keep the data here (default: temporary)")
    args = parser.parse_args()
    configure_logging("WARNING")  # the HTTP part logs every request otherwise
    logging.getLogger("httpx").setLevel(logging.WARNING)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="stoat-library-bench-"))
    settings = Settings(
        data_dir=data_dir, sqlite_synchronous=args.synchronous, admin_key=KEY, asset_workers=0
    )
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"data in {data_dir}, synchronous={args.synchronous}")
    runtime = Runtime(settings)
    try:
        if (runtime.services.app.recorder.max_notification_id() or 0) == 0:
            started = time.perf_counter()
            events = build(runtime.services.app, args.videos)
            elapsed = time.perf_counter() - started
            print(f"built {args.videos} videos, {events} events in {elapsed:.1f} s")
        for label, rebuild in (
            (
                "the library alone (stoat projections rebuild --only library)",
                runtime.rebuild_library,
            ),
            ("every read model (stoat projections rebuild)", runtime.rebuild_projections),
        ):
            measure_rebuild(label, rebuild, args.rounds)
        views = runtime.services.views
        rnd = random.Random(11)
        print("\n| class | queries | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|")
        vocabulary = Vocabulary(random.Random(7))
        searches = measure(views, query_classes(views, vocabulary, args.queries, rnd))
        lists = measure(views, list_classes(views, args.queries, rnd))
        for label, samples in (("all searches", searches), ("all list pages", lists)):
            p50, p95, p99 = percentiles(samples)
            print(f"| **{label}** | {len(samples)} | {p50:.2f} | **{p95:.2f}** | {p99:.2f} |")
        http(runtime, args.queries)
    finally:
        runtime.stop()
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)


def measure_rebuild(label: str, rebuild: Callable[[], int], rounds: int) -> None:
    rates, cpu, loads = [], [], []
    for _ in range(rounds):
        started, used = time.perf_counter(), time.process_time()
        count = rebuild()
        rates.append(count / (time.perf_counter() - started))
        cpu.append(time.process_time() - used)
        loads.append(os.getloadavg()[0])
    print(f"\nrebuild of {label}: {count} events, {statistics.median(rates):,.0f} events/s "
          f"(median of {rounds}: {', '.join(f'{r:,.0f}' for r in rates)}); CPU time median "
          f"{statistics.median(cpu):.2f} s (all threads); load average {min(loads):.1f} to "
          f"{max(loads):.1f}")  # fmt: skip


def http(runtime: Runtime, count: int) -> None:
    runtime.provision_admin_key()
    with TestClient(create_app(runtime.services)) as client:
        client.headers["Authorization"] = f"Bearer {KEY}"
        words = Vocabulary(random.Random(7)).words
        for label, word in (
            ("HTTP GET /v1/videos (first page)", False),
            ("HTTP GET /v1/videos?q=<word>", True),
        ):
            samples = []
            for i in range(count):
                params = {"q": words[10 + i % 1990]} if word else {}
                started = time.perf_counter()
                response = client.get("/v1/videos", params=params)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
            p50, p95, p99 = percentiles(samples)
            print(f"| {label} | {count} | {p50:.2f} | {p95:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    main()
