"""Opaque page cursors shared by every paginated read model.

A cursor wraps the position (an integer key) of the last item a page returned; clients
pass it back unchanged as ``?cursor=``. Anything else is a 422 naming the parameter.
"""

from __future__ import annotations

import base64

from stoat.errors import Rejected, error_item

START = 2**62  # before every real position: the first page of a newest-first listing


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(str(position).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return START
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return int(base64.urlsafe_b64decode(padded.encode()).decode())
    except ValueError:
        raise Rejected(
            [
                error_item(
                    "invalid_cursor",
                    ("query", "cursor"),
                    "the cursor is not one we issued",
                    "pass the `next` value of the previous page, unchanged",
                )
            ]
        ) from None
