"""Audit tests sign checkpoints when they ask to: the background checkpointer is off."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import pytest

if TYPE_CHECKING:
    from stoat.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, audit_checkpoint_events=0, audit_checkpoint_seconds=0)
