"""Tamper evidence and non-repudiation: the signed chain, client signatures, the audit log.

- :mod:`stoat.audit.signing`: Ed25519 keys, the service's and the agents' (formats and
  fingerprints).
- :mod:`stoat.audit.checkpoint`: the ``AuditCheckpoint`` aggregate, a signed chain head,
  and the command that signs one.
- :mod:`stoat.audit.checkpointer`: the background thread that signs periodically.
- :mod:`stoat.audit.verify`: recomputes the chain and checks the checkpoints.
- :mod:`stoat.audit.requests`: the ``Stoat-Signature`` header agents put on edits.

The chain itself is the event store's (``stoat.eventstore``, the ``chain_hash`` column).
"""
