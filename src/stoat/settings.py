"""Configuration: one msgspec struct, read from the environment once.

Every component receives what it needs from a :class:`Settings` value; nothing looks
up the environment in the middle of the code.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urlsplit

import msgspec

if TYPE_CHECKING:
    from collections.abc import Mapping

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]
Background = Literal["process", "threads"]


class SettingsError(ValueError):
    """An environment variable holds a value that Stoat cannot use."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything Stoat reads from its environment, with the defaults of the embedded mode."""

    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    http_threads: int = 32
    """Threads that run the API's blocking handlers (edits, reads): at most this many
    requests are in progress at once, the others queue."""
    media_roots: tuple[Path, ...] = ()
    log_level: str = "INFO"
    sqlite_synchronous: Synchronous = "FULL"
    render_workers: int = 1
    render_timeout_seconds: float = 3600.0
    job_lease_seconds: float = 30.0
    read_wait_seconds: float = 5.0
    admin_key: str | None = None
    # The audit chain: the key that signs checkpoints, and how often it signs.
    signing_key: str | None = None
    """The service's Ed25519 key: PEM (PKCS#8) or the base64 of its 32-byte seed.

    Unset: the key in ``<data-dir>/signing.key``, created on the first start."""
    audit_checkpoint_events: int = 1000
    """Sign the chain head once this many events follow the last checkpoint (0: never)."""
    audit_checkpoint_seconds: float = 60.0
    """Sign the chain head at least this often while events arrive (0: never)."""
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    # The media library.
    scan_workers: int = 0
    """Files a scan fingerprints and probes at once; 0 means the number of CPUs."""
    asset_workers: int = 1
    """Worker threads making thumbnails, waveforms and proxies."""
    proxy_height: int = 360
    library_proxies: bool = True
    """Whether imports make a low-resolution proxy of each video."""
    # Webhooks.
    webhooks_allow_private: bool = False
    """Whether webhook URLs may reach loopback, private and link-local addresses."""
    webhooks_timeout_seconds: float = 15.0
    webhooks_retry_base_seconds: float = 5.0
    """The wait after a first failed delivery; it doubles with each failure after."""
    webhooks_retry_max_seconds: float = 21600.0
    webhooks_disable_after_failures: int = 20
    webhooks_workers: int = 2
    webhook_secrets_key: str | None = None
    """The base64 of the 32-byte key that seals webhook secrets in the log; every node
    of a scaled-out deployment needs the same. Unset: ``<data-dir>/webhooks.key``."""
    # Rate limiting per API key (a token bucket each, in memory per process).
    rate_limit: float = 0.0
    """Requests a second each API key may make, sustained; 0 turns the limiter off."""
    rate_limit_burst: int = 100
    """Requests a key may make at once (the bucket's size)."""
    # Scale-out mode: a shared event log and job queue; read models stay local.
    event_store_url: str | None = None
    """``postgresql://user:password@host:port/dbname``: the event log on PostgreSQL.

    Unset: the embedded SQLite file ``<data-dir>/events.db``."""
    postgres_pool_size: int = 10
    """Connections each process keeps to PostgreSQL (log followers hold one each)."""
    broker_url: str | None = None
    """``redis://host:port/db``: the job queue on Redis. Unset: ``<data-dir>/queue.db``."""
    broker_namespace: str = "stoat"
    """The prefix of every Redis key, so several deployments can share one server."""
    output_dir: Path | None = None
    """Where renders are written and served from; scaled out, storage every node shares."""
    run_jobs: bool = True
    """Whether ``stoat serve`` also runs the dispatchers and workers (``stoat worker``)."""
    background: Background = "process"
    """Where ``stoat serve`` runs its read models and jobs: ``process``, a companion
    process it starts and supervises (the API keeps a GIL to itself), or ``threads``,
    in the API's own process."""

    def __post_init__(self) -> None:
        if self.http_threads < 1:
            msg = f"http_threads must be at least 1, not {self.http_threads}"
            raise ValueError(msg)
        if self.webhook_secrets_key is not None:
            # The box's own decoder: one definition of a valid key.
            from stoat.commands._webhook_secrets import decode_secrets_key

            decode_secrets_key(self.webhook_secrets_key)  # raises on a malformed key
        if self.event_store_url is not None:
            _postgres_keys(self.event_store_url)  # raises on a malformed URL
        if self.broker_url is not None and urlsplit(self.broker_url).scheme not in _REDIS:
            msg = f"broker_url must be a redis:// URL, not {_redacted(self.broker_url)!r}"
            raise ValueError(msg)

    @property
    def mode(self) -> str:
        """``embedded`` (SQLite files), or ``scale-out`` (a shared log or queue server)."""
        return (
            "embedded"
            if self.event_store_url is None and self.broker_url is None
            else ("scale-out")
        )

    @property
    def events_db(self) -> Path:
        return self.data_dir / "events.db"

    @property
    def views_db(self) -> Path:
        return self.data_dir / "views.db"

    @property
    def queue_db(self) -> Path:
        return self.data_dir / "queue.db"

    @property
    def library_dir(self) -> Path:
        """The media library's derived files (thumbnails, proxies, waveforms)."""
        return self.data_dir / "library"

    @property
    def renders_dir(self) -> Path:
        """Where render outputs go: ``output_dir``, or ``<data-dir>/renders``."""
        return self.output_dir or self.data_dir / "renders"

    @property
    def allowed_roots(self) -> list[str]:
        """Where user-supplied paths may point: the media roots, the data dir, the outputs."""
        return list(_resolved((*self.media_roots, self.data_dir, self.renders_dir)))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Reads ``STOAT_*`` variables; explicit ``overrides`` (from CLI flags) win."""
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        for name, kind in _ENV_FIELDS.items():
            value = env.get(f"STOAT_{name.upper()}")
            if value is None or value == "":
                continue
            raw[name] = _parse(kind, value)
        raw.update({key: value for key, value in overrides.items() if value is not None})
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as error:
            raise SettingsError(str(error)) from None

    def environment(self) -> dict[str, str]:
        """The eventsourcing environment for the event store (SQLite or PostgreSQL)."""
        env = {
            # Recently used aggregates stay in memory; each get fast-forwards from the
            # log and deep-copies, so a command never starts from stale or dirty state.
            "AGGREGATE_CACHE_MAXSIZE": "1000",
        }
        if self.event_store_url is None:
            return {
                **env,
                "PERSISTENCE_MODULE": "stoat.eventstore",
                "APSW_DBNAME": str(self.events_db),
                "APSW_SYNCHRONOUS": self.sqlite_synchronous,
            }
        return {
            **env,
            **_postgres_keys(self.event_store_url),
            "PERSISTENCE_MODULE": "stoat.eventstore.postgres",
            "POSTGRES_POOL_SIZE": str(self.postgres_pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.postgres_pool_size),
            # Appends queue on the table lock; give up (and answer 503) after this long.
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_PRE_PING": "y",
        }


_POSTGRES = {"postgresql", "postgres"}
_REDIS = {"redis", "rediss", "unix"}


def _postgres_keys(url: str) -> dict[str, str]:
    """``POSTGRES_*`` keys from a ``postgresql://`` URL."""
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if parts.scheme not in _POSTGRES or not parts.hostname or not dbname:
        msg = (
            "event_store_url must look like postgresql://user:password@host:port/dbname, "
            f"not {_redacted(url)!r}"
        )
        raise ValueError(msg)
    return {
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }


def _redacted(url: str) -> str:
    """A URL fit for an error message: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


@functools.lru_cache(maxsize=64)
def _resolved(roots: tuple[Path, ...]) -> tuple[str, ...]:
    # Resolving touches the file system; roots are fixed for a process, so once is enough.
    return tuple(str(root.resolve()) for root in roots)


_ENV_FIELDS = {
    "data_dir": "path",
    "host": "str",
    "port": "str",
    "http_threads": "str",
    "media_roots": "paths",
    "log_level": "str",
    "sqlite_synchronous": "str",
    "render_workers": "str",
    "render_timeout_seconds": "str",
    "read_wait_seconds": "str",
    "job_lease_seconds": "str",
    "admin_key": "str",
    "signing_key": "str",
    "audit_checkpoint_events": "str",
    "audit_checkpoint_seconds": "str",
    "scan_workers": "str",
    "asset_workers": "str",
    "proxy_height": "str",
    "library_proxies": "str",
    "webhooks_allow_private": "str",
    "webhooks_timeout_seconds": "str",
    "webhooks_retry_base_seconds": "str",
    "webhooks_retry_max_seconds": "str",
    "webhooks_disable_after_failures": "str",
    "webhooks_workers": "str",
    "webhook_secrets_key": "str",
    "rate_limit": "str",
    "rate_limit_burst": "str",
    "event_store_url": "str",
    "postgres_pool_size": "str",
    "broker_url": "str",
    "broker_namespace": "str",
    "run_jobs": "str",
    "background": "str",
    "output_dir": "path",
}


def _parse(kind: str, value: str) -> object:
    if kind == "paths":
        return [Path(part) for part in value.split(":") if part]
    if kind == "path":
        return Path(value)
    return value
