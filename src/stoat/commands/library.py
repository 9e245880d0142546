"""Library commands: import a file, tag it, remove it, request a scan; resolve sources.

Every path a caller supplies is confined to the allowed media roots before anything
reads it (:func:`~stoat.commands._library_files.confine`): outside them is a
:class:`~stoat.errors.PathForbidden` (403 at the edge).

Writes honour the caller's idempotency key: a retry gets the first write's result and
appends nothing. A video keeps no request state, so its key is looked for in the context
of its own events (:func:`~stoat.commands.idempotency.replay_recorded`), before the
write and again if the append loses a race; a scan's id comes from the key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import msgspec
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import RecordConflictError

from stoat.commands._library_files import MediaRoots, Outcome, confine, examine, record
from stoat.commands.idempotency import (
    creation_id,
    event_position,
    replay_creation,
    replay_keyed,
    replay_recorded,
)
from stoat.commands.results import WriteResult, write_result
from stoat.domain.request_key import RequestKey
from stoat.domain.scan import LibraryScan
from stoat.domain.video import Video, video_id_for
from stoat.errors import NotFound, Rejected, VersionConflict, error_item

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stoat.commands.application import StoatApplication
    from stoat.domain.context import EventContext
    from stoat.errors import ErrorItem
    from stoat.media.probe import Prober

__all__ = [
    "MediaRoots",
    "annotate_video",
    "find_video",
    "import_video",
    "load_scan",
    "load_video",
    "remove_video",
    "request_scan",
    "resolve_source",
]

MAX_TAGS = 64
MAX_TAG_LENGTH = 64
MAX_METADATA_BYTES = 16 * 1024


def resolve_source(app: StoatApplication, source: str) -> str | None:
    """The path of the library video whose id is ``source``; None when ``source`` is not
    the id of a video in the library (a path, an unknown id, a removed video)."""
    try:
        video_id = UUID(source)
    except ValueError:
        return None
    try:
        video: Any = app.repository.get(video_id)
    except AggregateNotFoundError:
        return None
    if not isinstance(video, Video) or video.removed:
        return None
    return video.path


def load_video(app: StoatApplication, video_id: str) -> Video:
    """A video in the library, or :class:`NotFound` (unknown, or removed)."""
    video = find_video(app, video_id)
    if video is None or video.removed:
        raise NotFound("video", video_id)
    return video


def import_video(
    app: StoatApplication,
    prober: Prober,
    roots: MediaRoots,
    *,
    path: str,
    tags: list[str] | None,
    metadata: Mapping[str, Any] | None,
    context: EventContext,
) -> tuple[WriteResult, bool]:
    """Imports one file (probed now); returns the write and whether it was new.

    Importing a file already in the library records what changed, if anything; tags and
    metadata, when given, replace the video's.
    """
    canonical = confine(path, roots)
    clean_tags = None if tags is None else check_tags(tags)
    clean_metadata = None if metadata is None else check_metadata(dict(metadata))
    # The video's id comes from the path, not the key: the key's first use is recorded
    # on its own (RequestKey), so a reuse with another path is found too.
    key_id = creation_id(context, "video-import")
    done = None if key_id is None else replay_keyed(app, key_id, context)
    known = find_video(app, str(video_id_for(canonical)))
    if done is None and known is not None:
        done = replay_recorded(app, known.id, context)  # a key used before RequestKey
    if done is not None:
        return done, created_by(done)
    observation = examine(prober, canonical, known)
    if observation.error is not None:
        error = observation.error
        raise Rejected([error_item(error.code, ("path",), error.message, _IMPORT_HINT)])
    video = record(observation, dict(context), tags=clean_tags or [], metadata=clean_metadata or {})
    if video is None:
        assert known is not None
        video = known
    if observation.outcome not in (Outcome.NEW, Outcome.RESTORED):
        video.annotate(
            video.tags if clean_tags is None else clean_tags,
            video.metadata if clean_metadata is None else clean_metadata,
            dict(context),
        )
    result = _save(app, video, context, key_id)
    return result, created_by(result)


_IMPORT_HINT = "point path at a video, audio or image file that FFmpeg can read"


def created_by(result: WriteResult) -> bool:
    """Whether an import's write brought the video into the library (new or restored)."""
    return bool(result.events) and result.events[0].type in _CREATING


_CREATING = (Video.VideoImported.__name__, Video.VideoRestored.__name__)


def annotate_video(
    app: StoatApplication,
    *,
    video_id: str,
    tags: list[str] | None,
    metadata_patch: Mapping[str, Any] | None,
    expected_version: int | None,
    context: EventContext,
) -> WriteResult:
    """Sets tags (the whole list) and merges ``metadata_patch`` into the user metadata
    (JSON merge patch: a null value deletes its key)."""
    video = load_video(app, video_id)
    done = replay_recorded(app, video.id, context)
    if done is not None:
        return done
    _check_version(video, expected_version)
    new_tags = video.tags if tags is None else check_tags(tags)
    new_metadata = video.metadata
    if metadata_patch is not None:
        new_metadata = check_metadata(merge_patch(video.metadata, dict(metadata_patch)))
    video.annotate(new_tags, new_metadata, dict(context))
    return _save(app, video, context)


def remove_video(
    app: StoatApplication, *, video_id: str, expected_version: int | None, context: EventContext
) -> WriteResult:
    """Removes a video from the library; the file on disk is not touched."""
    found = find_video(app, video_id)
    done = None if found is None else replay_recorded(app, found.id, context)
    if done is not None:
        return done  # a retry: the video is gone, by this very request
    video = load_video(app, video_id)
    _check_version(video, expected_version)
    video.remove(dict(context))
    return _save(app, video, context)


def request_scan(
    app: StoatApplication,
    roots: MediaRoots,
    *,
    path: str,
    recursive: bool,
    context: EventContext,
) -> WriteResult:
    """Records a scan request; a worker runs it (see :mod:`stoat.workers.scan`)."""
    canonical = confine(path, roots)
    scan_id = creation_id(context, "scan") or uuid4()
    scan = LibraryScan.request(
        scan_id=scan_id, path=canonical, recursive=recursive, context=dict(context)
    )
    try:
        return write_result(str(scan_id), app.save(scan))
    except RecordConflictError:
        return replay_creation(app, scan_id, context)  # the id came from the key


def load_scan(app: StoatApplication, scan_id: str) -> LibraryScan:
    """A scan, or :class:`NotFound`."""
    try:
        scan: Any = app.repository.get(UUID(scan_id))
    except (ValueError, AggregateNotFoundError):
        raise NotFound("scan", scan_id) from None
    if not isinstance(scan, LibraryScan):
        raise NotFound("scan", scan_id)
    return scan


def check_tags(tags: list[str]) -> list[str]:
    """Tags trimmed, duplicates (ignoring case) dropped; :class:`Rejected` if unusable."""
    errors: list[ErrorItem] = []
    seen: set[str] = set()
    clean: list[str] = []
    for index, tag in enumerate(tags):
        text = tag.strip()
        if not text or len(text) > MAX_TAG_LENGTH or not text.isprintable():
            errors.append(
                error_item(
                    "invalid_tag",
                    ("tags", index),
                    f"a tag is 1 to {MAX_TAG_LENGTH} printable characters, not {tag!r}",
                    "send short words or phrases, such as 'beach' or 'b-roll'",
                )
            )
        elif text.casefold() not in seen:
            seen.add(text.casefold())
            clean.append(text)
    if len(clean) > MAX_TAGS:
        errors.append(error_item("too_many_tags", ("tags",), f"at most {MAX_TAGS} tags", None))
    if errors:
        raise Rejected(errors)
    return clean


def check_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """User metadata: a JSON object of bounded size."""
    if len(msgspec.json.encode(metadata)) > MAX_METADATA_BYTES:
        raise Rejected(
            [
                error_item(
                    "metadata_too_large",
                    ("metadata",),
                    f"user metadata is limited to {MAX_METADATA_BYTES} bytes of JSON",
                    "keep large data elsewhere and store a reference",
                )
            ]
        )
    reserved = _reserved_key(metadata, ("metadata",))
    if reserved is not None:
        raise Rejected(
            [
                error_item(
                    "metadata_key_reserved",
                    reserved,
                    "`_type_` is reserved by the event store's encoding",
                    "rename the key",
                )
            ]
        )
    return metadata


def _reserved_key(value: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    # eventsourcing's JSON transcoder reads {"_type_": ..., "_data_": ...} as a typed value.
    if isinstance(value, dict):
        if "_type_" in value:
            return (*loc, "_type_")
        for key, item in value.items():
            found = _reserved_key(item, (*loc, str(key)))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _reserved_key(item, (*loc, index))
            if found is not None:
                return found
    return None


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def find_video(app: StoatApplication, video_id: str) -> Video | None:
    """The video with this id, removed or not; None if there is none."""
    try:
        video: Any = app.repository.get(UUID(video_id))
    except (ValueError, AggregateNotFoundError):
        return None
    return video if isinstance(video, Video) else None


def _check_version(video: Video, expected: int | None) -> None:
    if expected is not None and expected != video.version:
        raise VersionConflict(str(video.id), expected, video.version)


def _save(
    app: StoatApplication, video: Video, context: EventContext, key_id: UUID | None = None
) -> WriteResult:
    """Saves ``video`` and, for a keyed import (``key_id``), the key's first use with it."""
    written = (video.version - len(video.pending_events) + 1, video.version)
    key = None
    if key_id is not None:
        key = RequestKey.record(
            key_id=key_id,
            request_hash=str(context.get("request_hash")),
            target_id=str(video.id),
            versions=written,
            context=dict(context),
        )
    try:
        recordings = app.save(video) if key is None else app.save(video, key)
    except RecordConflictError:
        # A concurrent write won; if it was this request's retry, answer as it did.
        done = None if key_id is None else replay_keyed(app, key_id, context)
        done = done or replay_recorded(app, video.id, context)
        if done is not None:
            return done
        current = load_video(app, str(video.id)).version
        raise VersionConflict(str(video.id), None, current) from None
    recordings = [r for r in recordings if r.domain_event.originator_id == video.id]
    if not recordings:  # nothing changed: the position of the video's last event
        position = event_position(app, video.id, video.version)
        return WriteResult(id=str(video.id), version=video.version, position=position, events=[])
    return write_result(str(video.id), recordings)
