"""The media library: scans, imports, search, tags, and derived media.

Paths in request bodies are confined to the allowed media roots first: outside them is
a 403 (``path_outside_roots``) and nothing is read. Every write honours
``Idempotency-Key``: a retry with the same key and body gets the first response and
appends nothing; the same key with another body is a 422 (``idempotency_key_reused``).
Thumbnails and waveforms missing from the cache are made during the request; a missing
proxy is made in the background and answered with 202 and ``Retry-After`` until it is
there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.response import File
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from stoat.commands.library import (
    MediaRoots,
    annotate_video,
    import_video,
    load_video,
    remove_video,
    request_scan,
)
from stoat.domain.video import Video
from stoat.errors import Rejected, error_item
from stoat.http.context import (
    ServicesDep,
    await_position,
    event_context,
    expected_version,
    write_response,
)
from stoat.http.media_range import ranged_file
from stoat.http.problems import problem
from stoat.projections.library_queries import SortKey, VideoQuery, get_scan, get_video
from stoat.projections.library_queries import search_videos as search
from stoat.timecode import to_micros
from stoat.workers.media_assets import (
    AssetError,
    asset_store,
    default_poster_time,
    downsample,
    matches,
)

After = Annotated[int | None, HeaderParameter(name="X-Stoat-After", ge=0, required=False)]
Seconds = Annotated[float | None, QueryParameter(ge=0, required=False)]
Pixels = Annotated[int | None, QueryParameter(ge=0, required=False)]

IMMUTABLE = {"Cache-Control": "private, max-age=31536000, immutable"}


class ScanRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Scan a directory (or one file) inside the media roots."""

    path: str
    recursive: bool = True


class ImportVideo(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Import one file; ``tags`` and ``metadata`` are optional."""

    path: str
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None


class PatchVideo(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """``tags`` replaces the list; ``metadata`` is a JSON merge patch (null deletes)."""

    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None
    expected_version: int | None = None


@post("/v1/videos/scan", status_code=HTTP_202_ACCEPTED, sync_to_thread=True)
def scan(
    request: Request[Any, Any, Any], data: JSONBody[ScanRequest], services: ServicesDep
) -> Response[Any]:
    """Queue a scan of ``path``: new, changed and missing media become events."""
    result = request_scan(
        services.app,
        MediaRoots.from_settings(services.settings),
        path=data.path,
        recursive=data.recursive,
        context=event_context(request, data),
    )
    body = {"id": result.id, "status": "queued", "position": result.position}
    return Response(body, status_code=HTTP_202_ACCEPTED, headers={"Location": _scan(result.id)})


@get("/v1/scans/{scan_id:str}", sync_to_thread=True)
def read_scan(scan_id: FromPath[str], services: ServicesDep, after: After) -> dict[str, Any]:
    """A scan's status and report: found, new, updated, unchanged, missing, failed,
    skipped, and the error of each file that failed."""
    await_position(services, after)
    return get_scan(services.views, scan_id)


@post("/v1/videos", status_code=HTTP_201_CREATED, sync_to_thread=True)
def import_one(
    request: Request[Any, Any, Any], data: JSONBody[ImportVideo], services: ServicesDep
) -> Response[Any]:
    """Import one file now (probed in the request): 201 when new, 200 when known."""
    result, created = import_video(
        services.app,
        services.prober,
        MediaRoots.from_settings(services.settings),
        path=data.path,
        tags=data.tags,
        metadata=data.metadata,
        context=event_context(request, data),
    )
    status = HTTP_201_CREATED if created else 200
    return write_response(result, status, location=_video(result.id))


@get("/v1/videos", sync_to_thread=True)
def list_videos(  # noqa: PLR0917 - every filter is a query parameter
    services: ServicesDep,
    after: After,
    q: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    codec: FromQuery[str | None] = None,
    has_audio: FromQuery[bool | None] = None,
    min_duration: Seconds = None,
    max_duration: Seconds = None,
    min_width: Pixels = None,
    max_width: Pixels = None,
    min_height: Pixels = None,
    max_height: Pixels = None,
    resolution: FromQuery[str | None] = None,
    tag: FromQuery[str | None] = None,
    sort: FromQuery[SortKey | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    cursor: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """Search (``q``, FTS5: words, ``pre*``, ``"phrases"``, AND/OR/NOT, ``tags:x``) and
    filter the library, a page at a time (``{items, next}``)."""
    await_position(services, after)
    query = VideoQuery(
        q=q,
        kind=kind,
        status=status,
        codec=codec,
        has_audio=has_audio,
        min_duration=min_duration,
        max_duration=max_duration,
        min_width=min_width,
        max_width=max_width,
        min_height=min_height,
        max_height=max_height,
        resolution=resolution,
        tag=tag,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    items, next_cursor = search(services.views, query)
    return {"items": items, "next": next_cursor}


@get("/v1/videos/{video_id:str}", sync_to_thread=True)
def read_video(video_id: FromPath[str], services: ServicesDep, after: After) -> Response[Any]:
    """A video: file facts, probed media facts per stream, tags and metadata."""
    await_position(services, after)
    document = get_video(services.views, video_id)
    return Response(document, headers={"ETag": f'"{document["version"]}"'})


@patch("/v1/videos/{video_id:str}", sync_to_thread=True)
def patch_video(
    request: Request[Any, Any, Any],
    video_id: FromPath[str],
    data: JSONBody[PatchVideo],
    services: ServicesDep,
) -> Response[Any]:
    """Set tags (the whole list) and merge user metadata (null deletes a key)."""
    result = annotate_video(
        services.app,
        video_id=video_id,
        tags=data.tags,
        metadata_patch=data.metadata,
        expected_version=expected_version(request, data.expected_version),
        context=event_context(request, data),
    )
    return write_response(result)


@delete("/v1/videos/{video_id:str}", status_code=200, sync_to_thread=True)
def delete_video(
    request: Request[Any, Any, Any], video_id: FromPath[str], services: ServicesDep
) -> Response[Any]:
    """Remove a video from the library; the file on disk stays."""
    result = remove_video(
        services.app,
        video_id=video_id,
        expected_version=expected_version(request, None),
        context=event_context(request),
    )
    return write_response(result)


@get("/v1/videos/{video_id:str}/thumbnail", sync_to_thread=True)
def thumbnail(
    video_id: FromPath[str],
    services: ServicesDep,
    t: Seconds = None,
    sprite: FromQuery[bool] = False,
) -> Response[Any]:
    """A JPEG poster: at 10% of the duration, or at ``t`` seconds; with ``sprite=true``,
    a strip of 10 frames, 160 px wide each, taken at (i + 0.5) / 10 of the duration."""
    video = load_video(services.app, video_id)
    media = video.media
    if not media.get("has_video"):
        return problem(404, "no_picture", "No picture", "the file has no video stream")
    duration = media.get("duration")
    if media.get("kind") == "image":
        t = None  # a still has one picture, whatever the time
    if t is not None and duration is not None and to_micros(t) >= duration:
        raise Rejected(
            [
                error_item(
                    "time_beyond_duration",
                    ("query", "t"),
                    f"t={t} is not before the end of the file ({duration / 1e6} s)",
                    "pick a time from 0 to just under the duration",
                )
            ]
        )
    store = asset_store(services.settings)
    digest = video.content_hash
    if sprite:
        target = store.directory(digest) / "sprite.jpg"
        make: Any = lambda: store.sprite(video.path, digest, duration)  # noqa: E731
    else:
        at = default_poster_time(duration) if t is None else to_micros(t)
        target = store.directory(digest) / f"poster-{at // 1000}ms.jpg"
        make = lambda: store.poster(video.path, digest, at)  # noqa: E731
    path = target if target.is_file() else _made(video, make, "thumbnail")
    if not isinstance(path, Path):
        return path
    return File(path, media_type="image/jpeg", content_disposition_type="inline", headers=IMMUTABLE)


@get("/v1/videos/{video_id:str}/waveform", sync_to_thread=True)
def waveform(
    video_id: FromPath[str],
    services: ServicesDep,
    points: Annotated[int | None, QueryParameter(ge=1, le=1_000_000, required=False)] = None,
) -> Response[Any]:
    """Peaks per audio stream: ``[min, max]`` of the mono mix (-1..1) per 1/100 s, or
    ``points`` buckets over the whole stream."""
    video = load_video(services.app, video_id)
    audio = [s for s in video.media.get("streams", []) if s.get("type") == "audio"]
    document: dict[str, Any] = {"peaks_per_second": 100, "streams": []}
    if audio:
        store = asset_store(services.settings)
        target = store.directory(video.content_hash) / "waveform.json"
        made = (
            target
            if target.is_file()
            else _made(
                video, lambda: store.waveform(video.path, video.content_hash, audio), "waveform"
            )
        )
        if not isinstance(made, Path):
            return made
        document = json.loads(made.read_text())
    for stream in document["streams"]:
        if points is not None:
            stream["peaks"] = downsample(stream["peaks"], points)
        stream["peak_count"] = len(stream["peaks"])
    if points is not None:
        document["peaks_per_second"] = None
    duration = video.media.get("duration")
    body = {"video_id": video_id, "duration": None if duration is None else duration / 1e6}
    return Response({**body, **document}, headers=IMMUTABLE)


@get("/v1/videos/{video_id:str}/proxy", sync_to_thread=True)
def proxy(
    request: Request[Any, Any, Any], video_id: FromPath[str], services: ServicesDep
) -> Response[Any]:
    """A low-resolution H.264/AAC MP4 (Range requests supported), or 202 while it is
    being made."""
    video = load_video(services.app, video_id)
    if video.media.get("kind") != "video":
        return problem(404, "proxy_unavailable", "No proxy", "only videos have proxies")
    if not services.settings.library_proxies:
        return problem(404, "proxy_disabled", "No proxy", "proxies are off (STOAT_LIBRARY_PROXIES)")
    store = asset_store(services.settings)
    target = store.proxy_path(video.content_hash)
    if target.is_file():
        return ranged_file(request, target, "video/mp4")
    failure = store.proxy_error(video.content_hash)
    if failure is not None:
        return problem(
            422, "proxy_failed", "The proxy cannot be made", failure["reason"], **failure
        )
    unavailable = _source_problem(video)
    if unavailable is not None:
        return unavailable
    store.proxy_in_background(video.path, video.content_hash)
    return Response(
        {"status": "pending", "retry_after": 2},
        status_code=HTTP_202_ACCEPTED,
        headers={"Retry-After": "2"},
    )


def _made(video: Video, make: Any, asset: str) -> Path | Response[Any]:
    unavailable = _source_problem(video)
    if unavailable is not None:
        return unavailable
    try:
        return Path(make())
    except AssetError as error:
        return problem(
            422,
            f"{asset}_failed",
            f"The {asset} cannot be made",
            error.reason,
            stderr_tail=error.stderr,
        )


def _source_problem(video: Video) -> Response[Any] | None:
    if not Path(video.path).is_file():
        return problem(
            404,
            "video_file_missing",
            "The file is gone",
            f"{video.path} no longer exists; nothing is cached for it yet",
        )
    if not matches(video):
        return problem(
            409,
            "video_file_changed",
            "The file changed",
            f"{video.path} changed since it was scanned; scan it again (POST /v1/videos)",
        )
    return None


def _video(video_id: str) -> str:
    return f"/v1/videos/{video_id}"


def _scan(scan_id: str) -> str:
    return f"/v1/scans/{scan_id}"


ROUTES = [
    scan,
    read_scan,
    import_one,
    list_videos,
    read_video,
    patch_video,
    delete_video,
    thumbnail,
    waveform,
    proxy,
]
