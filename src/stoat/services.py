"""The parts a request or a job needs, built once from the settings."""

from __future__ import annotations

from collections.abc import Callable  # noqa: TC003 - resolved at runtime, as below
from dataclasses import dataclass, field

# Real imports, not TYPE_CHECKING ones: Litestar resolves this dependency's annotations.
from stoat.commands.application import StoatApplication
from stoat.commands.keys import KeyRing
from stoat.media.encoders import EncoderProbe
from stoat.media.probe import Prober
from stoat.projections.broadcast import Broadcaster
from stoat.projections.views import ViewStore
from stoat.settings import Settings


@dataclass(frozen=True)
class Services:
    """What HTTP handlers and actors are given; nothing else is looked up globally."""

    settings: Settings
    app: StoatApplication
    views: ViewStore
    prober: Prober
    keys: KeyRing
    broadcaster: Broadcaster
    transitions: list[str]
    encoders: EncoderProbe
    readiness: dict[str, Callable[[], object]] = field(default_factory=dict)
    """Readiness checks of parts that run elsewhere (the companion process), by name:
    each raises, or returns a false value, when its part is not ready."""
