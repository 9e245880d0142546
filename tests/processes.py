"""The processes on this machine, read from /proc: for tests that kill and look for them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterator


class Process(NamedTuple):
    pid: int
    parent: int
    state: str
    """``R``, ``S``, ... and ``Z`` for a zombie (exited, not yet reaped)."""
    argv: list[bytes]


def processes() -> Iterator[Process]:
    """Every process still listed (zombies included), skipping those that vanish."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        yield Process(int(entry.name), int(fields[1]), fields[0], argv)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    return any(process.pid == pid and process.state != "Z" for process in processes())
