"""Tests of the apsw event store (stoat.eventstore)."""

from __future__ import annotations
