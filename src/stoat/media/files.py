"""Media files on disk: which names the library looks at, and content fingerprints.

The fingerprint is BLAKE2b over the file's size and three 1 MiB samples (head, middle,
tail), or over the whole file when it is 3 MiB or smaller. It reads at most 3 MiB
however large the file, so re-checking a touched 20 GB file costs milliseconds; any
edit that changes the length, the container header or index (at the head or the tail)
changes it. An edit of the same length confined to unsampled bytes does not: that is
the price, chosen in docs/adr/0005-media-library.md.
"""

from __future__ import annotations

import hashlib
import os
from typing import Final

VIDEO_EXTENSIONS: Final = frozenset(
    {
        ".3gp", ".avi", ".flv", ".m2ts", ".m4v", ".mkv", ".mov", ".mp4", ".mpeg", ".mpg",
        ".mts", ".mxf", ".ogv", ".ts", ".webm", ".wmv",
    }
)  # fmt: skip
AUDIO_EXTENSIONS: Final = frozenset(
    {
        ".aac", ".aif", ".aiff", ".alac", ".flac", ".m4a", ".mp3", ".oga", ".ogg", ".opus",
        ".wav", ".wma",
    }
)  # fmt: skip
IMAGE_EXTENSIONS: Final = frozenset(
    {".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp"}
)
MEDIA_EXTENSIONS: Final = VIDEO_EXTENSIONS | AUDIO_EXTENSIONS | IMAGE_EXTENSIONS

SAMPLE_BYTES: Final = 1 << 20
FINGERPRINT_VERSION: Final = "b2s1"


def is_media_name(name: str) -> bool:
    """Whether a file name has one of the extensions a scan looks at (case-insensitive)."""
    return os.path.splitext(name)[1].lower() in MEDIA_EXTENSIONS


def fingerprint(path: str, size: int) -> str:
    """The content fingerprint of the file at ``path`` whose size is ``size``.

    Raises ``OSError`` when the file cannot be read.
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FINGERPRINT_VERSION}:{size}:".encode())
    with open(path, "rb") as stream:
        if size <= 3 * SAMPLE_BYTES:
            for block in iter(lambda: stream.read(SAMPLE_BYTES), b""):
                digest.update(block)
        else:
            for offset in (0, size // 2 - SAMPLE_BYTES // 2, size - SAMPLE_BYTES):
                stream.seek(offset)
                digest.update(stream.read(SAMPLE_BYTES))
    return digest.hexdigest()
