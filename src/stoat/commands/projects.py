"""Project commands: create, and apply a batch of edits atomically.

Python does the I/O the decider needs (path checks in Rust, ffprobe here), then makes
one call to the Rust decider for the whole batch, then one append.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import RecordConflictError

from stoat._core import ValidationError, check_path
from stoat.commands.results import write_result
from stoat.domain.project import Project
from stoat.errors import NotFound, Rejected, VersionConflict, error_item, prefixed
from stoat.media.probe import ProbeError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from stoat.commands.application import StoatApplication
    from stoat.commands.results import WriteResult
    from stoat.domain.context import EventContext
    from stoat.errors import ErrorItem
    from stoat.media.probe import MediaInfo, Prober


def create_project(
    app: StoatApplication, *, name: str, output: Mapping[str, Any], context: EventContext
) -> WriteResult:
    """Creates a project; bad settings raise :class:`Rejected` and append nothing."""
    project_id = uuid4()
    try:
        project = Project.create(project_id, name, output, context)
    except ValidationError as error:
        raise Rejected.from_core(error) from None
    return write_result(str(project_id), app.save(project))


def load_project(app: StoatApplication, project_id: str, version: int | None = None) -> Project:
    """Loads a project (at ``version`` if given) or raises :class:`NotFound`."""
    try:
        key = UUID(project_id)
        project: Project = app.repository.get(key, version=version)
    except (ValueError, AggregateNotFoundError):
        raise NotFound("project", project_id) from None
    if not isinstance(project, Project):
        raise NotFound("project", project_id)
    return project


def edit_project(
    app: StoatApplication,
    prober: Prober,
    roots: Sequence[str],
    *,
    project_id: str,
    edits: Sequence[Mapping[str, Any]],
    expected_version: int | None,
    context: EventContext,
) -> WriteResult:
    """Validates a batch in Rust and appends all of its events, or none."""
    project = load_project(app, project_id)
    if expected_version is not None and expected_version != project.version:
        raise VersionConflict(project_id, expected_version, project.version)
    resolved, media, source_errors = _resolve_sources(prober, roots, edits)
    try:
        project.edit(resolved, media, context)
    except ValidationError as error:
        raise Rejected(_merge(source_errors, error)) from None
    if source_errors:
        raise Rejected(source_errors)
    try:
        recordings = app.save(project)
    except RecordConflictError:
        current = load_project(app, project_id).version
        raise VersionConflict(project_id, project.version - len(resolved), current) from None
    return write_result(project_id, recordings)


def _resolve_sources(
    prober: Prober, roots: Sequence[str], edits: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, MediaInfo], list[ErrorItem]]:
    """Checks and probes every source path, replacing each with its canonical form."""
    resolved: list[dict[str, Any]] = []
    media: dict[str, MediaInfo] = {}
    errors: list[ErrorItem] = []
    for index, original in enumerate(edits):
        edit = dict(original)
        source = edit.get("source")
        if isinstance(source, str):
            loc: tuple[str | int, ...] = ("edits", index, "source")
            try:
                edit["source"] = canonical = check_path(source, list(roots))
                media.setdefault(canonical, prober.probe(canonical))
            except ValidationError as error:
                # check_path locates its errors at ("path",); they belong at this edit.
                errors.extend(
                    error_item(item["code"], loc, item["msg"], item["hint"], **item["ctx"])
                    for item in error.errors()
                )
            except ProbeError as error:
                errors.append(
                    error_item(
                        "source_unreadable",
                        loc,
                        f"ffprobe cannot read {source!r} as media: {error.reason}",
                        "point source at a video file FFmpeg can decode",
                    )
                )
        resolved.append(edit)
    return resolved, media, errors


def _merge(source_errors: list[ErrorItem], error: ValidationError) -> list[ErrorItem]:
    """Rust reports unknown sources for edits whose path already failed: keep one error."""
    failed = {item["loc"][:2] for item in source_errors}
    decided = [
        prefixed(item, ())
        for item in error.errors()
        if not (item["code"] == "source_unknown" and tuple(item["loc"][:2]) in failed)
    ]
    return sorted([*source_errors, *decided], key=_location_key)


def _location_key(item: ErrorItem) -> tuple[str, ...]:
    return tuple(f"{part:08d}" if isinstance(part, int) else part for part in item["loc"])
