"""The foundation's promise end to end: create, add 3 clips, trim one, render, check the MP4."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import wait_for_render
from tests.media import close_to, pixel, probe, stream

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

FRAME = 1 / 30
AAC_FRAME = 1024 / 48000
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def post(client: TestClient[Litestar], url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, json=body)
    assert response.status_code in {200, 201, 202}, response.text
    return dict(response.json())


@pytest.mark.slow
def test_create_add_trim_render(
    client: TestClient[Litestar], media_dir: Path, tmp_path: Path
) -> None:
    project = post(
        client,
        "/v1/projects",
        {"name": "foundation", "output": {"width": 320, "height": 240, "fps": "30"}},
    )
    url = f"/v1/projects/{project['id']}"
    post(
        client,
        f"{url}/edits",
        {
            "edits": [
                {
                    "op": "add_clip",
                    "clip_id": "red",
                    "source": str(media_dir / "red.mp4"),
                    "in": 0,
                    "out": 2,
                },
                {
                    "op": "add_clip",
                    "clip_id": "green",
                    "source": str(media_dir / "green.mp4"),
                    "in": 0.5,
                    "out": 2.5,
                },
                {
                    "op": "add_clip",
                    "clip_id": "blue",
                    "source": str(media_dir / "blue.mp4"),
                    "in": 1,
                    "out": 3,
                },
            ]
        },
    )
    trimmed = post(
        client,
        f"{url}/edits",
        {"edits": [{"op": "update_clip", "clip_id": "green", "in": 1, "out": 2}]},
    )
    assert trimmed["version"] == 5
    assert [event["type"] for event in trimmed["events"]] == ["ClipTrimmed"]

    timeline = client.get(f"{url}/timeline", headers={"X-Stoat-After": str(trimmed["position"])})
    assert timeline.status_code == 200
    placed = {
        clip["id"]: (clip["start"], clip["end"]) for clip in timeline.json()["tracks"][0]["clips"]
    }
    assert placed == {"red": (0, 2), "green": (2, 3), "blue": (3, 5)}
    assert timeline.json()["duration"] == 5

    render = post(client, f"{url}/renders", {})
    done = wait_for_render(client, render)
    assert done["status"] == "completed", done.get("error")
    assert done["project_version"] == 5

    download = client.get(done["output"]["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "video/mp4"
    assert hashlib.sha256(download.content).hexdigest() == done["output"]["sha256"]
    output = tmp_path / "output.mp4"
    output.write_bytes(download.content)
    probed = probe(output)
    video, audio = stream(probed, "video"), stream(probed, "audio")
    assert (video["codec_name"], audio["codec_name"]) == ("h264", "aac")
    assert (video["width"], video["height"]) == (320, 240)
    assert video["r_frame_rate"] == "30/1"
    assert int(video["nb_read_frames"]) == 150
    assert abs(float(probed["format"]["duration"]) - 5.0) <= FRAME
    assert abs(float(video["duration"]) - 5.0) <= FRAME
    assert abs(float(audio["duration"]) - float(video["duration"])) <= AAC_FRAME
    assert done["output"]["duration"] == pytest.approx(5.0, abs=FRAME)

    for seconds, colour in [
        (0.5, RED),
        (1.9, RED),
        (2.1, GREEN),
        (2.9, GREEN),
        (3.1, BLUE),
        (4.9, BLUE),
    ]:
        sampled = pixel(output, seconds, 160, 120)
        assert close_to(sampled, colour, 6), (seconds, sampled, colour)
