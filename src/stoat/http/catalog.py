"""Discovery for agents: what effects, transitions, layouts and presets exist.

Everything here comes from the Rust core's definitions, the same ones that validate
edits, so what an agent reads is what the server accepts. They are fixed for the life
of the process, so each is built once (the effects catalog takes 0.4 ms to build) and
served from then on; handlers never change what they return.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import get
from litestar.params import FromPath

from stoat import _core
from stoat.errors import NotFound
from stoat.http.context import ServicesDep


@get("/v1/effects", sync_to_thread=False)
def list_effects() -> dict[str, Any]:
    """Every effect: JSON Schema of its parameters, defaults, ranges, ai_hint, example."""
    return {"items": _effects(), "next": None}


@get("/v1/effects/{effect_type:str}", sync_to_thread=False)
def read_effect(effect_type: FromPath[str]) -> dict[str, Any]:
    """One effect's parameters as JSON Schema, with defaults, an ai_hint and an example."""
    for effect in _effects():
        if effect["type"] == effect_type:
            return dict(effect)
    raise NotFound("effect", effect_type)


@get("/v1/transitions", sync_to_thread=False)
def list_transitions(services: ServicesDep) -> dict[str, Any]:
    """The xfade transitions the installed FFmpeg offers, each with an audio crossfade."""
    return {"items": _transitions(tuple(services.transitions)), "next": None}


@get("/v1/layouts", sync_to_thread=False)
def list_layouts() -> dict[str, Any]:
    """Picture-in-picture and split/grid layouts."""
    return {"items": _core.layouts_catalog(), "next": None}


@get("/v1/presets", sync_to_thread=False)
def list_presets() -> dict[str, Any]:
    """Render presets, and output presets for the project's frame (16:9, 9:16, ...)."""
    return {
        "render": _core.render_presets(),
        "output": _core.output_presets(),
    }


@cache
def _effects() -> list[dict[str, Any]]:
    return _core.effects_catalog()


@cache
def _transitions(available: tuple[str, ...]) -> list[dict[str, Any]]:
    return _core.transitions_catalog(available)


ROUTES = [list_effects, read_effect, list_transitions, list_layouts, list_presets]
