"""Seconds at the HTTP edge, integer microseconds inside.

JSON numbers arrive as binary floats; rounding to the nearest microsecond recovers the
exact decimal an agent wrote (any decimal with at most six places survives the trip).
On the way out, ``micros / 1e6`` prints as the shortest decimal that round-trips, which
is that same decimal.
"""

from __future__ import annotations

MICROS_PER_SECOND = 1_000_000


def to_micros(seconds: float) -> int:
    """Seconds (as sent by a client) to integer microseconds, rounding half to even."""
    return round(seconds * MICROS_PER_SECOND)


def to_seconds(micros: int) -> float:
    """Integer microseconds to seconds for a JSON response."""
    return micros / MICROS_PER_SECOND
