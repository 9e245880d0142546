"""``stoat serve``: the HTTP API, with its read models and jobs in a companion process
(``background=process``, the default) or in its own threads (``background=threads``).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from stoat.settings import Settings
    from stoat.workers.companion import Companion

METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def serve(settings: Settings) -> int:
    """Runs the API until SIGINT or SIGTERM, then stops everything it started."""
    in_process = settings.background == "threads"
    if not in_process:
        # Before prometheus-client is imported: it picks its storage at import.
        _share_metrics(settings.data_dir / "metrics")
    import signal
    from concurrent.futures import ThreadPoolExecutor

    import uvicorn
    from litestar.concurrency import set_asyncio_executor

    from stoat.http.app import create_app
    from stoat.logs import configure_logging
    from stoat.runtime import Runtime
    from stoat.workers.companion import Companion

    configure_logging(settings.log_level)
    # Uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again; with
    # these handlers that second raise returns, so the workers and stores are stopped below.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _ignore_signal)
    runtime = Runtime(settings)
    admin_key = runtime.provision_admin_key()
    if admin_key is not None:
        print(
            f"stoat: created the admin key (also in {settings.data_dir / 'admin.key'}):\n"
            f"  {admin_key}",
            file=sys.stderr,
        )
    companion: Companion | None = None
    try:
        if in_process:
            runtime.start(jobs=settings.run_jobs)
        else:
            runtime.start(projections=False, jobs=False)
            # The companion writes the read models: reads that wait for a position hear
            # of its commits from it at once, not at their next poll.
            companion = Companion(
                _background_command(settings),
                os.environ,
                on_exit=_forget,
                on_progress=runtime.services.views.datastore.note_commit_elsewhere,
            )
            companion.start()
            runtime.attach_companion(companion)
        print(
            f"stoat: serving on http://{settings.host}:{settings.port} "
            f"({settings.mode}; data in {settings.data_dir.resolve()}; "
            f"{_background_summary(settings, companion)})",
            file=sys.stderr,
        )
        # Litestar runs sync handlers on asyncio's default executor otherwise: CPUs + 4
        # threads, so on 2 CPUs 6 requests at once, and a handler waiting for a read
        # model or a commit held one of them.
        set_asyncio_executor(
            ThreadPoolExecutor(settings.http_threads, thread_name_prefix="stoat-http")
        )
        uvicorn.run(
            create_app(runtime.services),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            access_log=False,
        )
    finally:
        if companion is not None:
            companion.stop()
        runtime.stop()
    return 0


def _background_command(settings: Settings) -> list[str]:
    return [
        sys.executable,
        "-m",
        "stoat.cli",
        "background",
        "--data-dir",
        str(settings.data_dir.resolve()),
    ]


def _background_summary(settings: Settings, companion: Companion | None) -> str:
    jobs = "read models and jobs" if settings.run_jobs else "read models; jobs run elsewhere"
    if companion is None:
        return f"{jobs} in this process"
    return f"{jobs} in process {companion.pid}"


def _share_metrics(directory: Path) -> None:
    """Counters of this process and its companion, summed at ``GET /metrics``.

    A directory the operator chose is left alone; the default one is emptied, since
    the files of processes that no longer run would be counted again.
    """
    if os.environ.get(METRICS_DIR_VARIABLE):
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[METRICS_DIR_VARIABLE] = str(directory.resolve())


def _forget(pid: int) -> None:
    """A child's live gauges (FFmpeg processes running) stop counting when it exits."""
    from prometheus_client import multiprocess

    if os.environ.get(METRICS_DIR_VARIABLE):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def _ignore_signal(signum: int, frame: object) -> None:
    del signum, frame
