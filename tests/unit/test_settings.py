"""Settings read from the environment: parsing and the limits they are checked against."""

from __future__ import annotations

import pytest

from stoat.settings import Settings, SettingsError


def test_the_api_threads_come_from_the_environment() -> None:
    assert Settings.from_env({}).http_threads == 32
    assert Settings.from_env({"STOAT_HTTP_THREADS": "64"}).http_threads == 64


@pytest.mark.parametrize("value", ["0", "-3"])
def test_fewer_than_one_api_thread_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="http_threads must be at least 1"):
        Settings.from_env({"STOAT_HTTP_THREADS": value})


def test_the_background_defaults_to_a_companion_process() -> None:
    assert Settings.from_env({}).background == "process"
    assert Settings.from_env({"STOAT_BACKGROUND": "threads"}).background == "threads"


def test_an_unknown_background_is_refused() -> None:
    with pytest.raises(SettingsError, match="background"):
        Settings.from_env({"STOAT_BACKGROUND": "elsewhere"})
