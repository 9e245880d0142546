"""The library read model on real SQLite: FTS5 search, filters, sorting, pagination."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING, Any
from uuid import UUID

import apsw
import pytest

from stoat.domain.video import FileFacts, UpdateReason
from stoat.errors import NotFound, Rejected
from stoat.projections.library_queries import VideoQuery, get_video, search_videos
from stoat.runtime import Runtime
from tests.library._support import CONTEXT, synthetic_video

if TYPE_CHECKING:
    from collections.abc import Iterator

    from stoat.domain.video import Video
    from stoat.settings import Settings


@pytest.fixture
def library(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime(settings)
    runtime.start(jobs=False)
    videos = [
        synthetic_video("/m/holiday/sunset_beach_01.mp4", duration=12, tags=["travel"]),
        synthetic_video("/m/holiday/beach_at_sunset.mp4", duration=30, size=(3840, 2160)),
        synthetic_video(
            "/m/work/interview_anna.mov",
            duration=600,
            video_codec="hevc",
            tags=["interview", "b-roll"],
            metadata={"camera": "Canon R5", "take": 3},
        ),
        synthetic_video("/m/work/beacon_timelapse.mp4", duration=45, audio_codec=None),
        synthetic_video("/m/audio/voiceover.wav", video_codec=None, size=None, duration=8),
        synthetic_video("/m/stills/beach.png", duration=None, size=(640, 480), audio_codec=None),
    ]
    save(runtime, *videos)
    try:
        yield runtime
    finally:
        runtime.stop()


def save(runtime: Runtime, *videos: Video) -> None:
    recordings = runtime.services.app.save(*videos)
    runtime.services.views.wait(recordings[-1].notification.id, timeout=10)


def names(runtime: Runtime, **query: Any) -> list[str]:
    items, _ = search_videos(runtime.services.views, VideoQuery(**query))
    return [item["name"] for item in items]


def test_words_prefixes_and_phrases(library: Runtime) -> None:
    assert set(names(library, q="sunset")) == {"sunset_beach_01.mp4", "beach_at_sunset.mp4"}
    assert set(names(library, q="bea*")) == {
        "sunset_beach_01.mp4",
        "beach_at_sunset.mp4",
        "beacon_timelapse.mp4",
        "beach.png",
    }
    assert names(library, q='"sunset beach"') == ["sunset_beach_01.mp4"]
    assert names(library, q="beach NOT sunset") == ["beach.png"]


def test_tags_codecs_metadata_and_directories_are_searchable(library: Runtime) -> None:
    assert names(library, q="interview") == ["interview_anna.mov"]
    assert names(library, q="tags:travel") == ["sunset_beach_01.mp4"]
    assert names(library, tag="b-roll") == ["interview_anna.mov"]
    assert names(library, q="hevc") == ["interview_anna.mov"]
    assert names(library, q="canon") == ["interview_anna.mov"]
    assert set(names(library, q="directory:holiday")) == {
        "sunset_beach_01.mp4",
        "beach_at_sunset.mp4",
    }


def test_relevance_puts_name_matches_first(library: Runtime) -> None:
    # A tag counts more than a directory: both are in holiday/, one is tagged travel.
    assert names(library, q="holiday OR travel") == ["sunset_beach_01.mp4", "beach_at_sunset.mp4"]
    assert names(library, q="beach OR holiday", sort="name") == sorted(
        names(library, q="beach OR holiday")
    )


def test_filters(library: Runtime) -> None:
    assert set(names(library, min_duration=20, max_duration=100)) == {
        "beach_at_sunset.mp4",
        "beacon_timelapse.mp4",
    }
    assert names(library, resolution="3840x2160") == ["beach_at_sunset.mp4"]
    assert set(names(library, min_height=1000)) == {
        "sunset_beach_01.mp4",
        "beach_at_sunset.mp4",
        "interview_anna.mov",
        "beacon_timelapse.mp4",
    }
    assert set(names(library, has_audio=False)) == {"beacon_timelapse.mp4", "beach.png"}
    assert names(library, codec="hevc") == ["interview_anna.mov"]
    assert names(library, kind="audio") == ["voiceover.wav"]
    assert names(library, kind="image", q="beach") == ["beach.png"]


@pytest.mark.parametrize("sort", ["name", "-name", "duration", "-duration", "-imported", "size"])
def test_pages_join_up_to_the_whole_sorted_list(library: Runtime, sort: str) -> None:
    everything = names(library, sort=sort, limit=100)
    assert len(everything) == 6
    pages: list[str] = []
    cursor = None
    while True:
        items, cursor = search_videos(
            library.services.views,
            VideoQuery(sort=sort, limit=4, cursor=cursor),  # type: ignore[arg-type]
        )
        pages += [item["name"] for item in items]
        if cursor is None:
            break
    assert pages == everything
    if sort == "duration":
        assert everything[0] == "beach.png"  # a still image sorts as 0 s
        assert everything[-1] == "interview_anna.mov"


def test_relevance_pages_by_offset(library: Runtime) -> None:
    first, cursor = search_videos(library.services.views, VideoQuery(q="bea*", limit=3))
    assert cursor is not None
    rest, end = search_videos(library.services.views, VideoQuery(q="bea*", limit=3, cursor=cursor))
    assert end is None
    assert len({item["id"] for item in first + rest}) == 4


def test_bad_queries_are_rejected_naming_the_parameter(library: Runtime) -> None:
    for q in ('"unterminated', "nocolumn:beach", "AND", "beach-sunset"):
        with pytest.raises(Rejected) as caught:
            names(library, q=q)
        (error,) = caught.value.errors()
        assert (error["code"], error["loc"]) == ("invalid_search", ("query", "q"))
    with pytest.raises(Rejected) as cursor:
        names(library, cursor="garbage")
    assert cursor.value.errors()[0]["loc"] == ("query", "cursor")
    _, next_cursor = search_videos(library.services.views, VideoQuery(sort="name", limit=1))
    with pytest.raises(Rejected):
        names(library, sort="size", cursor=next_cursor)
    with pytest.raises(Rejected):
        names(library, sort="relevance")
    with pytest.raises(Rejected):
        names(library, resolution="big")


def test_changes_reach_the_index(library: Runtime) -> None:
    app = library.services.app
    (item,) = search_videos(library.services.views, VideoQuery(q="interview"))[0]
    video: Video = app.repository.get(UUID(item["id"]))
    video.annotate(["documentary"], {"camera": "Sony"}, CONTEXT)
    save(library, video)
    assert names(library, q="tags:interview OR canon") == []
    assert names(library, q="documentary sony") == ["interview_anna.mov"]
    document = get_video(library.services.views, item["id"])
    assert (document["tags"], document["version"]) == (["documentary"], 2)
    video.mark_missing(CONTEXT)
    save(library, video)
    assert get_video(library.services.views, item["id"])["status"] == "missing"
    video.remove(CONTEXT)
    save(library, video)
    assert names(library, q="documentary") == []
    with pytest.raises(NotFound):
        get_video(library.services.views, item["id"])


@pytest.mark.parametrize("rebuild", ["all read models", "the library alone"])
def test_a_rebuild_gives_the_same_library(library: Runtime, rebuild: str) -> None:
    """Every kind of library event, then a rebuild: the same rows, the same search index
    (every term of every column of every row) and the same indexes as the live views."""
    app = library.services.app
    by_name: dict[str, Video] = {
        item["name"]: app.repository.get(UUID(item["id"]))
        for item in search_videos(library.services.views, VideoQuery(limit=100))[0]
    }
    interview, voiceover, beach, sunset = (
        by_name[name]
        for name in ("interview_anna.mov", "voiceover.wav", "beach.png", "beach_at_sunset.mp4")
    )
    interview.annotate(["documentary"], {"camera": "Sony", "lens": ["24mm", 35]}, CONTEXT)
    media = {**interview.media, "video_codec": "av1", "streams": [{"codec": "av1"}]}
    file = FileFacts(size=9, mtime_ns=2, content_hash=interview.content_hash)
    interview.update(UpdateReason.CHANGED, file, media, CONTEXT)
    voiceover.mark_missing(CONTEXT)
    beach.remove(CONTEXT)
    sunset.remove(CONTEXT)
    again = FileFacts(size=5, mtime_ns=3, content_hash=sunset.content_hash)
    sunset.restore(again, sunset.media, tags=["again"], metadata={}, context=CONTEXT)
    save(library, interview, voiceover, beach, sunset)
    save(library, synthetic_video("/m/late/after_the_changes.mp4", tags=["late"]))

    def snapshot() -> list[Any]:
        # A connection of its own: the views' read connections cannot make the vocabulary
        # table, which lists every term, row, column and offset of the search index.
        connection = apsw.Connection(str(library.services.settings.data_dir / "views.db"))
        try:
            cursor = connection.cursor()
            rows = list(cursor.execute("SELECT * FROM library_videos ORDER BY n"))
            cursor.execute(
                "CREATE VIRTUAL TABLE temp.library_terms "
                "USING fts5vocab(main, library_search, instance)"
            )
            terms = list(cursor.execute("SELECT * FROM temp.library_terms ORDER BY 1, 2, 3, 4"))
            indexes = list(
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'library_videos' "
                    "AND type = 'index' ORDER BY name"
                )
            )
        finally:
            connection.close()
        return [rows, terms, indexes]

    live = snapshot()
    assert [row[6] for row in live[0]] == [
        "sunset_beach_01.mp4",
        "interview_anna.mov",
        "beacon_timelapse.mp4",
        "voiceover.wav",
        "beach_at_sunset.mp4",
        "after_the_changes.mp4",
    ]
    assert {"av1", "documentary", "sony", "24mm", "again", "late"} <= {t[0] for t in live[1]}
    assert {"canon", "hevc"}.isdisjoint(t[0] for t in live[1])
    if rebuild == "all read models":
        library.rebuild_projections()
    else:
        library.rebuild_library()
    assert snapshot() == live
    assert names(library, q="documentary av1") == ["interview_anna.mov"]
    assert get_video(library.services.views, str(voiceover.id))["status"] == "missing"


def test_the_cli_rebuilds_the_library_alone(settings: Settings) -> None:
    """``stoat projections rebuild --only library`` brings back a damaged library and
    leaves the other read models as they were."""
    runtime = Runtime(settings)
    runtime.start(jobs=False)
    try:
        save(runtime, synthetic_video("/m/a/first.mp4"), synthetic_video("/m/b/second.mov"))
        position = runtime.services.views.position()
    finally:
        runtime.stop()
    connection = apsw.Connection(str(settings.views_db))
    try:
        audit_rows = connection.execute("SELECT count(*) FROM audit_log").get
        connection.execute("DELETE FROM library_videos WHERE name = 'first.mp4'")
    finally:
        connection.close()
    done = subprocess.run(
        [sys.executable, "-m", "stoat.cli", "projections", "rebuild", "--only", "library"],
        capture_output=True,
        text=True,
        check=False,
        env={"STOAT_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "rebuilt the library from 2 events" in done.stderr
    rebuilt = Runtime(settings)
    try:
        assert names(rebuilt, q="first OR second", sort="name") == ["first.mp4", "second.mov"]
        assert rebuilt.services.views.position() == position
        with rebuilt.services.views.read() as cursor:
            assert cursor.execute("SELECT count(*) FROM audit_log").get == audit_rows
    finally:
        rebuilt.stop()
