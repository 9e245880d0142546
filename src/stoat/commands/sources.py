"""Resolving the files an edit batch names, before the pure decider sees it.

Python owns I/O: the Rust core lists every path in the batch (``referenced_paths``);
each is checked against the allowed roots (in Rust, ``check_path``) and, for media and
images, probed with ffprobe. A clip source may also be a library video id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stoat._core import ValidationError, check_path, referenced_paths
from stoat.commands.library import resolve_source
from stoat.errors import error_item
from stoat.media.probe import ProbeError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from stoat.commands.application import StoatApplication
    from stoat.errors import ErrorItem
    from stoat.media.probe import MediaInfo, Prober

PROBED_KINDS = frozenset({"media", "image"})


@dataclass
class ResolvedSources:
    """What ``decide`` needs besides the edits, and the errors found on the way."""

    media: dict[str, MediaInfo] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    errors: list[ErrorItem] = field(default_factory=list)

    def failed(self, loc: Sequence[str | int]) -> bool:
        return any(tuple(item["loc"]) == tuple(loc) for item in self.errors)


def resolve_sources(
    app: StoatApplication,
    prober: Prober,
    roots: Sequence[str],
    edits: Sequence[Mapping[str, Any]],
) -> ResolvedSources:
    resolved = ResolvedSources()
    for loc, given, kind in referenced_paths([dict(edit) for edit in edits]):
        if given in resolved.files:
            continue
        path = resolve_source(app, given) if kind == "media" else None
        try:
            canonical = check_path(path or given, list(roots))
        except ValidationError as error:
            resolved.errors.extend(
                error_item(item["code"], tuple(loc), item["msg"], item["hint"], **item["ctx"])
                for item in error.errors()
            )
            continue
        if kind in PROBED_KINDS and canonical not in resolved.media:
            try:
                resolved.media[canonical] = prober.probe(canonical)
            except ProbeError as error:
                resolved.errors.append(
                    error_item(
                        "source_unreadable",
                        tuple(loc),
                        f"ffprobe cannot read {given!r} as media: {error.reason}",
                        "point source at a video, audio or image file FFmpeg can decode",
                    )
                )
                continue
        resolved.files[given] = canonical
    return resolved
