"""Looking at one file for the library: confine its path, compare, fingerprint, probe.

:func:`examine` does the I/O (it runs on scan threads, in parallel) and returns an
:class:`Observation`; :func:`record` turns that into events on the ``Video`` aggregate.
Re-examining an unchanged file costs one ``stat``: size and modification time equal to
those recorded short-cut everything else; if they differ, the content fingerprint
decides whether ffprobe runs again.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from stoat._core import ValidationError, check_path
from stoat.domain.video import FileFacts, UpdateReason, Video, VideoStatus
from stoat.errors import PathForbidden, Rejected, error_item
from stoat.media.files import fingerprint
from stoat.media.probe import ProbeError

if TYPE_CHECKING:
    from stoat.media.probe import MediaDetails, Prober
    from stoat.settings import Settings


@dataclass(frozen=True, slots=True)
class MediaRoots:
    """The allowed roots, canonical (for the Rust check) and as configured (a root may
    be a symlink, and users write paths through it)."""

    canonical: list[str]
    written: list[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> MediaRoots:
        configured = [*settings.media_roots, settings.data_dir]
        written = [posixpath.normpath(os.path.abspath(root)) for root in configured]
        return cls(canonical=settings.allowed_roots, written=written)


def confine(path: str, roots: MediaRoots, loc: tuple[str | int, ...] = ("path",)) -> str:
    """The canonical form of a user-supplied ``path`` inside the allowed ``roots``.

    A path that is outside the roots as written is refused before the file system is
    asked anything (:class:`PathForbidden`); then the Rust core resolves it, so ``..``
    and symlinks that lead out of the roots are refused too. A path that is not
    absolute or does not exist is a :class:`Rejected` located at ``loc``.
    """
    allowed = [*roots.canonical, *roots.written]
    if posixpath.isabs(path) and "\0" not in path:
        written = posixpath.normpath(path)
        if not any(_within(written, root) for root in allowed):
            raise PathForbidden(path, loc, roots.written)
    try:
        return check_path(path, roots.canonical)
    except ValidationError as error:
        items = error.errors()
        if any(item["code"] == "path_outside_roots" for item in items):
            raise PathForbidden(path, loc, roots.written) from None
        raise Rejected(
            [error_item(i["code"], loc, i["msg"], i["hint"], **i["ctx"]) for i in items]
        ) from None


def _within(path: str, root: str) -> bool:
    root = root.rstrip("/") or "/"
    return path == root or path.startswith(root if root == "/" else root + "/")


class Outcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    TOUCHED = "touched"
    FOUND = "found"
    RESTORED = "restored"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class FileError:
    """Why one file could not be taken into the library."""

    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Observation:
    """What :func:`examine` learnt about a file, against what the library knew."""

    path: str
    outcome: Outcome
    known: Video | None = None
    file: FileFacts | None = None
    media: MediaDetails | dict[str, Any] | None = None
    error: FileError | None = None


def examine(prober: Prober, path: str, known: Video | None) -> Observation:
    """Looks at the canonical ``path``; never raises for a bad file, it reports it."""
    info = _stat(path)
    if isinstance(info, Observation):
        return info
    if known is not None and known.status is not VideoStatus.REMOVED and _same(known, info):
        if known.status is VideoStatus.MISSING:
            return Observation(path, Outcome.FOUND, known, _facts(known.file), known.media)
        return Observation(path, Outcome.UNCHANGED, known)
    try:
        digest = fingerprint(path, info.st_size)
    except OSError as error:
        return _failed(path, "file_unreadable", f"cannot read the file: {error.strerror}")
    file = FileFacts(size=info.st_size, mtime_ns=info.st_mtime_ns, content_hash=digest)
    return _compare(prober, path, known, file)


def _stat(path: str) -> os.stat_result | Observation:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return _failed(path, "file_vanished", "the file disappeared while being scanned")
    except OSError as error:
        return _failed(path, "file_unreadable", f"cannot stat the file: {error.strerror}")
    if not stat.S_ISREG(info.st_mode):
        return _failed(path, "not_a_file", "not a regular file (a directory, FIFO or device)")
    return info


def _compare(prober: Prober, path: str, known: Video | None, file: FileFacts) -> Observation:
    """A file whose size or time differs: same content, or probe it."""
    if known is not None and known.content_hash == file["content_hash"]:
        outcome = {
            VideoStatus.REMOVED: Outcome.RESTORED,
            VideoStatus.MISSING: Outcome.FOUND,
            VideoStatus.PRESENT: Outcome.TOUCHED,
        }[known.status]
        return Observation(path, outcome, known, file, known.media)
    try:
        media = prober.details(path)
    except ProbeError as error:
        return _failed(path, "not_media", f"ffprobe cannot read it as media: {error.reason}")
    if known is None:
        return Observation(path, Outcome.NEW, None, file, media)
    outcome = Outcome.RESTORED if known.removed else Outcome.CHANGED
    return Observation(path, outcome, known, file, media)


def record(
    observation: Observation,
    context: dict[str, Any],
    *,
    scan_id: str | None = None,
    tags: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Video | None:
    """The aggregate with the observation's events pending, or None if nothing changed."""
    outcome, known = observation.outcome, observation.known
    if outcome in (Outcome.UNCHANGED, Outcome.FAILED):
        return None
    assert observation.file is not None
    assert observation.media is not None
    file, media = observation.file, observation.media
    if outcome is Outcome.NEW:
        return Video.import_file(
            path=observation.path,
            file=file,
            media=media,  # type: ignore[arg-type]
            tags=tags or [],
            metadata=metadata or {},
            context=context,
            scan_id=scan_id,
        )
    assert known is not None
    if outcome is Outcome.RESTORED:
        known.restore(
            file, media, tags=tags or [], metadata=metadata or {}, context=context, scan_id=scan_id
        )
    else:
        reason = {
            Outcome.CHANGED: UpdateReason.CHANGED,
            Outcome.TOUCHED: UpdateReason.TOUCHED,
            Outcome.FOUND: UpdateReason.FOUND,
        }[outcome]
        known.update(reason, file, media, context, scan_id)
    return known


def _same(known: Video, info: os.stat_result) -> bool:
    return bool(known.file["size"] == info.st_size and known.file["mtime_ns"] == info.st_mtime_ns)


def _facts(file: dict[str, Any]) -> FileFacts:
    return FileFacts(
        size=int(file["size"]), mtime_ns=int(file["mtime_ns"]), content_hash=file["content_hash"]
    )


def _failed(path: str, code: str, message: str) -> Observation:
    return Observation(path, Outcome.FAILED, error=FileError(path, code, message))
