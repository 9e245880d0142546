from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from stoat.timecode import to_micros, to_seconds


@given(st.integers(min_value=0, max_value=10**12))
def test_micros_survive_a_trip_through_json_seconds(micros: int) -> None:
    assert to_micros(to_seconds(micros)) == micros


@given(st.decimals(min_value=0, max_value=10**6, places=6, allow_nan=False))
def test_six_place_decimals_are_exact(seconds: Decimal) -> None:
    assert to_micros(float(seconds)) == int(seconds * 1_000_000)
    assert Decimal(repr(to_seconds(to_micros(float(seconds))))) == seconds
