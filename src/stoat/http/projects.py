"""Projects, edits, timelines, and the version operations: undo, redo, restore, fork."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from stoat.commands.history import project_diff, project_history
from stoat.commands.projects import (
    create_project,
    edit_project_async,
    fork_project,
    load_project,
    redo_project,
    restore_project,
    undo_project,
)
from stoat.commands.results import WriteResult
from stoat.http.audit_signatures import SIGNED_ROUTE, SignatureHeader, signed_context
from stoat.http.context import (
    ServicesDep,
    await_position,
    event_context,
    expected_version,
    write_response,
)
from stoat.http.schemas import CreateProject, EditBatch, Fork, Restore, Steps
from stoat.projections.represent import project_document, timeline_document
from stoat.services import Services

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
Limit = Annotated[int, QueryParameter(ge=1, le=500)]


@post("/v1/projects", status_code=HTTP_201_CREATED, sync_to_thread=True)
def create(
    request: Request[Any, Any, Any], data: JSONBody[CreateProject], services: ServicesDep
) -> Response[Any]:
    """Create a project with a name and output settings (or an output ``preset``)."""
    result = create_project(
        services.app, name=data.name, output=data.output, context=event_context(request, data)
    )
    return write_response(result, HTTP_201_CREATED, location=f"/v1/projects/{result.id}")


@get("/v1/projects", sync_to_thread=True)
def list_projects(
    services: ServicesDep,
    after: After,
    limit: Limit = 50,
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


@post("/v1/projects/{project_id:str}/edits", **SIGNED_ROUTE)
async def apply_edits(  # noqa: PLR0917 - the signature's header and raw body come in too
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    data: JSONBody[EditBatch],
    services: ServicesDep,
    raw_body: NamedDependency[bytes],
    signature: SignatureHeader = None,
) -> Response[Any]:
    """Apply a batch of edits atomically: all of their events, or none (422).

    May be signed by the caller (``Stoat-Signature``, see the header), for
    non-repudiation: the signature is checked before anything is appended.
    """
    # Async: the usual edit is decided on the event loop and its append awaited, with
    # no worker thread; edit_project_async sends what would block to a thread.
    context = signed_context(request, event_context(request, data), raw_body, signature)
    result = await edit_project_async(
        services.app,
        services.prober,
        services.settings.allowed_roots,
        project_id=project_id,
        edits=data.edits,
        expected_version=expected_version(request, data.expected_version),
        transitions=services.transitions,
        context=context,
        to_thread=sync_to_thread,
    )
    return write_response(result)


@post("/v1/projects/{project_id:str}/undo", sync_to_thread=True)
def undo(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    data: JSONBody[Steps],
    services: ServicesDep,
) -> Response[Any]:
    """Undo the last ``steps`` edit batches (an undo is itself an event)."""
    return _step(undo_project, request, project_id, data, services)


@post("/v1/projects/{project_id:str}/redo", sync_to_thread=True)
def redo(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    data: JSONBody[Steps],
    services: ServicesDep,
) -> Response[Any]:
    """Redo the last ``steps`` undone batches; a new edit clears what can be redone."""
    return _step(redo_project, request, project_id, data, services)


def _step(
    command: Callable[..., WriteResult],
    request: Request[Any, Any, Any],
    project_id: str,
    data: Steps,
    services: Services,
) -> Response[Any]:
    result = command(
        services.app,
        project_id=project_id,
        steps=data.steps,
        expected_version=expected_version(request, data.expected_version),
        context=event_context(request, data),
    )
    return write_response(result)


@post("/v1/projects/{project_id:str}/restore", sync_to_thread=True)
def restore(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    data: JSONBody[Restore],
    services: ServicesDep,
) -> Response[Any]:
    """Append a new version whose state equals ``version`` (history is never rewritten)."""
    result = restore_project(
        services.app,
        project_id=project_id,
        version=data.version,
        expected_version=expected_version(request, data.expected_version),
        context=event_context(request, data),
    )
    return write_response(result)


@post("/v1/projects/{project_id:str}/fork", status_code=HTTP_201_CREATED, sync_to_thread=True)
def fork(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    data: JSONBody[Fork],
    services: ServicesDep,
) -> Response[Any]:
    """Start a new project from this one at ``version``, linked to its origin."""
    result = fork_project(
        services.app,
        project_id=project_id,
        version=data.version,
        name=data.name,
        context=event_context(request, data),
    )
    return write_response(result, HTTP_201_CREATED, location=f"/v1/projects/{result.id}")


@get("/v1/projects/{project_id:str}/timeline", sync_to_thread=True)
def read_timeline(
    project_id: FromPath[str], services: ServicesDep, after: After, version: Version
) -> Response[Any]:
    """Absolute clip positions per track and the total duration, computed in Rust."""
    if version is not None:
        project = load_project(services.app, project_id, version)
        doc = timeline_document(project_id, project.version, project.timeline.layout())
    else:
        await_position(services, after)
        doc = services.views.timeline(project_id)
    return Response(doc, headers={"ETag": f'"{doc["version"]}"'})


@get("/v1/projects/{project_id:str}/history", sync_to_thread=True)
def history(
    project_id: FromPath[str],
    services: ServicesDep,
    limit: Limit = 50,
    cursor: FromQuery[int | None] = None,
) -> dict[str, Any]:
    """Each version with its actor, time, request id and a one-line summary, oldest first."""
    items, next_version = project_history(services.app, project_id, after=cursor or 0, limit=limit)
    return {"items": items, "next": None if next_version is None else str(next_version)}


@get("/v1/projects/{project_id:str}/diff", sync_to_thread=True)
def diff(
    project_id: FromPath[str],
    services: ServicesDep,
    from_version: Annotated[int, QueryParameter(name="from", ge=1)],
    to_version: Annotated[int | None, QueryParameter(name="to", ge=1, required=False)] = None,
) -> dict[str, Any]:
    """What changed between two versions (``to`` defaults to the current one)."""
    return project_diff(services.app, project_id, from_version, to_version)


ROUTES = [
    create,
    list_projects,
    read_project,
    apply_edits,
    undo,
    redo,
    restore,
    fork,
    read_timeline,
    history,
    diff,
]
