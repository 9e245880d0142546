"""Make ``stoat`` importable before the package is installed; the shared fixtures.

scripts/bootstrap.sh installs stoat (editable, with the Rust core) into .venv; until
that has happened on a machine, running ``pytest tests/eventstore`` straight from a
checkout should still find the package in ``src/``. Spawned child processes inherit
this ``sys.path``.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if find_spec("stoat") is None:  # pragma: no cover - depends on the machine
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from stoat.eventstore import ApswApplicationRecorder, ApswFactory
from tests.eventstore._groups import FaultyVFS

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def vfs() -> Iterator[FaultyVFS]:
    vfs = FaultyVFS()
    yield vfs
    vfs.unregister()


@pytest.fixture
def factory(tmp_path: Path, vfs: FaultyVFS) -> Iterator[ApswFactory]:
    """A store through the counting VFS, so tests can see how many fsyncs a group cost."""
    factory = ApswFactory({"APSW_DBNAME": vfs.uri(str(tmp_path / "events.db"))})
    yield factory
    factory.close()


@pytest.fixture
def recorder(factory: ApswFactory) -> ApswApplicationRecorder:
    recorder = factory.application_recorder()
    assert isinstance(recorder, ApswApplicationRecorder)
    return recorder
