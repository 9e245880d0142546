"""GET /v1/system/info and the encoder trials."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stoat.media.encoders import EncoderProbe, listed_encoders, works

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.testing import TestClient

    from stoat.runtime import Runtime


def test_system_info_reports_versions_and_encoders(
    client: TestClient[Litestar], runtime: Runtime
) -> None:
    runtime.services.encoders.wait(60)
    info = client.get("/v1/system/info").json()
    assert info["version"] == "0.1.0"
    assert info["core_version"] == "0.1.0"
    assert info["ffmpeg_version"]
    assert info["sqlite_version"].count(".") == 2
    scaled = runtime.services.settings.event_store_url is not None
    assert info["mode"] == ("scale-out" if scaled else "embedded")
    assert info["event_store"] == ("postgresql" if scaled else "sqlite")
    assert info["broker"] == ("redis" if scaled else "embedded")
    assert info["encoders"]["probing"] is False
    assert set(info["encoders"]["hardware_working"]) <= set(info["encoders"]["hardware_listed"])
    assert info["transitions"] == 46


def test_trial_encodes_tell_working_from_listed() -> None:
    assert "libx264" in listed_encoders()
    assert works("libx264")
    assert not works("no_such_encoder")
    report = EncoderProbe()
    report.start()
    finished = report.wait(60)
    assert finished.done
    assert all(
        any(m in name for m in ("nvenc", "qsv", "vaapi", "v4l2m2m", "amf", "_mf", "videotoolbox"))
        for name in finished.listed
    )
