"""Assembling Stoat: the event store, read models, broker, dispatcher and workers.

The embedded default runs everything in one process: the API (uvicorn), the projection
runner, the dispatcher and a dramatiq worker, each in its own threads.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

import dramatiq
from eventsourcing.persistence import InfrastructureFactory

from stoat.audit.checkpointer import Checkpointer
from stoat.audit.signing import service_key
from stoat.commands.application import StoatApplication
from stoat.commands.keys import KeyRing, ensure_admin_key
from stoat.domain.context import system_context
from stoat.eventstore import ApswDatastore
from stoat.media.capabilities import xfade_transitions
from stoat.media.encoders import EncoderProbe
from stoat.media.probe import Prober
from stoat.observability.context import JobLogContext
from stoat.observability.metrics import attach_queues, detach_queues
from stoat.projections.broadcast import Broadcaster
from stoat.projections.follower import LogFollower
from stoat.projections.library_rebuild import rebuild_library
from stoat.projections.project_views import ProjectViews
from stoat.projections.views import ViewStore
from stoat.services import Services
from stoat.workers.broker import ApswBroker
from stoat.workers.dispatcher import JobBroker, library_dispatcher, render_dispatcher
from stoat.workers.leadership import Dispatcher, DispatchLeader
from stoat.workers.redis_broker import RedisJobBroker
from stoat.workers.render import MAX_ATTEMPTS, RenderRunner, TransientRenderError
from stoat.workers.scan import LIBRARY_SCAN_QUEUE, MEDIA_ASSETS_QUEUE, library_jobs
from stoat.workers.webhooks import WEBHOOK_QUEUE, WebhookJobs

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from eventsourcing.persistence import Notification

    from stoat.eventstore import ChainedLog
    from stoat.settings import Settings
    from stoat.workers.companion import Companion

RENDER_QUEUE = "renders"
# A rebuild replays the log in big transactions: fewer commits, faster index builds.
REBUILD_BATCH = 5000


def open_views(settings: Settings) -> ViewStore:
    # The read models are derived data, rebuilt from the log at will, and each update
    # commits with its tracking position: after a power loss they resume from the last
    # position that reached the disk. So they skip the per-commit fsync (NORMAL in WAL
    # mode is still crash-consistent) unless the whole store is configured below that.
    synchronous = (
        "NORMAL"
        if settings.sqlite_synchronous in {"FULL", "EXTRA"}
        else (settings.sqlite_synchronous)
    )
    env = {
        "PERSISTENCE_MODULE": "stoat.eventstore",
        "APSW_DBNAME": str(settings.views_db),
        "APSW_SYNCHRONOUS": synchronous,
    }
    factory: InfrastructureFactory[Any] = InfrastructureFactory.construct(env=env)
    views: ViewStore = factory.tracking_recorder(ViewStore)
    return views


def open_broker(settings: Settings) -> JobBroker:
    """The job queue: the embedded SQLite file, or Redis when ``broker_url`` is set."""
    if settings.broker_url is not None:
        return RedisJobBroker(
            settings.broker_url,
            namespace=settings.broker_namespace,
            lease_seconds=settings.job_lease_seconds,
        )
    return ApswBroker(
        settings.queue_db,
        synchronous=settings.sqlite_synchronous,
        lease_seconds=settings.job_lease_seconds,
    )


def _retry_transient(retries: int, error: Exception) -> bool:
    return isinstance(error, TransientRenderError) and retries < MAX_ATTEMPTS - 1


class Runtime:
    """Builds the services from settings; starts and stops the background parts."""

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        settings.renders_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        app = StoatApplication(env=settings.environment())
        self.services = Services(
            settings=settings,
            app=app,
            views=open_views(settings),
            prober=Prober(settings.ffprobe),
            keys=KeyRing(app),
            broadcaster=Broadcaster(app.recorder, app.mapper),
            transitions=xfade_transitions(settings.ffmpeg),
            encoders=EncoderProbe(settings.ffmpeg),
        )
        self.projection = ProjectViews(self.services.views, app.mapper)
        self.projector = LogFollower(
            "stoat-projections",
            app.recorder,
            position=self.projection.position,
            handle=self._project,
        )
        self._projected: Callable[[], None] | None = None
        self.broker = open_broker(settings)
        # Request id and job id in the worker's log context, from each message.
        self.broker.add_middleware(JobLogContext())
        runner = RenderRunner(self.services)
        self.render_actor: dramatiq.Actor[[str], None] = dramatiq.actor(
            actor_name="render_project",
            queue_name=RENDER_QUEUE,
            broker=self.broker,
            # Only transient failures are retried, with backoff; the job's own attempt
            # count (MAX_ATTEMPTS) bounds retries across crashes too.
            max_retries=MAX_ATTEMPTS - 1,
            retry_when=_retry_transient,
            min_backoff=1_000,
            max_backoff=30_000,
            time_limit=int((settings.render_timeout_seconds + 60) * 1000),
        )(runner.run)
        self.worker: dramatiq.Worker | None = None
        # The media library: scan and asset jobs.
        self.library = library_jobs(self.services, self.broker)
        self.library_worker: dramatiq.Worker | None = None
        # Webhooks: the delivery actor and its worker.
        self.webhooks = WebhookJobs(self.services, self.broker)
        # The dispatchers turn events into messages, in one process at a time on Redis.
        lease = self.broker.lease if isinstance(self.broker, RedisJobBroker) else None
        self.dispatchers = DispatchLeader(
            self._dispatchers, lease, check_seconds=settings.job_lease_seconds / 3
        )
        # The audit chain: the service's signing key (made on a first start) and the
        # thread that signs the chain head now and then.
        self.checkpointer = Checkpointer(
            app,
            service_key(settings),
            every_events=settings.audit_checkpoint_events,
            every_seconds=settings.audit_checkpoint_seconds,
        )
        # GET /metrics reads the queue depths from the broker at scrape time.
        queues = (RENDER_QUEUE, LIBRARY_SCAN_QUEUE, MEDIA_ASSETS_QUEUE, WEBHOOK_QUEUE)
        attach_queues(
            self.services,
            {name: functools.partial(self.broker.queue_depth, name) for name in queues},
        )

    def start(self, *, projections: bool = True, jobs: bool = True) -> None:
        if projections:
            self.projector.catch_up()
            self.projector.start()
        if jobs:
            self.services.encoders.start()
            self.dispatchers.start()
            self.worker = dramatiq.Worker(
                self.broker, queues={RENDER_QUEUE}, worker_threads=self.settings.render_workers
            )
            self.worker.start()
            self.library_worker = self.library.start_worker(self.broker)
            self.webhooks.start()
            # Signing runs beside the jobs: once per deployment's worker, not per API node.
            self.checkpointer.start()

    def _dispatchers(self) -> list[Dispatcher]:
        recorder = self.services.app.recorder
        return [
            render_dispatcher(recorder, self.broker, self.render_actor),
            library_dispatcher(
                recorder,
                self.broker,
                scan_actor=self.library.scan,
                assets_actor=self.library.assets,
            ),
            self.webhooks.dispatcher(),
        ]

    def on_projected(self, projected: Callable[[], None]) -> None:
        """Call ``projected`` after each batch the projector commits to the read models."""
        self._projected = projected

    def _project(self, notifications: Sequence[Notification]) -> None:
        self.projection.handle(notifications)
        if self._projected is not None:
            self._projected()

    def attach_companion(self, companion: Companion) -> None:
        """The process running the read models and jobs: a read that waits for the views
        wakes it, and the readiness check asks whether it runs."""
        self.services.views.when_behind(companion.nudge)
        self.services.readiness["background_process"] = lambda: companion.running

    def log_committed_elsewhere(self) -> None:
        """Someone waits for the views: wake this process's log followers to read what
        other processes appended. (Left alone, they look every poll interval, 50 ms,
        taking all that came meanwhile in one go; PostgreSQL notifies them itself.)"""
        datastore = getattr(self.services.app.recorder, "datastore", None)
        if isinstance(datastore, ApswDatastore):
            datastore.note_commit_elsewhere()

    def provision_admin_key(self) -> str | None:
        """Creates the admin key on a first start; returns its token only then."""
        return ensure_admin_key(
            self.services.app,
            self.settings.data_dir,
            self.settings.admin_key,
            system_context("first-start"),
        )

    def stop(self) -> None:
        detach_queues(self.services)
        self.checkpointer.stop()
        self.dispatchers.stop()
        self.webhooks.stop()
        if self.library_worker is not None:
            self.library_worker.stop(timeout=30_000)
            self.library_worker = None
        if self.worker is not None:
            self.worker.stop(timeout=30_000)
            self.worker = None
        self.projector.stop()
        self.services.broadcaster.stop()
        self.broker.close()
        self.services.views.close()
        self.services.app.close()

    def rebuild_projections(self) -> int:
        """Drops the read models and replays the whole log into them: the library's in
        bulk (:meth:`rebuild_library`), the others through the live projection."""
        views, app = self.services.views, self.services.app
        views.reset()
        others = ProjectViews(views, app.mapper, library=False)
        count = LogFollower(
            "stoat-rebuild",
            app.recorder,
            position=others.position,
            handle=others.handle,
            batch_size=REBUILD_BATCH,
        ).catch_up()
        self.rebuild_library()
        views.create_table()  # the indexes that reset() dropped
        return count

    def rebuild_library(self) -> int:
        """Replays the library's events into fresh library views, the other read models
        left as they are; returns how many events (see :mod:`library_rebuild`)."""
        recorder = cast("ChainedLog", self.services.app.recorder)
        return rebuild_library(self.services.views, recorder, self.services.app.mapper)
