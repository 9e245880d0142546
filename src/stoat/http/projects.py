"""Projects, edits and timelines."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from stoat.commands.projects import create_project, edit_project, load_project
from stoat.http.context import (
    ServicesDep,
    await_position,
    event_context,
    expected_version,
    write_response,
)
from stoat.http.schemas import CreateProject, EditBatch, core_edit
from stoat.projections.represent import project_document, timeline_document

After = Annotated[
    int | None,
    HeaderParameter(
        name="X-Stoat-After",
        description="Wait until the read models reach this log position",
        ge=0,
        required=False,
    ),
]
Version = Annotated[int | None, QueryParameter(name="version", ge=1, required=False)]


@post("/v1/projects", status_code=HTTP_201_CREATED, sync_to_thread=True)
def create(
    request: Request[Any, Any, Any], data: JSONBody[CreateProject], services: ServicesDep
) -> Response[Any]:
    """Create a project with a name and output settings."""
    result = create_project(
        services.app,
        name=data.name,
        output={
            "width": data.output.width,
            "height": data.output.height,
            "fps": data.output.fps,
            "sample_rate": data.output.sample_rate,
        },
        context=event_context(request),
    )
    return write_response(result, HTTP_201_CREATED, location=f"/v1/projects/{result.id}")


@get("/v1/projects", sync_to_thread=True)
def list_projects(
    services: ServicesDep,
    after: After,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    cursor: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """List projects, newest first, a page at a time."""
    await_position(services, after)
    items, next_cursor = services.views.list_projects(limit=limit, cursor=cursor)
    return {"items": items, "next": next_cursor}


@get("/v1/projects/{project_id:str}", sync_to_thread=True)
def read_project(
    project_id: FromPath[str], services: ServicesDep, after: After, version: Version
) -> Response[Any]:
    """A project's state: the current one, or any past ``version``."""
    if version is not None:
        project = load_project(services.app, project_id, version)
        doc = project_document(
            project.timeline.state(), project.version, project.modified_on.isoformat()
        )
    else:
        await_position(services, after)
        doc = services.views.project(project_id)
    return Response(doc, headers={"ETag": f'"{doc["version"]}"'})


@post("/v1/projects/{project_id:str}/edits", sync_to_thread=True)
def apply_edits(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    data: JSONBody[EditBatch],
    services: ServicesDep,
) -> Response[Any]:
    """Apply a batch of edits atomically: all of their events, or none (422)."""
    result = edit_project(
        services.app,
        services.prober,
        services.settings.allowed_roots,
        project_id=project_id,
        edits=[core_edit(edit) for edit in data.edits],
        expected_version=expected_version(request, data.expected_version),
        context=event_context(request),
    )
    return write_response(result)


@get("/v1/projects/{project_id:str}/timeline", sync_to_thread=True)
def read_timeline(
    project_id: FromPath[str], services: ServicesDep, after: After, version: Version
) -> Response[Any]:
    """Absolute clip positions and the total duration, computed by the Rust core."""
    if version is not None:
        project = load_project(services.app, project_id, version)
        doc = timeline_document(project_id, project.version, project.timeline.layout())
    else:
        await_position(services, after)
        doc = services.views.timeline(project_id)
    return Response(doc, headers={"ETag": f'"{doc["version"]}"'})


ROUTES = [create, list_projects, read_project, apply_edits, read_timeline]
