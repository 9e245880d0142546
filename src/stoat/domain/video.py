"""The Video aggregate: one file in the media library, identified by its canonical path.

A video's id is derived from its canonical path (:func:`video_id_for`), so two scans
that meet the same file write to the same aggregate, and the event store's version
check settles any race between them. Library events live here and never on a
``Project``: importing, tagging or losing a file cannot bump a project's version.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypedDict
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from stoat.media.probe import MediaDetails

# Video ids are UUIDv5 of the canonical path in this namespace.
VIDEO_NAMESPACE = uuid5(NAMESPACE_URL, "https://stoat.dev/ns/library/video")


def video_id_for(path: str) -> UUID:
    """The id of the library video at canonical ``path`` (stable across imports)."""
    return uuid5(VIDEO_NAMESPACE, path)


class FileFacts(TypedDict):
    """What the file system says about a file: enough to tell whether it changed."""

    size: int
    mtime_ns: int
    content_hash: str


class VideoStatus(StrEnum):
    PRESENT = "present"
    MISSING = "missing"
    REMOVED = "removed"


class UpdateReason(StrEnum):
    CHANGED = "changed"
    """The content changed: new fingerprint, probed again."""
    TOUCHED = "touched"
    """Size or modification time changed, the content fingerprint did not."""
    FOUND = "found"
    """A file recorded missing is back."""


class Video(Aggregate):
    """A media file (video, audio or still image) in the library."""

    class Event(Aggregate.Event):
        class_version = 1
        context: dict[str, Any]

    class VideoImported(Event, Aggregate.Created):
        """A file entered the library, probed (``media``) and fingerprinted (``file``)."""

        path: str
        file: dict[str, Any]
        media: dict[str, Any]
        tags: list[str]
        metadata: dict[str, Any]
        scan_id: str | None

    class VideoUpdated(Event):
        """The file was seen again and differs from what was recorded (``reason``)."""

        reason: str
        file: dict[str, Any]
        media: dict[str, Any]
        scan_id: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.file = self.file
            aggregate.media = self.media
            aggregate.status = VideoStatus.PRESENT

    class VideoMissing(Event):
        """A scan of the file's directory did not find it."""

        scan_id: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.status = VideoStatus.MISSING

    class VideoAnnotated(Event):
        """Tags and user metadata were set; both fields hold the whole new value."""

        tags: list[str]
        metadata: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.tags = self.tags
            aggregate.metadata = self.metadata

    class VideoRemoved(Event):
        """The video left the library; the file on disk is untouched."""

        def apply(self, aggregate: Any) -> None:
            aggregate.status = VideoStatus.REMOVED

    class VideoRestored(Event):
        """A removed video was imported again, with fresh facts, tags and metadata."""

        path: str
        file: dict[str, Any]
        media: dict[str, Any]
        tags: list[str]
        metadata: dict[str, Any]
        scan_id: str | None

        def apply(self, aggregate: Any) -> None:
            aggregate.file = self.file
            aggregate.media = self.media
            aggregate.tags = self.tags
            aggregate.metadata = self.metadata
            aggregate.status = VideoStatus.PRESENT

    def __init__(
        self,
        path: str,
        file: dict[str, Any],
        media: dict[str, Any],
        tags: list[str],
        metadata: dict[str, Any],
    ) -> None:
        self.path = path
        self.file = file
        self.media = media
        self.tags = tags
        self.metadata = metadata
        self.status = VideoStatus.PRESENT

    @classmethod
    def import_file(
        cls,
        *,
        path: str,
        file: FileFacts,
        media: MediaDetails,
        tags: list[str],
        metadata: dict[str, Any],
        context: dict[str, Any],
        scan_id: str | None = None,
    ) -> Video:
        """A new library video for the canonical ``path``."""
        return cls._create(
            cls.VideoImported,
            id=video_id_for(path),
            path=path,
            file=dict(file),
            media=dict(media),
            tags=list(tags),
            metadata=dict(metadata),
            scan_id=scan_id,
            context=context,
        )

    @property
    def content_hash(self) -> str:
        return str(self.file["content_hash"])

    @property
    def removed(self) -> bool:
        return self.status is VideoStatus.REMOVED

    def update(
        self,
        reason: UpdateReason,
        file: FileFacts,
        media: MediaDetails | dict[str, Any],
        context: dict[str, Any],
        scan_id: str | None = None,
    ) -> None:
        """Records what the file is now."""
        self._require_in_library()
        self.trigger_event(
            self.VideoUpdated,
            reason=reason.value,
            file=dict(file),
            media=dict(media),
            scan_id=scan_id,
            context=context,
        )

    def mark_missing(self, context: dict[str, Any], scan_id: str | None = None) -> None:
        """Records that the file is gone from where it was."""
        if self.status is not VideoStatus.PRESENT:
            raise VideoNotPresentError(str(self.id), self.status)
        self.trigger_event(self.VideoMissing, scan_id=scan_id, context=context)

    def annotate(self, tags: list[str], metadata: dict[str, Any], context: dict[str, Any]) -> bool:
        """Sets tags and metadata; returns False (and records nothing) if nothing changes."""
        self._require_in_library()
        if tags == self.tags and metadata == self.metadata:
            return False
        self.trigger_event(
            self.VideoAnnotated, tags=list(tags), metadata=dict(metadata), context=context
        )
        return True

    def remove(self, context: dict[str, Any]) -> None:
        """Takes the video out of the library (the file stays where it is)."""
        self._require_in_library()
        self.trigger_event(self.VideoRemoved, context=context)

    def restore(
        self,
        file: FileFacts,
        media: MediaDetails | dict[str, Any],
        *,
        tags: list[str],
        metadata: dict[str, Any],
        context: dict[str, Any],
        scan_id: str | None = None,
    ) -> None:
        """Brings a removed video back into the library."""
        if not self.removed:
            raise VideoNotPresentError(str(self.id), self.status)
        self.trigger_event(
            self.VideoRestored,
            path=self.path,
            file=dict(file),
            media=dict(media),
            tags=list(tags),
            metadata=dict(metadata),
            scan_id=scan_id,
            context=context,
        )

    def _require_in_library(self) -> None:
        if self.removed:
            raise VideoRemovedError(str(self.id))


class VideoRemovedError(Exception):
    """The video was removed from the library."""

    def __init__(self, video_id: str) -> None:
        super().__init__(f"video {video_id} was removed from the library")
        self.video_id = video_id


class VideoNotPresentError(Exception):
    """The change needs a video in another status."""

    def __init__(self, video_id: str, status: VideoStatus) -> None:
        super().__init__(f"video {video_id} is {status}")
        self.video_id = video_id
        self.status = status


VIDEO_CONTENT_EVENTS = (Video.VideoImported, Video.VideoUpdated, Video.VideoRestored)
"""The events after which a video's derived media (thumbnails, proxy) may need making."""
