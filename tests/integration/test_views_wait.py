"""A read that waits for the views wakes the process that projects them, once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from eventsourcing.persistence import Tracking

from stoat.errors import ReadTimeout
from stoat.projections.views import APPLICATION_NAME
from stoat.runtime import open_views

if TYPE_CHECKING:
    from stoat.settings import Settings


def test_a_wait_behind_the_views_nudges_their_projector(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    views = open_views(settings)
    nudges: list[int] = []
    views.when_behind(lambda: nudges.append(1))
    try:
        with pytest.raises(ReadTimeout):
            views.wait(5, timeout=0.05)
        assert nudges == [1]
        views.insert_tracking(Tracking(APPLICATION_NAME, 5))
        views.wait(5, timeout=0.05)
        views.wait(4, timeout=0.05)
        assert nudges == [1], "a wait the views already meet nudges nobody"
    finally:
        views.close()
