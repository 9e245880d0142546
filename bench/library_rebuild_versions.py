"""Rebuild speed of several versions of the library projection, side by side.

Run from the repository root (not part of the test suite), on a library that
``bench/library_search.py --data-dir DIR`` built::

    PYTHONPATH=src .venv/bin/python bench/library_rebuild_versions.py --data-dir DIR

Loads ``src/stoat/projections/library_views.py`` as it was at each revision (``git
show``; ``.`` is the working tree) and rebuilds the read models with each in turn, in one
process, alternating the order every round, so that on a shared machine every version
meets the same load. Everything else (the log, the other read models, the runtime) is the
working tree's. Prints events/s and CPU time per round, and their medians.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import stoat.projections.library_views as current
import stoat.projections.project_views as project_views
import stoat.projections.views as views
import stoat.runtime as runtime_module
from stoat.logs import configure_logging
from stoat.runtime import Runtime
from stoat.settings import Settings

if TYPE_CHECKING:
    from types import ModuleType

DEFAULT_REVISIONS = ["8795ed2^", "8795ed2", "."]
KEY = "stoat_bench-admin-key-0123456789abcdefghijklmnopqrstuvwx"


def load(revision: str, folder: Path) -> ModuleType:
    """The projection module at ``revision``; one from before the deferred search index
    gets a no-op deferral, as the runtime of its day had none."""
    if revision == ".":
        return current
    source = subprocess.run(
        ["git", "show", f"{revision}:src/stoat/projections/library_views.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    name = f"library_views_{len(sys.modules)}"
    path = folder / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # msgspec resolves the module's annotations through it
    spec.loader.exec_module(module)
    if not hasattr(module, "deferred_search_index"):
        module.deferred_search_index = contextlib.nullcontext  # type: ignore[attr-defined]
        module.rebuild_search_index = lambda _cursor: 0  # type: ignore[attr-defined]
    return module


def use(module: ModuleType) -> None:
    project_views.project_library = module.project_library  # type: ignore[attr-defined]
    runtime_module.deferred_search_index = module.deferred_search_index  # type: ignore[attr-defined]
    runtime_module.rebuild_search_index = module.rebuild_search_index  # type: ignore[attr-defined]
    views.LIBRARY_RESET = module.LIBRARY_RESET  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("revisions", nargs="*", default=DEFAULT_REVISIONS)
    args = parser.parse_args()
    configure_logging("WARNING")
    settings = Settings(
        data_dir=args.data_dir, sqlite_synchronous="FULL", admin_key=KEY, asset_workers=0
    )
    runtime = Runtime(settings)
    results: dict[str, list[tuple[float, float]]] = {r: [] for r in args.revisions}
    with tempfile.TemporaryDirectory() as folder:
        modules = {revision: load(revision, Path(folder)) for revision in args.revisions}
        try:
            for round_ in range(args.rounds):
                order = args.revisions if round_ % 2 == 0 else args.revisions[::-1]
                for revision in order:
                    use(modules[revision])
                    started, used = time.perf_counter(), time.process_time()
                    count = runtime.rebuild_projections()
                    rate = count / (time.perf_counter() - started)
                    cpu = time.process_time() - used
                    results[revision].append((rate, cpu))
                    busy = os.getloadavg()[0]
                    print(f"{revision}: {rate:,.0f} events/s, {cpu:.2f} s CPU, load {busy:.1f}")
        finally:
            use(current)
            runtime.stop()
    print("\n| revision | events/s (median) | CPU s (median) |\n|---|---:|---:|")
    for revision, samples in results.items():
        rate = statistics.median(r for r, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"| {revision} | {rate:,.0f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
