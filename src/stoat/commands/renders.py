"""Render commands: request a render pinned to a project version; load a job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from stoat._core import ValidationError, render_presets
from stoat.commands.idempotency import creation_id
from stoat.commands.projects import load_project
from stoat.commands.results import write_result
from stoat.domain.render_job import RenderJob
from stoat.errors import NotFound, Rejected

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from stoat.commands.application import StoatApplication
    from stoat.commands.results import WriteResult
    from stoat.domain.context import EventContext

PRESET_EXTENSIONS = {preset["name"]: preset["extension"] for preset in render_presets()}
"""The file extension of each render preset's output."""


def request_render(
    app: StoatApplication,
    renders_dir: Path,
    *,
    project_id: str,
    preset: str,
    version: int | None,
    options: Mapping[str, Any] | None = None,
    context: EventContext,
) -> WriteResult:
    """Appends RenderRequested for ``project_id`` at ``version`` (default: current).

    The timeline is compiled once here so that a render that can never work (an empty
    timeline, an unknown preset) is refused now, with a 422, rather than failing later.
    """
    current = load_project(app, project_id)
    pinned = current.version if version is None else version
    if not 1 <= pinned <= current.version:
        raise Rejected.version_out_of_range(project_id, pinned, current.version)
    project = current if pinned == current.version else load_project(app, project_id, pinned)
    job_id = creation_id(context, "render") or uuid4()
    extension = PRESET_EXTENSIONS.get(preset, "out")
    output_path = renders_dir / f"{job_id}.{extension}"
    try:
        project.timeline.compile_render(
            {**(options or {}), "output_path": str(output_path), "preset": preset}
        )
    except ValidationError as error:
        raise Rejected.from_core(error) from None
    job = RenderJob.request(
        job_id=job_id,
        project_id=project_id,
        project_version=pinned,
        preset=preset,
        options=dict(options or {}),
        output_path=str(output_path),
        context=dict(context),
    )
    return write_result(str(job_id), app.save(job))


def load_render(app: StoatApplication, job_id: str) -> RenderJob:
    """Loads a render job or raises :class:`NotFound`."""
    try:
        job: RenderJob = app.repository.get(UUID(job_id))
    except (ValueError, AggregateNotFoundError):
        raise NotFound("render", job_id) from None
    if not isinstance(job, RenderJob):
        raise NotFound("render", job_id)
    return job
