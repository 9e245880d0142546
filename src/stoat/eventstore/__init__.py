"""Stoat's event store: an ``eventsourcing`` persistence module on apsw (SQLite).

Select it with ``PERSISTENCE_MODULE=stoat.eventstore`` and ``APSW_DBNAME=<file>``;
``InfrastructureFactory.construct`` finds :class:`ApswFactory`, the one factory class
this module exposes. See :class:`ApswFactory` for the environment keys, and
:class:`ApswTrackingRecorder` for the hook projections use to update a read model and
its tracking position in one transaction. Application recorders chain their rows
(``chain_hash``, see :func:`chain_hash`): :func:`walk_chain` recomputes the chain.
"""

from __future__ import annotations

from stoat.eventstore._chain import (
    GENESIS,
    ChainBreak,
    ChainedLog,
    ChainRow,
    ChainWalk,
    chain_hash,
    walk_chain,
)
from stoat.eventstore._datastore import SYNCHRONOUS_MODES, ApswDatastore, SynchronousMode
from stoat.eventstore._errors import translate_error
from stoat.eventstore._factory import ApswFactory
from stoat.eventstore._recorders import (
    ApswAggregateRecorder,
    ApswApplicationRecorder,
    ApswRecorder,
)
from stoat.eventstore._subscription import ApswSubscription
from stoat.eventstore._tracking import ApswProcessRecorder, ApswTrackingRecorder

# The name eventsourcing's persistence modules use for their factory.
Factory = ApswFactory

__all__ = [
    "GENESIS",
    "SYNCHRONOUS_MODES",
    "ApswAggregateRecorder",
    "ApswApplicationRecorder",
    "ApswDatastore",
    "ApswFactory",
    "ApswProcessRecorder",
    "ApswRecorder",
    "ApswSubscription",
    "ApswTrackingRecorder",
    "ChainBreak",
    "ChainRow",
    "ChainWalk",
    "ChainedLog",
    "Factory",
    "SynchronousMode",
    "chain_hash",
    "translate_error",
    "walk_chain",
]
