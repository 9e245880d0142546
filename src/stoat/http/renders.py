"""Render requests and their status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.response import File
from litestar.status_codes import HTTP_202_ACCEPTED

from stoat.commands.renders import load_render, request_render
from stoat.domain.render_job import RenderStatus
from stoat.errors import NotFound
from stoat.http.context import ServicesDep, await_position, event_context, write_response
from stoat.http.schemas import RenderRequest

After = Annotated[int | None, HeaderParameter(name="X-Stoat-After", ge=0, required=False)]


@post(
    "/v1/projects/{project_id:str}/renders",
    status_code=HTTP_202_ACCEPTED,
    sync_to_thread=True,
    opt={"scope": "render"},
)
def create_render(
    request: Request[Any, Any, Any],
    project_id: FromPath[str],
    data: JSONBody[RenderRequest],
    services: ServicesDep,
) -> Response[Any]:
    """Queue a render of the project, pinned to ``version`` (default: the current one)."""
    result = request_render(
        services.app,
        services.settings.renders_dir,
        project_id=project_id,
        preset=data.preset,
        version=data.version,
        context=event_context(request),
    )
    return write_response(result, HTTP_202_ACCEPTED, location=f"/v1/renders/{result.id}")


@get("/v1/renders/{render_id:str}", sync_to_thread=True)
def read_render(render_id: FromPath[str], services: ServicesDep, after: After) -> dict[str, Any]:
    """A render's status, progress, ETA, output and error."""
    await_position(services, after)
    return services.views.render(render_id)


@get("/v1/renders/{render_id:str}/output", sync_to_thread=True)
def download_output(render_id: FromPath[str], services: ServicesDep) -> File:
    """The rendered file, once the render has completed."""
    job = load_render(services.app, render_id)
    path = Path(job.output_path)
    if job.status is not RenderStatus.COMPLETED or not path.is_file():
        raise NotFound("render_output", render_id)
    return File(path, filename=path.name, media_type=_CONTENT_TYPES.get(path.suffix))


_CONTENT_TYPES = {".mp4": "video/mp4"}

ROUTES = [create_render, read_render, download_output]
