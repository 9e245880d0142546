"""The Rust core of Stoat (crate ``stoat-python``, a thin binding of ``stoat-core``).

Times are integer microseconds everywhere; frame rates are exact fractions written
``"30"`` or ``"30000/1001"``. Rejected input raises :class:`ValidationError`, which
carries every problem found with a stable ``code`` and a structured ``loc``.

``ErrorCode``, ``EventType`` and ``ErrorDetails`` exist only for type checkers: import
them under ``TYPE_CHECKING``.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias, TypedDict, final

__all__ = [
    "EDIT_OPS",
    "ERROR_CODES",
    "EVENT_TYPES",
    "RENDER_PRESETS",
    "Timeline",
    "ValidationError",
    "__version__",
    "check_path",
    "progress",
]

__version__: Final[str]
"""The version of the Rust crate."""

ErrorCode: TypeAlias = Literal[
    "wrong_type",
    "missing_field",
    "unknown_field",
    "unknown_op",
    "empty_batch",
    "project_not_created",
    "invalid_id",
    "clip_id_taken",
    "clip_not_found",
    "index_out_of_range",
    "source_unknown",
    "source_has_no_video",
    "time_negative",
    "in_not_before_out",
    "out_beyond_duration",
    "clip_too_short",
    "timeline_too_long",
    "nothing_to_update",
    "string_blank",
    "string_too_long",
    "dimension_invalid",
    "fps_invalid",
    "fps_out_of_range",
    "sample_rate_unsupported",
    "unknown_preset",
    "timeline_empty",
    "path_invalid",
    "path_not_found",
    "path_outside_roots",
]
"""Every error code the core can return. Codes never change once released."""

EventType: TypeAlias = Literal["ProjectCreated", "ClipAdded", "ClipTrimmed", "ClipRemoved"]
"""The type names of the timeline's events."""

ERROR_CODES: Final[list[ErrorCode]]
"""Every error code, in the order the Rust enum declares them."""

EVENT_TYPES: Final[list[EventType]]
"""Every event type name."""

EDIT_OPS: Final[list[str]]
"""The ``op`` of every edit: ``add_clip``, ``update_clip``, ``remove_clip``."""

RENDER_PRESETS: Final[list[str]]
"""The names of the render presets (``h264_aac``)."""

class ErrorDetails(TypedDict):
    """One problem found in a caller's input."""

    code: ErrorCode
    """The stable code."""
    loc: tuple[str | int, ...]
    """Where, outermost first: ``("edits", 0, "out")``."""
    msg: str
    """A message for people."""
    hint: str | None
    """What to do about it, phrased for an agent."""
    ctx: dict[str, Any]
    """Structured details: limits, the offending value, the allowed values."""

class ValidationError(ValueError):
    """Input was rejected; nothing changed. ``errors()`` lists every problem found.

    The arguments are ``(errors, title)``, so the exception pickles like any other.
    """

    def __init__(self, errors: Sequence[ErrorDetails], title: str | None = None) -> None: ...
    def errors(self) -> list[ErrorDetails]:
        """A fresh copy of the error items, in the order found."""

@final
class Timeline:
    """A project's timeline, the state of the Rust decider; it lives on the Rust side.

    ``Timeline()`` is the state before ``ProjectCreated``. Events are pairs
    ``(event type name, data dict)``; apply each with :meth:`evolve`.
    """

    def __init__(self) -> None: ...
    @staticmethod
    def decide_create(
        project_id: str, name: str, output: Mapping[str, object]
    ) -> list[tuple[str, dict[str, Any]]]:
        """Decides a project's creation: ``[("ProjectCreated", data)]``.

        ``output`` is ``{"width": int, "height": int, "fps": "N" | "N/D",
        "sample_rate": int}``: even sizes from 2 to 8192, 1 to 240 fps, a common sample
        rate. Raises :class:`ValidationError` (locations such as ``("output", "fps")``).
        """

    def decide(
        self,
        edits: Sequence[Mapping[str, object]],
        media: Mapping[str, Mapping[str, object]],
    ) -> list[tuple[str, dict[str, Any]]]:
        """Decides a whole batch of edits, all or nothing; does not change the timeline.

        Edits are ``{"op": "add_clip", "source": path, "in": µs, "out": µs,
        "clip_id"?: str, "index"?: int}``, ``{"op": "update_clip", "clip_id": str,
        "in"?: µs, "out"?: µs}`` and ``{"op": "remove_clip", "clip_id": str}``. Each is
        checked against the state the edits before it leave. ``media`` maps each source
        path to ``{"duration": µs, "has_video": bool, "has_audio": bool, "width": int |
        None, "height": int | None}``.

        Raises :class:`ValidationError` with every problem, located as
        ``("edits", i, field)``; ``ValueError`` for a malformed ``media`` map.
        """

    def evolve(self, event_type: str, data: Mapping[str, object]) -> None:
        """Applies one event. Raises ``ValueError`` when ``data`` is not that event."""

    def state(self) -> dict[str, Any]:
        """The project as plain data.

        ``{"project_id", "name", "output": {"width", "height", "fps": str,
        "sample_rate"}, "clips": [{"id", "source", "in", "out", "media": {...}}],
        "next_clip_number"}``. Raises :class:`ValidationError` (``project_not_created``)
        before creation.
        """

    def layout(self) -> dict[str, Any]:
        """Where each clip plays: ``{"duration", "frames", "clips": [{"id", "source",
        "in", "out", "start", "end", "duration", "frame_start", "frame_count"}]}``.

        Times are microseconds; frame ranges are snapped once per boundary, so the
        counts add up to ``frames``. Raises :class:`ValidationError` before creation.
        """

    @property
    def clip_count(self) -> int:
        """The number of clips (0 before creation)."""

    def to_snapshot(self) -> bytes:
        """The state as snapshot bytes (versioned JSON)."""

    @staticmethod
    def from_snapshot(data: bytes) -> Timeline:
        """A timeline from :meth:`to_snapshot` bytes; ``ValueError`` if they do not decode."""

    def compile_render(self, request: Mapping[str, object]) -> list[str]:
        """The complete FFmpeg argv (``argv[0] == "ffmpeg"``) for a render.

        ``request`` is ``{"output_path": absolute path, "preset": "h264_aac"}``. Run the
        argv without a shell. Raises :class:`ValidationError` (``unknown_preset``,
        ``timeline_empty``, ``path_invalid``).
        """

def check_path(path: str, roots: Sequence[str]) -> str:
    """The canonical form of ``path`` (symlinks resolved) if it lies inside a root.

    Raises :class:`ValidationError` at ``("path",)``: ``path_invalid`` (empty, relative,
    NUL), ``path_not_found``, or ``path_outside_roots``.
    """

def progress(out_time_us: int, total_us: int, elapsed_us: int) -> tuple[float, float | None]:
    """``(fraction, eta_seconds)`` of a render; ``eta_seconds`` is ``None`` until some
    progress has been made."""
