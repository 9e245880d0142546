"""Compiling a 1,000-clip timeline to the FFmpeg argv, through the Python binding.

Run from the repository root (not part of the test suite)::

    PYTHONPATH=src .venv/bin/python bench/compile_render.py

Builds a project (1920x1080, 30000/1001 fps) in the Rust core with ``--clips`` media
clips on a video track, every clip trimmed and with effects (colour, text with fades,
a watermark; every third clip at 1.5x speed, every seventh reversed), a transition
between every pair of clips (cycling through all 46 xfade names), opacity keyframes on
every fifth clip, plus an overlay track of titles, a music track ducked under a voice
track, a picture-in-picture layout and output loudness. Then times
``Timeline.compile_render`` (one call: layout, graph and argv) ``--rounds`` times and
reports the median, p95 and min in ms (wall time), the median of the thread's CPU time
(steadier on a shared machine: time spent waiting for a core is not in it), the graph
size, and the input count.

Target (issue 4): at most 5 ms for 1,000 clips.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from typing import Any

from stoat._core import FFMPEG_TRANSITIONS, Timeline

MEDIA: dict[str, dict[str, object]] = {
    "/media/a.mp4": {
        "duration": 600_000_000,
        "has_video": True,
        "has_audio": True,
        "width": 1920,
        "height": 1080,
        "fps": "30000/1001",
    },
    "/media/song.wav": {"duration": 3_600_000_000, "has_video": False, "has_audio": True},
    "/media/voice.wav": {"duration": 3_600_000_000, "has_video": False, "has_audio": True},
    "/media/logo.png": {"duration": 0, "has_video": True, "has_audio": False},
}


def build(clips: int) -> Timeline:
    timeline = Timeline()
    output = {"preset": "16:9", "fps": "30000/1001", "loudness": {"target": -14}}
    for event_type, data in Timeline.decide_create("bench", "Bench", output):
        timeline.evolve(event_type, data)
    edits: list[dict[str, Any]] = []
    for i in range(clips):
        start = (i * 7) % 500
        clip: dict[str, Any] = {
            "op": "add_clip",
            "clip_id": f"c{i}",
            "source": "/media/a.mp4",
            "in": start,
            "out": start + 3,
        }
        if i % 3 == 0:
            clip["speed"] = 1.5
        if i % 7 == 0:
            clip["reverse"] = True
        edits.append(clip)
        edits.append(
            {
                "op": "add_effect",
                "clip_id": f"c{i}",
                "type": "color",
                "params": {"brightness": 0.02, "saturation": 1.1},
            }
        )
        edits.append(
            {
                "op": "add_effect",
                "clip_id": f"c{i}",
                "type": "text",
                "params": {
                    "text": f"Shot {i}: it's [here]",
                    "fade_in": 0.2,
                    "fade_out": 0.2,
                    "duration": 1.5,
                },
            }
        )
        edits.append(
            {
                "op": "add_effect",
                "clip_id": f"c{i}",
                "type": "watermark",
                "params": {"path": "/media/logo.png"},
            }
        )
        if i % 5 == 0:
            edits.append(
                {
                    "op": "set_keyframes",
                    "clip_id": f"c{i}",
                    "property": "opacity",
                    "keyframes": [
                        {"time": 0, "value": 0.5},
                        {"time": 1, "value": 1, "easing": "ease_out_cubic"},
                    ],
                }
            )
        if i:
            name = FFMPEG_TRANSITIONS[i % len(FFMPEG_TRANSITIONS)]
            edits.append(
                {
                    "op": "set_transition",
                    "from_clip_id": f"c{i - 1}",
                    "to_clip_id": f"c{i}",
                    "name": name,
                    "duration": 0.5,
                }
            )
    edits += [
        {"op": "add_track", "kind": "overlay", "track_id": "titles"},
        {"op": "add_track", "kind": "audio", "track_id": "voice", "role": "voice"},
        {"op": "add_clip", "track_id": "voice", "source": "/media/voice.wav", "out": 1000},
        {
            "op": "add_track",
            "kind": "audio",
            "track_id": "music",
            "role": "music",
            "ducking": {"under": "voice"},
        },
        {"op": "add_clip", "track_id": "music", "source": "/media/song.wav", "out": 1000},
        {"op": "set_layout", "layout": {"type": "pip", "track_id": "titles"}},
    ]
    edits += [
        {
            "op": "add_clip",
            "track_id": "titles",
            "kind": "text",
            "text": f"Title {k}",
            "start": k * 30,
            "duration": 4,
        }
        for k in range(clips // 20)
    ]
    for batch in range(0, len(edits), 500):
        for event_type, data in timeline.decide(edits[batch : batch + 500], MEDIA):
            timeline.evolve(event_type, data)
    return timeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    timeline = build(args.clips)
    request = {"output_path": "/renders/bench.mp4", "preset": "h264_aac"}
    argv = timeline.compile_render(request)
    graph = argv[argv.index("-filter_complex") + 1]
    for _ in range(10):
        timeline.compile_render(request)
    samples, cpu = [], []
    for _ in range(args.rounds):
        started, started_cpu = time.perf_counter(), time.thread_time()
        timeline.compile_render(request)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    one, five, _ = os.getloadavg()
    print(f"machine: {platform.machine()}, {platform.processor() or platform.platform()}")
    print(f"load average: {one:.1f} (1 min), {five:.1f} (5 min)")
    print(f"clips: {timeline.clip_count}, inputs: {argv.count('-i')}, argv items: {len(argv)}")
    print(f"graph: {len(graph):,} bytes, {graph.count(';') + 1:,} chains")
    print(
        f"compile_render over {args.rounds} rounds: median {statistics.median(samples):.2f} ms, "
        f"p95 {samples[int(len(samples) * 0.95) - 1]:.2f} ms, min {samples[0]:.2f} ms; "
        f"CPU time median {statistics.median(cpu):.2f} ms"
    )


if __name__ == "__main__":
    main()
