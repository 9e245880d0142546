"""Render requests and their status."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, HeaderParameter, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED

from stoat.commands.render_control import cancel_render
from stoat.commands.renders import load_render, request_render
from stoat.domain.render_job import RenderStatus
from stoat.errors import NotFound
from stoat.http.context import ServicesDep, await_position, event_context, write_response
from stoat.http.media_range import ranged_file
from stoat.http.schemas import RenderRequest
from stoat.workers.render import signal_cancel

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
        options=data.options(),
        context=event_context(request, data),
    )
    return write_response(result, HTTP_202_ACCEPTED, location=f"/v1/renders/{result.id}")


@get("/v1/renders/{render_id:str}", sync_to_thread=True)
def read_render(render_id: FromPath[str], services: ServicesDep, after: After) -> dict[str, Any]:
    """A render's status, progress, ETA, output and error."""
    await_position(services, after)
    return services.views.render(render_id)


@get("/v1/renders/{render_id:str}/output", sync_to_thread=True)
def download_output(
    request: Request[Any, Any, Any], render_id: FromPath[str], services: ServicesDep
) -> Response[Any]:
    """The rendered file once the render has completed, with Range support for players."""
    job = load_render(services.app, render_id)
    path = Path(job.output_path)
    if job.status is not RenderStatus.COMPLETED or not path.is_file():
        raise NotFound("render_output", render_id)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return ranged_file(request, path, media_type)


@post(
    "/v1/renders/{render_id:str}/cancel",
    status_code=202,
    sync_to_thread=True,
    opt={"scope": "render"},
)
def cancel(
    request: Request[Any, Any, Any], render_id: FromPath[str], services: ServicesDep
) -> Response[Any]:
    """Stop a render: a queued one is cancelled at once; a running one's FFmpeg is
    stopped promptly and its partial output removed (status becomes ``cancelled``)."""
    result = cancel_render(services.app, render_id, event_context(request))
    signal_cancel(render_id)
    return write_response(result, 202)


ROUTES = [create_render, read_render, download_output, cancel]
