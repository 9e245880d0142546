"""Serving a file with HTTP Range support (RFC 9110, one range), for players that seek."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from litestar.response import File, Stream

from stoat.http.problems import problem

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from litestar import Request, Response

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def ranged_file(request: Request[Any, Any, Any], path: Path, media_type: str) -> Response[Any]:
    """The whole file (200), the one byte range asked for (206), or 416."""
    size = path.stat().st_size
    header = request.headers.get("range")
    if header is None:
        return File(
            path,
            media_type=media_type,
            content_disposition_type="inline",
            headers={"Accept-Ranges": "bytes"},
        )
    bounds = _bounds(header.strip(), size)
    if bounds is None:
        response = problem(
            416,
            "range_not_satisfiable",
            "Range not satisfiable",
            f"{header!r} is not one byte range within the {size} bytes of the file",
        )
        response.headers["Content-Range"] = f"bytes */{size}"
        return response
    start, end = bounds
    return Stream(
        _read(path, start, end),
        status_code=206,
        media_type=media_type,
        headers={
            "Accept-Ranges": "bytes",
            "Content-Range": f"bytes {start}-{end}/{size}",
            "Content-Length": str(end - start + 1),
        },
    )


def _bounds(header: str, size: int) -> tuple[int, int] | None:
    match = _RANGE.match(header)
    if match is None or size == 0:
        return None
    first, last = match.groups()
    if not first:
        if not last or int(last) == 0:
            return None
        return max(0, size - int(last)), size - 1  # the last N bytes
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


def _read(path: Path, start: int, end: int) -> Iterator[bytes]:
    with path.open("rb") as stream:
        stream.seek(start)
        left = end - start + 1
        while left > 0:
            block = stream.read(min(CHUNK, left))
            if not block:
                return
            left -= len(block)
            yield block
