"""Pure library rules: path confinement, tags, metadata, merge patches, fingerprints."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from stoat.commands._library_files import MediaRoots, confine
from stoat.commands.library import check_metadata, check_tags, merge_patch
from stoat.errors import PathForbidden, Rejected
from stoat.media.files import SAMPLE_BYTES, fingerprint, is_media_name

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def roots(tmp_path: Path) -> MediaRoots:
    media = tmp_path / "media"
    (media / "sub").mkdir(parents=True)
    (media / "sub/a.mp4").write_bytes(b"x")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/b.mp4").write_bytes(b"y")
    return MediaRoots(canonical=[str(media.resolve())], written=[str(media)])


def test_a_path_inside_the_roots_comes_back_canonical(roots: MediaRoots) -> None:
    root = roots.canonical[0]
    assert confine(f"{root}/sub/../sub/a.mp4", roots) == f"{root}/sub/a.mp4"


def test_a_path_outside_the_roots_is_forbidden_before_any_lookup(
    roots: MediaRoots, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def spy(path: str, roots: list[str]) -> str:
        calls.append(path)
        return path

    monkeypatch.setattr("stoat.commands._library_files.check_path", spy)
    for path in ("/etc/passwd", f"{roots.canonical[0]}/../elsewhere/b.mp4", "/nonexistent/x"):
        with pytest.raises(PathForbidden) as caught:
            confine(path, roots)
        assert caught.value.loc == ("path",)
    assert calls == []  # not even resolved: nothing was touched


def test_a_symlink_out_of_the_roots_is_forbidden(roots: MediaRoots, tmp_path: Path) -> None:
    link = tmp_path / "media/link.mp4"
    link.symlink_to(tmp_path / "elsewhere/b.mp4")
    with pytest.raises(PathForbidden):
        confine(str(link), roots)
    dir_link = tmp_path / "media/out"
    dir_link.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(PathForbidden):
        confine(str(dir_link / "b.mp4"), roots)


def test_a_root_reached_through_its_configured_symlink_is_allowed(tmp_path: Path) -> None:
    real = tmp_path / "disk"
    real.mkdir()
    (real / "c.mp4").write_bytes(b"z")
    alias = tmp_path / "alias"
    alias.symlink_to(real)
    roots = MediaRoots(canonical=[str(real)], written=[str(alias)])
    assert confine(str(alias / "c.mp4"), roots) == str(real / "c.mp4")


def test_relative_and_missing_paths_are_validation_errors(roots: MediaRoots) -> None:
    with pytest.raises(Rejected) as relative:
        confine("sub/a.mp4", roots, loc=("source",))
    assert [(e["code"], e["loc"]) for e in relative.value.errors()] == [
        ("path_invalid", ("source",))
    ]
    with pytest.raises(Rejected) as missing:
        confine(f"{roots.canonical[0]}/nope.mp4", roots)
    assert missing.value.errors()[0]["code"] == "path_not_found"


def test_tags_are_trimmed_and_deduplicated_ignoring_case() -> None:
    assert check_tags([" Beach ", "beach", "b-roll"]) == ["Beach", "b-roll"]
    with pytest.raises(Rejected) as caught:
        check_tags(["ok", "", "x" * 65])
    assert [e["loc"] for e in caught.value.errors()] == [("tags", 1), ("tags", 2)]


def test_metadata_is_bounded_and_keeps_the_event_store_marker_out() -> None:
    assert check_metadata({"camera": {"model": "x"}}) == {"camera": {"model": "x"}}
    with pytest.raises(Rejected) as reserved:
        check_metadata({"a": [{"_type_": "uuid_hex", "_data_": "0"}]})
    assert reserved.value.errors()[0]["loc"] == ("metadata", "a", 0, "_type_")
    with pytest.raises(Rejected):
        check_metadata({"blob": "x" * 20_000})


def test_merge_patch_follows_rfc_7396() -> None:
    target = {"a": "b", "c": {"d": "e", "f": "g"}}
    patch = {"a": "z", "c": {"f": None}, "n": [1]}
    assert merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}, "n": [1]}
    assert target == {"a": "b", "c": {"d": "e", "f": "g"}}


def test_media_names_are_recognised_by_extension() -> None:
    assert is_media_name("A.MP4")
    assert is_media_name("x.wav")
    assert is_media_name("y.png")
    assert not is_media_name("notes.txt")
    assert not is_media_name("mp4")


def test_fingerprints_sample_large_files(tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.write_bytes(b"a" * 1000)
    assert fingerprint(str(small), 1000) != fingerprint(str(small), 1001)  # size counts
    big = tmp_path / "big"
    data = bytearray(os.urandom(8 * SAMPLE_BYTES))
    big.write_bytes(data)
    before = fingerprint(str(big), len(data))
    data[2 * SAMPLE_BYTES] ^= 0xFF  # an unsampled byte: the documented blind spot
    big.write_bytes(data)
    assert fingerprint(str(big), len(data)) == before
    data[-1] ^= 0xFF  # the tail is sampled
    big.write_bytes(data)
    assert fingerprint(str(big), len(data)) != before
