"""Make ``stoat`` importable before the package is installed.

scripts/bootstrap.sh installs stoat (editable, with the Rust core) into .venv; until
that has happened on a machine, running ``pytest tests/eventstore`` straight from a
checkout should still find the package in ``src/``. Spawned child processes inherit
this ``sys.path``.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec
from pathlib import Path

if find_spec("stoat") is None:  # pragma: no cover - depends on the machine
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
