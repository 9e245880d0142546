"""Screen layouts: picture-in-picture corners and split-screen grids."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.render._support import BLACK, BLUE, GREEN, RED, WHITE, Project, color, near

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow

YELLOW = (255, 255, 0)


@pytest.mark.parametrize(
    ("corner", "inside", "outside"),
    [
        # size 0.25 of 320 = 80x60, margin 0.05 of 320 = 16 pixels.
        ("top_left", (56, 46), (150, 46)),
        ("top_right", (264, 46), (170, 46)),
        ("bottom_left", (56, 194), (56, 110)),
        ("bottom_right", (264, 194), (264, 110)),
    ],
)
def test_pip_corners(
    media: Path,
    tmp_path: Path,
    corner: str,
    inside: tuple[int, int],
    outside: tuple[int, int],
) -> None:
    p = Project().edit(
        {"op": "add_clip", "source": str(media / "red.mp4"), "out": 1},
        {"op": "add_track", "kind": "overlay", "track_id": "inset"},
        {"op": "add_clip", "track_id": "inset", "source": str(media / "green.mp4"), "out": 1},
        {
            "op": "set_layout",
            "layout": {
                "type": "pip",
                "track_id": "inset",
                "corner": corner,
                "size": 0.25,
                "margin": 0.05,
            },
        },
    )
    out = p.render(tmp_path / "pip.mp4")
    assert near(color(out, 0.5, *inside), GREEN)
    assert near(color(out, 0.5, *outside), RED)
    # The inset's edges: 16 to 96 pixels from the corner's sides.
    x = 12 if corner.endswith("left") else 308
    assert near(color(out, 0.5, x, inside[1]), RED)


def test_side_by_side_fills_halves_with_cover(media: Path, tmp_path: Path) -> None:
    p = Project().edit(
        {
            "op": "add_clip",
            "source": str(media / "red.mp4"),
            "out": 1,
            "transform": {"fit": "cover"},
        },
        {"op": "add_track", "kind": "video", "track_id": "right"},
        {
            "op": "add_clip",
            "track_id": "right",
            "source": str(media / "green.mp4"),
            "out": 1,
            "transform": {"fit": "cover"},
        },
        {"op": "set_layout", "layout": {"type": "side_by_side", "regions": ["video-1", "right"]}},
    )
    out = p.render(tmp_path / "sbs.mp4")
    for y in (10, 120, 230):
        assert near(color(out, 0.5, 80, y), RED)
        assert near(color(out, 0.5, 240, y), GREEN)


def test_top_bottom_with_a_gap_in_the_background_colour(media: Path, tmp_path: Path) -> None:
    p = Project(output={"width": 320, "height": 240, "fps": "30", "background": "white"})
    p.edit(
        {
            "op": "add_clip",
            "clip_id": "top",
            "source": str(media / "red.mp4"),
            "out": 1,
            "transform": {"fit": "stretch"},
        },
        {"op": "add_track", "kind": "video", "track_id": "lower"},
        {
            "op": "add_clip",
            "clip_id": "bottom",
            "track_id": "lower",
            "source": str(media / "green.mp4"),
            "out": 1,
            "transform": {"fit": "stretch"},
        },
        {
            "op": "set_layout",
            "layout": {"type": "top_bottom", "regions": ["top", "bottom"], "gap": 20},
        },
    )
    out = p.render(tmp_path / "tb.mp4")
    # Regions of 110 pixels around a 20-pixel gap.
    assert near(color(out, 0.5, 160, 55), RED)
    assert near(color(out, 0.5, 160, 120), WHITE)
    assert near(color(out, 0.5, 160, 185), GREEN)


def _colour_tracks(colours: list[str]) -> list[dict[str, object]]:
    edits: list[dict[str, object]] = []
    for i, colour in enumerate(colours):
        track = "video-1" if i == 0 else f"t{i}"
        if i:
            edits.append({"op": "add_track", "kind": "video", "track_id": track})
        edits.append(
            {
                "op": "add_clip",
                "clip_id": f"c{i}",
                "track_id": track,
                "kind": "color",
                "color": colour,
                "duration": 1,
            }
        )
    return edits


def test_grid_2x2(tmp_path: Path) -> None:
    p = Project().edit(
        *_colour_tracks(["red", "lime", "blue", "yellow"]),
        {
            "op": "set_layout",
            "layout": {"type": "grid_2x2", "regions": ["video-1", "t1", "t2", "t3"]},
        },
    )
    out = p.render(tmp_path / "grid.mp4")
    for (x, y), expected in [
        ((80, 60), RED),
        ((240, 60), GREEN),
        ((80, 180), BLUE),
        ((240, 180), YELLOW),
    ]:
        assert near(color(out, 0.5, x, y), expected), (x, y)


def test_grid_3x3_by_clip_ids_leaves_empty_cells_in_the_background(tmp_path: Path) -> None:
    p = Project(output={"width": 300, "height": 240, "fps": "30"}).edit(
        *_colour_tracks(["red", "lime", "blue"]),
        {"op": "set_layout", "layout": {"type": "grid_3x3", "regions": ["c0", "c1", "c2"]}},
    )
    out = p.render(tmp_path / "grid3.mp4")
    for (x, y), expected in [
        ((50, 40), RED),
        ((150, 40), GREEN),
        ((250, 40), BLUE),
        ((150, 120), BLACK),
        ((250, 200), BLACK),
    ]:
        assert near(color(out, 0.5, x, y), expected), (x, y)
