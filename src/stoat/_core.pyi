"""The Rust core of Stoat (crate ``stoat-python``, a thin binding of ``stoat-core``).

Edits are read exactly as agents send them over HTTP: times are seconds (JSON numbers,
rounded once to the microsecond), frame rates ``"30"`` or ``"30000/1001"``, colours
``"#RRGGBB"``, ``"#RRGGBBAA"`` or FFmpeg colour names. :func:`edit_schema` and the
catalogs are generated from the same definitions the reader validates with.

Events store exact integer microseconds; :meth:`Timeline.state`, :meth:`Timeline.layout`
and :meth:`Timeline.diff` answer in seconds, shaped like the edits. Every event decided
from an edit batch carries ``"batch": {"index": i, "size": n}`` in its data: applying
the last event of a batch makes the batch one undo step, also on replay.

Rejected input raises :class:`ValidationError`, which carries every problem found with a
stable ``code``, a structured ``loc`` such as ``("edits", 2, "params", "size")`` and a
``hint`` naming the valid range or the ids that exist.

``ErrorCode``, ``EventType``, ``PathKind``, ``Event``, ``ErrorDetails`` and ``MediaInfo``
exist only for type checkers: import them under ``TYPE_CHECKING``.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, NotRequired, TypeAlias, TypedDict, final

__all__ = [
    "EASINGS",
    "EDIT_OPS",
    "EFFECT_TYPES",
    "ERROR_CODES",
    "EVENT_TYPES",
    "FFMPEG_TRANSITIONS",
    "LAYOUT_TYPES",
    "RENDER_PRESETS",
    "SNAPSHOT_VERSION",
    "Timeline",
    "ValidationError",
    "__version__",
    "check_path",
    "ease",
    "edit_schema",
    "effects_catalog",
    "encoder_trial_argv",
    "layouts_catalog",
    "output_presets",
    "progress",
    "referenced_paths",
    "render_presets",
    "transitions_catalog",
    "value_at",
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
    "value_out_of_range",
    "invalid_choice",
    "color_invalid",
    "text_invalid",
    "file_type_invalid",
    "list_too_short",
    "list_too_long",
    "file_unknown",
    "track_not_found",
    "track_id_taken",
    "effect_not_found",
    "effect_id_taken",
    "clip_kind_not_allowed",
    "source_has_no_audio",
    "no_suitable_track",
    "field_not_applicable",
    "clips_overlap",
    "start_with_transition",
    "transition_too_long",
    "clips_not_adjacent",
    "transition_not_found",
    "keyframes_not_increasing",
    "time_beyond_clip",
    "effect_not_applicable",
    "effect_invalid",
    "end_not_after_start",
    "freeze_outside_span",
    "role_mismatch",
    "still_referenced",
    "duplicate_value",
    "conflicting_fields",
    "crop_too_large",
    "nothing_to_undo",
    "nothing_to_redo",
    "version_out_of_range",
    "render_unsupported",
]
"""Every error code the core can return. Codes never change once released."""

EventType: TypeAlias = Literal[
    "ProjectCreated",
    "OutputSet",
    "TrackAdded",
    "TrackUpdated",
    "TrackRemoved",
    "ClipAdded",
    "ClipTrimmed",
    "ClipMoved",
    "ClipUpdated",
    "ClipRemoved",
    "EffectApplied",
    "EffectUpdated",
    "EffectRemoved",
    "TransitionSet",
    "TransitionRemoved",
    "KeyframesSet",
    "LayoutSet",
    "EditsUndone",
    "EditsRedone",
    "ProjectRestored",
    "ProjectForked",
]
"""The type names of the timeline's events."""

PathKind: TypeAlias = Literal["media", "image", "lut", "subtitles", "font"]
"""What a path in an edit points at (media and image files are probed)."""

Loc: TypeAlias = tuple[str | int, ...]
"""A location: ``("edits", 0, "params", "path")``."""

Event: TypeAlias = tuple[str, dict[str, Any]]
"""An event as ``(type name, data)``; store both, replay with :meth:`Timeline.evolve`."""

ERROR_CODES: Final[list[ErrorCode]]
"""Every error code, in the order the Rust enum declares them."""

EVENT_TYPES: Final[list[EventType]]
"""Every event type name."""

EDIT_OPS: Final[list[str]]
"""The ``op`` of every edit, in the schema's order."""

EFFECT_TYPES: Final[list[str]]
"""The effect types (``text``, ``fade``, ``color``, ``blur``, ...)."""

LAYOUT_TYPES: Final[list[str]]
"""The screen layout types: ``pip``, ``side_by_side``, ``top_bottom``, ``grid_2x2``,
``grid_3x3``."""

EASINGS: Final[list[str]]
"""Every accepted easing name: ``linear``, ``hold``, the Penner curves, and the aliases
``ease_in``, ``ease_out``, ``ease_in_out`` (cubic)."""

FFMPEG_TRANSITIONS: Final[list[str]]
"""FFmpeg 5.1's xfade transitions (46, without ``custom``): the default when ``env``
names none."""

RENDER_PRESETS: Final[list[str]]
"""The names of the render presets, ``h264_aac`` (the default) first; see
:func:`render_presets` for what each produces."""

SNAPSHOT_VERSION: Final[int]
"""The snapshot format :meth:`Timeline.to_snapshot` writes (2)."""

class ErrorDetails(TypedDict):
    """One problem found in a caller's input."""

    code: ErrorCode
    """The stable code."""
    loc: Loc
    """Where, outermost first: ``("edits", 0, "out")``."""
    msg: str
    """A message for people."""
    hint: str | None
    """What to do about it, phrased for an agent."""
    ctx: dict[str, Any]
    """Structured details: limits, the offending value, the allowed values, the ids."""

class MediaInfo(TypedDict):
    """Probed facts about a file, keyed by canonical path in ``media``."""

    duration: int
    """Microseconds (0 for a still image)."""
    has_video: bool
    has_audio: bool
    width: NotRequired[int | None]
    height: NotRequired[int | None]
    fps: NotRequired[str | None]
    """``"30000/1001"``; anything unreadable (``"0/0"``) counts as unknown."""
    rotation: NotRequired[int]
    sample_rate: NotRequired[int | None]
    channels: NotRequired[int | None]

class Env(TypedDict, total=False):
    """What :meth:`Timeline.decide` knows besides media."""

    files: Mapping[str, str]
    """Each path as given in an edit to its canonical form (from :func:`check_path`).
    With it, a path not in it is a ``file_unknown`` error; without it, paths are used as
    given."""
    transitions: Sequence[str]
    """The xfade names of the installed FFmpeg (``ffmpeg -h filter=xfade``); default
    :data:`FFMPEG_TRANSITIONS`."""

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

    ``Timeline()`` is the state before ``ProjectCreated`` (or ``ProjectForked``). Apply
    events with :meth:`evolve`; :attr:`version` counts them, so it equals the aggregate's
    version.
    """

    def __init__(self) -> None: ...
    def __copy__(self) -> Timeline:
        """A copy sharing nothing with this timeline (a Rust clone)."""
    def __deepcopy__(self, memo: object) -> Timeline:
        """The same as :meth:`__copy__`; the aggregate cache deep-copies aggregates."""
    @staticmethod
    def decide_create(project_id: str, name: str, output: Mapping[str, object]) -> list[Event]:
        """Decides a project's creation: ``[("ProjectCreated", data)]``, with one video
        track ``video-1``.

        ``output`` takes the ``set_output`` fields, all optional: ``preset`` (``16:9``,
        ``9:16``, ``1:1``, ``4:5``) or ``width``/``height`` (even, default 1920x1080),
        ``fps`` (default ``"30"``), ``sample_rate`` (48000), ``background`` (black),
        ``loudness``. Raises :class:`ValidationError` (locations such as
        ``("output", "fps")``).
        """

    def decide(
        self,
        edits: Sequence[Mapping[str, object]],
        media: Mapping[str, MediaInfo | Mapping[str, object]],
        env: Env | Mapping[str, object] | None = None,
    ) -> list[Event]:
        """Decides a whole batch of edits (wire format), all or nothing; does not change
        the timeline.

        Each edit is checked against the state the edits before it leave, and the whole
        project's invariants after it. ``media`` maps canonical paths to probed facts;
        ``env`` says which paths were checked and which transitions FFmpeg has. Raises
        :class:`ValidationError` with every problem, located as ``("edits", i, ...)``;
        ``ValueError`` for a malformed ``media`` or ``env``.
        """

    def decide_undo(self, steps: int = 1) -> list[Event]:
        """One ``EditsUndone`` per step (an edit batch or a restore), most recent first.

        Raises :class:`ValidationError`: ``nothing_to_undo`` at ``("steps",)`` with
        ``ctx["available"]``, or ``value_out_of_range`` for ``steps < 1``.
        """

    def decide_redo(self, steps: int = 1) -> list[Event]:
        """One ``EditsRedone`` per step; ``nothing_to_redo`` when fewer are available. A
        new edit batch or restore empties the redo stack."""

    def decide_restore(self, to_version: int, target: Timeline) -> list[Event]:
        """``[("ProjectRestored", data)]`` setting the project back to ``target``, this
        project replayed to ``to_version``; undoable as one step. Raises
        :class:`ValidationError` (``version_out_of_range`` at ``("version",)``)."""

    @staticmethod
    def decide_fork(
        project_id: str, name: str, origin_project_id: str, origin_version: int, source: Timeline
    ) -> list[Event]:
        """``[("ProjectForked", data)]``: the first event (version 1) of a new project
        copied from ``source``, the origin project replayed to ``origin_version``."""

    def evolve(self, event_type: str, data: Mapping[str, object]) -> None:
        """Applies one event. Raises ``ValueError`` when ``data`` is not that event."""

    def state(self) -> dict[str, Any]:
        """The project in wire units.

        ``{"project_id", "name", "version", "origin", "can_undo", "can_redo", "output",
        "layout", "tracks": [{"id", "kind", "name", "muted", "hidden", "volume", "role",
        "ducking", "clips": [{"id", "kind", "source", "in", "out", "start", ..., "transform",
        "effects", "keyframes", "transition_in", "timeline_duration", "media"}]}]}``.
        Raises :class:`ValidationError` (``project_not_created``) before creation.
        """

    def layout(self) -> dict[str, Any]:
        """Where each clip plays, per track: ``{"duration", "duration_us", "frames",
        "tracks": [{"id", "kind", "duration", "clips": [{"id", "kind", "source", "in",
        "out", "start", "end", "duration", "frame_start", "frame_count",
        "transition_in"}]}]}``.

        Times are seconds (``duration_us`` is exact); frame ranges are snapped once per
        boundary, so back-to-back counts add up. A transition of d seconds starts the
        next clip d earlier. Raises :class:`ValidationError` before creation.
        """

    def state_json(self) -> bytes:
        """:meth:`state` as JSON (the same keys in the same order, the same values),
        written without building Python objects: what the read models store."""

    def layout_json(self) -> bytes:
        """:meth:`layout` as JSON (the same keys in the same order, the same values),
        written without building Python objects: what the read models store."""

    def diff(self, other: Timeline) -> dict[str, Any]:
        """What changed from this timeline to ``other``: ``{"from_version", "to_version",
        "changed", "output": {field: {"before", "after"}}, "layout", "tracks", "clips",
        "effects", "transitions", "keyframes"}``, each of the last five ``{"added",
        "removed", "changed": {id: {field: {"before", "after"}}}}``."""

    @staticmethod
    def summarize(event_type: str, data: Mapping[str, object]) -> str:
        """A one-line summary of a stored event, for history. ``ValueError`` when
        ``data`` is not that event."""

    @property
    def version(self) -> int:
        """The number of events applied (0 before creation)."""

    @property
    def clip_count(self) -> int:
        """The number of clips on all tracks (0 before creation)."""

    def to_snapshot(self) -> bytes:
        """The state, history included, as snapshot bytes (versioned JSON)."""

    @staticmethod
    def from_snapshot(data: bytes) -> Timeline:
        """A timeline from :meth:`to_snapshot` bytes; ``ValueError`` if they do not decode
        (including snapshots of another :data:`SNAPSHOT_VERSION`: replay instead)."""

    def compile_render(self, request: Mapping[str, object]) -> list[str]:
        """The complete FFmpeg argv (``argv[0] == "ffmpeg"``) that renders the timeline.

        ``request``: ``output_path`` (absolute) and ``preset`` (one of
        :data:`RENDER_PRESETS`), and optionally ``quality`` (``low``, ``medium``,
        ``high``, ``max``), ``crf``, ``range`` (``{"start", "end"?}`` seconds),
        ``width``/``height`` (even; the picture keeps its aspect, letterboxed), ``fps``,
        ``time`` (poster presets), ``count`` (thumbnails) and ``video_encoder`` (one of
        the preset's ``video_encoders``, e.g. ``h264_nvenc``). Everything on a timeline
        renders. Run the argv without a shell; FFmpeg writes progress to stdout.

        Raises :class:`ValidationError`: ``unknown_preset``, ``path_invalid``,
        ``timeline_empty``, and request errors located at their field (``("range",
        "end")``, ``("time",)``, ``("video_encoder",)``, ``("width",)``, ``("crf",)``).
        """

    def compile_render_script(
        self, request: Mapping[str, object], script_path: str
    ) -> tuple[list[str], str]:
        """:meth:`compile_render` with the filter graph apart: the argv reads it with
        ``-filter_complex_script script_path``; write the returned graph text there
        before running. Use it for big timelines: Linux refuses any single argument over
        128 KiB. ``path_invalid`` at ``("script_path",)`` unless the path is absolute.
        """

def check_path(path: str, roots: Sequence[str]) -> str:
    """The canonical form of ``path`` (symlinks resolved) if it lies inside a root.

    Raises :class:`ValidationError` at ``("path",)``: ``path_invalid`` (empty, relative,
    NUL), ``path_not_found``, or ``path_outside_roots``.
    """

def progress(out_time_us: int, total_us: int, elapsed_us: int) -> tuple[float, float | None]:
    """``(fraction, eta_seconds)`` of a render; ``eta_seconds`` is ``None`` until some
    progress has been made."""

def referenced_paths(edits: Sequence[Mapping[str, object]]) -> list[tuple[Loc, str, PathKind]]:
    """``(loc, path, kind)`` for every file the edits name, to check with
    :func:`check_path` (and probe, for ``media`` and ``image``) before deciding."""

def edit_schema(transitions: Sequence[str] | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one edit: ``oneOf`` the ops, discriminated by
    ``op``, with descriptions, defaults, ranges, enums, ``ai_hint`` and an example per op.
    ``transitions`` lists the transition names to allow (default
    :data:`FFMPEG_TRANSITIONS`)."""

def effects_catalog() -> list[dict[str, Any]]:
    """Every effect: ``{"type", "description", "ai_hint", "applies_to", "parameters"
    (JSON Schema of params), "defaults", "example" (an add_effect edit)}``."""

def transitions_catalog(available: Sequence[str]) -> list[dict[str, Any]]:
    """One entry per available xfade name: ``{"name", "family", "description",
    "ai_hint", "audio", "parameters", "example"}``."""

def layouts_catalog() -> list[dict[str, Any]]:
    """Every screen layout: ``{"type", "description", "ai_hint", "grid", "parameters",
    "example"}``."""

def output_presets() -> list[dict[str, Any]]:
    """The aspect presets: ``{"name", "aspect", "width", "height", "description",
    "example"}``."""

def render_presets() -> list[dict[str, Any]]:
    """Every render preset: ``{"name", "description", "kind" (video, audio, gif, image,
    thumbnails), "extension", "content_type", "video_encoders", "pixel_format", "audio",
    "quality", "max_size", "max_fps", "parameters" (the request fields it reads),
    "example"}``."""

def encoder_trial_argv(encoder: str) -> list[str]:
    """The argv of a one-frame trial encode with ``encoder`` to the null muxer: exit
    status 0 means the encoder works on this machine."""

def ease(name: str, t: float) -> float:
    """Eased progress for progress ``t`` (clamped to 0..1). Raises
    :class:`ValidationError` (``invalid_choice`` at ``("name",)``) for an unknown name."""

def value_at(keyframes: Sequence[Mapping[str, object]], t: float) -> float | None:
    """The value of wire-form keyframes (``{"time", "value", "easing"}``, seconds) at
    clip-relative time ``t`` seconds; ``None`` without keyframes. Raises
    :class:`ValidationError` for malformed keyframes."""
