"""A timeline whose graph is too big for one argument renders through a script file."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from tests.media import probe, stream
from tests.render._support import Project

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow


def test_big_graph_through_a_script_file(tmp_path: Path) -> None:
    p = Project(output={"width": 64, "height": 48, "fps": "30"})
    colours = ["red", "lime", "blue", "white"]
    p.edit(
        *[
            {"op": "add_clip", "kind": "color", "color": colours[i % 4], "duration": 0.066667}
            for i in range(1400)
        ]
    )
    request = {"output_path": str(tmp_path / "big.mp4"), "preset": "preview"}
    inline = p.timeline.compile_render(request)
    assert len(inline[inline.index("-filter_complex") + 1]) > 128 * 1024
    with pytest.raises(OSError, match="Argument list too long"):
        subprocess.run(inline, check=False, capture_output=True)
    script = tmp_path / "big.graph"
    argv, graph = p.timeline.compile_render_script(request, str(script))
    script.write_text(graph)
    done = subprocess.run(argv, check=False, capture_output=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(stream(probe(tmp_path / "big.mp4"), "video")["nb_read_frames"]) == 2800
