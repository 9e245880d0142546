"""A synthetic media library for the library benchmarks: Video events, no files.

Names, folders, tags and metadata are drawn from a made-up vocabulary with a Zipf
distribution (a few words are everywhere, most are rare, as in real file names). Paths
come in walk order (folder by folder), as a scan records them. Everything is seeded,
so two runs build the same library.
"""

from __future__ import annotations

import random
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from stoat.domain.video import UpdateReason, Video

if TYPE_CHECKING:
    from collections.abc import Iterator

    from stoat.commands.application import StoatApplication

SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ne",
    "ra",
    "su",
    "ti",
    "vo",
    "be",
    "da",
    "fu",
    "go",
    "hi",
    "ja",
    "ku",
    "le",
    "ma",
    "no",
    "pa",
    "re",
    "sa",
    "to",
    "wu",
    "ye",
    "zo",
    "an",
    "el",
    "in",
    "or",
    "un",
    "bri",
    "cla",
    "dre",
    "fla",
    "gru",
    "pre",
    "sto",
    "tra",
)
CODECS = [("h264", "aac", 70), ("hevc", "aac", 15), ("prores", "pcm_s24le", 5), ("vp9", "opus", 5)]
SIZES = [(1920, 1080, 50), (3840, 2160, 20), (1280, 720, 20), (1080, 1920, 10)]
CONTEXT: dict[str, Any] = {"actor": "bench", "request_id": "bench", "idempotency_key": None}


class Vocabulary:
    """Seeded made-up words; ``draw`` favours the first ones (Zipf, exponent 1)."""

    def __init__(self, rnd: random.Random, size: int = 5000) -> None:
        words: dict[str, None] = {}
        while len(words) < size:
            words.setdefault("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))))
        self.words = list(words)
        self._weights = list(accumulate(1 / (rank + 1) for rank in range(size)))
        self._rnd = rnd

    def draw(self, k: int) -> list[str]:
        return self._rnd.choices(self.words, cum_weights=self._weights, k=k)


def _weighted(rnd: random.Random, options: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    return rnd.choices(options, weights=[option[-1] for option in options])[0]


def media(rnd: random.Random) -> dict[str, Any]:
    """Probe facts shaped like :class:`stoat.media.probe.MediaDetails`."""
    video_codec, audio_codec, _ = _weighted(rnd, CODECS)
    width, height, _ = _weighted(rnd, SIZES)
    has_audio = rnd.random() < 0.85
    duration = int(rnd.lognormvariate(3.5, 1.2) * 1_000_000)
    streams = [
        {"index": 0, "type": "video", "codec": video_codec, "profile": "Main",
         "duration": duration, "bit_rate": 8_000_000, "language": None, "width": width,
         "height": height, "fps": rnd.choice(["24", "25", "30000/1001", "60"]),
         "rotation": 0, "pix_fmt": "yuv420p", "attached_pic": False,
         "sample_rate": None, "channels": None, "channel_layout": None},
    ]  # fmt: skip
    if has_audio:
        streams.append(
            {"index": 1, "type": "audio", "codec": audio_codec, "profile": "LC",
             "duration": duration, "bit_rate": 192_000, "language": "eng", "width": None,
             "height": None, "fps": None, "rotation": 0, "pix_fmt": None,
             "attached_pic": False, "sample_rate": 48000, "channels": 2,
             "channel_layout": "stereo"}
        )  # fmt: skip
    return {
        "kind": "video",
        "format": "mov,mp4,m4a,3gp,3g2,mj2",
        "duration": duration,
        "size": rnd.randint(1 << 20, 1 << 32),
        "bit_rate": 8_192_000,
        "has_video": True,
        "has_audio": has_audio,
        "width": width,
        "height": height,
        "display_width": width,
        "display_height": height,
        "rotation": 0,
        "fps": streams[0]["fps"],
        "video_codec": video_codec,
        "audio_codec": audio_codec if has_audio else None,
        "sample_rate": 48000 if has_audio else None,
        "channels": 2 if has_audio else None,
        "streams": streams,
    }


def paths(rnd: random.Random, vocabulary: Vocabulary, count: int) -> Iterator[str]:
    """``count`` file paths, folder by folder, names sorted within a folder."""
    made = 0
    folder_number = 0
    while made < count:
        folder_number += 1
        project = "_".join(vocabulary.draw(2))
        folder = f"/media/{2015 + folder_number % 10}/{project}/day{folder_number % 30 + 1}"
        size = min(count - made, rnd.randint(20, 200))
        names = sorted(
            f"{'_'.join(vocabulary.draw(3))}_{index:04d}.{rnd.choice(['mp4', 'mov', 'mxf'])}"
            for index in range(size)
        )
        for name in names:
            yield f"{folder}/{name}"
        made += size


def build(app: StoatApplication, count: int, *, seed: int = 7, batch: int = 1000) -> int:
    """Saves ``count`` imports; then, later in the log as in real use, tags and metadata
    set on 10% of the videos, 2% lost and 1% touched. Returns the events written."""
    rnd = random.Random(seed)
    vocabulary = Vocabulary(rnd)
    tags = vocabulary.words[:300]
    written = 0
    pending: list[Video] = []
    later: list[tuple[str, Video]] = []
    for number, path in enumerate(paths(rnd, vocabulary, count)):
        video = Video.import_file(
            path=path,
            file={"size": rnd.randint(1, 1 << 32), "mtime_ns": number,
                  "content_hash": f"{number:032x}"},
            media=media(rnd),  # type: ignore[arg-type]
            tags=rnd.sample(tags, rnd.randint(0, 3)),
            metadata={"camera": rnd.choice(["sony fx3", "canon r5", "gopro", "iphone"])},
            context=CONTEXT,
        )  # fmt: skip
        draw = rnd.random()
        if draw < 0.13:
            later.append(("annotate" if draw < 0.10 else "lose" if draw < 0.12 else "touch", video))
        pending.append(video)
        if len(pending) >= batch:
            written += len(app.save(*pending))
            pending = []
    if pending:
        written += len(app.save(*pending))
        pending = []
    rnd.shuffle(later)
    for change, video in later:
        if change == "annotate":
            scene = vocabulary.draw(1)[0]
            video.annotate(rnd.sample(tags, 2), {"camera": "arri", "scene": scene}, CONTEXT)
        elif change == "lose":
            video.mark_missing(CONTEXT)
        else:
            file = {**video.file, "mtime_ns": video.file["mtime_ns"] + 1}
            video.update(UpdateReason.TOUCHED, file, video.media, CONTEXT)  # type: ignore[arg-type]
        pending.append(video)
        if len(pending) >= batch:
            written += len(app.save(*pending))
            pending = []
    if pending:
        written += len(app.save(*pending))
    return written
