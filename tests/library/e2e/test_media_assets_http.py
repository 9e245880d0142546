"""Thumbnails, sprites, waveforms and proxies, checked with ffprobe and pixel sampling."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from tests.conftest import ADMIN_KEY
from tests.media import close_to, make_clip, pixel, probe, stream

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.settings import Settings

RED, YELLOW = (255, 0, 0), (255, 255, 0)


def imported(client: TestClient[Litestar], media: Path, name: str) -> str:
    response = client.post("/v1/videos", json={"path": str(media / name)})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def saved(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def dimensions(path: Path) -> tuple[int, int]:
    video = stream(probe(path), "video")
    return int(video["width"]), int(video["height"])


def test_posters_and_sprites(
    client: TestClient[Litestar], library_media: Path, tmp_path: Path
) -> None:
    red = imported(client, library_media, "beach_sunset.mp4")
    poster = client.get(f"/v1/videos/{red}/thumbnail")
    assert poster.status_code == 200, poster.text
    assert poster.headers["content-type"] == "image/jpeg"
    image = saved(tmp_path, "poster.jpg", poster.content)
    assert dimensions(image) == (160, 120)
    assert close_to(pixel(image, 0, 80, 60), RED, 40)
    at = client.get(f"/v1/videos/{red}/thumbnail", params={"t": 1.5})
    assert at.status_code == 200
    beyond = client.get(f"/v1/videos/{red}/thumbnail", params={"t": 9})
    assert (beyond.status_code, beyond.json()["errors"][0]["path"]) == (422, "query.t")

    sprite = client.get(f"/v1/videos/{red}/thumbnail", params={"sprite": "true"})
    strip = saved(tmp_path, "sprite.jpg", sprite.content)
    assert dimensions(strip) == (1600, 120)
    assert close_to(pixel(strip, 0, 1500, 60), RED, 40)

    portrait = imported(client, library_media, "portrait_interview.mp4")
    turned = saved(tmp_path, "p.jpg", client.get(f"/v1/videos/{portrait}/thumbnail").content)
    assert dimensions(turned) == (120, 160)  # rotation applied

    still = imported(client, library_media, "poster_frame.png")
    frame = saved(tmp_path, "s.jpg", client.get(f"/v1/videos/{still}/thumbnail").content)
    assert close_to(pixel(frame, 0, 32, 24), YELLOW, 40)

    audio = imported(client, library_media, "voiceover.wav")
    none = client.get(f"/v1/videos/{audio}/thumbnail")
    assert (none.status_code, none.json()["code"]) == (404, "no_picture")


def test_waveforms_per_audio_stream(client: TestClient[Litestar], library_media: Path) -> None:
    audio = imported(client, library_media, "voiceover.wav")
    body = client.get(f"/v1/videos/{audio}/waveform").json()
    assert body["peaks_per_second"] == 100
    (tone,) = body["streams"]
    assert (tone["index"], tone["sample_rate"]) == (0, 48000)
    assert 98 <= tone["peak_count"] <= 101  # one second
    # lavfi's sine has an amplitude of 1/8.
    middle = tone["peaks"][10:90]
    assert all(abs(high - 0.125) < 0.01 and abs(low + 0.125) < 0.01 for low, high in middle)
    coarse = client.get(f"/v1/videos/{audio}/waveform", params={"points": 10}).json()
    assert len(coarse["streams"][0]["peaks"]) == 10
    silent = imported(client, library_media, "city_night.mov")
    assert client.get(f"/v1/videos/{silent}/waveform").json()["streams"] == []


def wait_for_proxy(client: TestClient[Litestar], url: str, **headers: str) -> Any:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = client.get(url, headers=headers)
        if response.status_code != 202:
            return response
        assert response.headers["retry-after"] == "2"
        time.sleep(0.2)
    raise AssertionError("the proxy was not made in time")


def test_proxies_are_made_in_the_background_and_served_with_ranges(
    client: TestClient[Litestar], library_media: Path, tmp_path: Path
) -> None:
    make_clip(library_media / "wide.mp4", color="red", seconds=1, size="1280x720")
    video = imported(client, library_media, "wide.mp4")
    url = f"/v1/videos/{video}/proxy"
    first = client.get(url)
    assert first.status_code in (200, 202)
    done = wait_for_proxy(client, url)
    assert (done.status_code, done.headers["content-type"]) == (200, "video/mp4")
    proxy = saved(tmp_path, "proxy.mp4", done.content)
    info = probe(proxy)
    assert (stream(info, "video")["codec_name"], dimensions(proxy)) == ("h264", (640, 360))
    assert stream(info, "audio")["codec_name"] == "aac"
    part = client.get(url, headers={"Range": "bytes=10-19"})
    assert (part.status_code, part.content) == (206, done.content[10:20])
    assert part.headers["content-range"] == f"bytes 10-19/{len(done.content)}"
    tail = client.get(url, headers={"Range": "bytes=-5"})
    assert tail.content == done.content[-5:]
    assert client.get(url, headers={"Range": "bytes=999999999-"}).status_code == 416
    audio = imported(client, library_media, "voiceover.wav")
    assert client.get(f"/v1/videos/{audio}/proxy").json()["code"] == "proxy_unavailable"


def test_a_changed_or_missing_file_is_not_thumbnailed(
    client: TestClient[Litestar], library_media: Path
) -> None:
    video = imported(client, library_media, "city_night.mov")
    make_clip(library_media / "city_night.mov", color="white", seconds=2, size="320x240")
    changed = client.get(f"/v1/videos/{video}/thumbnail")
    assert (changed.status_code, changed.json()["code"]) == (409, "video_file_changed")
    (library_media / "city_night.mov").unlink()
    gone = client.get(f"/v1/videos/{video}/waveform")
    assert gone.json()["streams"] == []  # no audio stream: nothing to read
    missing = client.get(f"/v1/videos/{video}/thumbnail")
    assert (missing.status_code, missing.json()["code"]) == (404, "video_file_missing")


@pytest.fixture
def eager_settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, asset_workers=1)


def test_the_worker_makes_assets_ahead_of_requests(
    eager_settings: Settings, library_media: Path
) -> None:
    from litestar.testing import TestClient as Client

    from stoat.http.app import create_app
    from stoat.runtime import Runtime

    runtime = Runtime(eager_settings)
    runtime.provision_admin_key()
    runtime.start()
    try:
        with Client(create_app(runtime.services)) as client:
            client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
            path = str(library_media / "beach_sunset.mp4")
            video = client.post("/v1/videos", json={"path": path})
            digest = video.json()["events"][0]["data"]["file"]["content_hash"]
            folder = eager_settings.library_dir / "assets" / digest[:2] / digest
            wanted = {"poster-200ms.jpg", "sprite.jpg", "waveform.json", "proxy.mp4"}
            deadline = time.monotonic() + 60
            while not wanted <= {p.name for p in folder.glob("*")}:
                assert time.monotonic() < deadline, sorted(p.name for p in folder.glob("*"))
                time.sleep(0.2)
            proxy = client.get(f"/v1/videos/{video.json()['id']}/proxy")
            assert proxy.status_code == 200
            peaks = json.loads((folder / "waveform.json").read_text())
            assert peaks["streams"][0]["index"] == 1
    finally:
        runtime.stop()
