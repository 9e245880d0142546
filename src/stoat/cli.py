"""The ``stoat`` command line."""

from __future__ import annotations

import argparse
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stoat.settings import Settings, SettingsError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from stoat.commands.application import StoatApplication


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(
            data_dir=getattr(args, "data_dir", None),
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
        )
    except SettingsError as error:
        parser.error(str(error))
    handler = args.handler
    return int(handler(settings, args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stoat", description="Stoat video-editing backend")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the API with its read models, and the jobs unless STOAT_RUN_JOBS=false",
    )
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    _data_dir(serve)
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser(
        "worker", help="run the job dispatchers and workers (renders, scans, webhooks)"
    )
    _data_dir(worker)
    worker.set_defaults(handler=_worker)

    _keys_parser(commands)
    _audit_parser(commands)

    projections = commands.add_parser("projections", help="manage the read models")
    actions = projections.add_subparsers(required=True, metavar="ACTION")
    rebuild = actions.add_parser("rebuild", help="drop the read models and replay the log")
    rebuild.add_argument(
        "--only",
        choices=["library"],
        help="rebuild only this read model (the others are left as they are)",
    )
    _data_dir(rebuild)
    rebuild.set_defaults(handler=_rebuild)
    run = actions.add_parser("run", help="keep this node's read models following the log")
    _data_dir(run)
    run.set_defaults(handler=_projections_run)
    return parser


def _keys_parser(commands: Any) -> None:
    keys = commands.add_parser("keys", help="manage API keys")
    actions = keys.add_subparsers(required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key and print its secret once")
    create.add_argument("--name", required=True)
    create.add_argument("--scopes", required=True, help="comma-separated: read,edit,render,admin")
    _data_dir(create)
    create.set_defaults(handler=_keys_create)
    listing = actions.add_parser("list", help="list keys (never their secrets)")
    _data_dir(listing)
    listing.set_defaults(handler=_keys_list)
    revoke = actions.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id")
    _data_dir(revoke)
    revoke.set_defaults(handler=_keys_revoke)


def _audit_parser(commands: Any) -> None:
    audit = commands.add_parser("audit", help="check the tamper-evident event log")
    actions = audit.add_subparsers(required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="recompute the hash chain and check the signed checkpoints"
    )
    verify.add_argument(
        "--public-key",
        action="append",
        default=[],
        help="trust this base64 Ed25519 key (default: the data dir's signing key)",
    )
    verify.add_argument(
        "--expect",
        action="append",
        default=[],
        metavar="POSITION:HEAD",
        help="also check a chain head kept elsewhere",
    )
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    _data_dir(verify)
    verify.set_defaults(handler=_audit_verify)


def _audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from stoat.audit.cli import verify_command

    with _application(settings) as app:
        return verify_command(app, settings, args.public_key, args.expect, as_json=args.json)


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="where data lives (default ./data)")


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    del args
    from concurrent.futures import ThreadPoolExecutor

    import uvicorn
    from litestar.concurrency import set_asyncio_executor

    from stoat.http.app import create_app
    from stoat.logs import configure_logging
    from stoat.runtime import Runtime

    configure_logging(settings.log_level)
    # Uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again; with
    # these handlers that second raise returns, so the workers and stores are stopped below.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _ignore_signal)
    runtime = Runtime(settings)
    admin_key = runtime.provision_admin_key()
    if admin_key is not None:
        print(
            f"stoat: created the admin key (also in {settings.data_dir / 'admin.key'}):\n"
            f"  {admin_key}",
            file=sys.stderr,
        )
    runtime.start(jobs=settings.run_jobs)
    try:
        print(
            f"stoat: serving on http://{settings.host}:{settings.port} "
            f"({settings.mode}; data in {settings.data_dir.resolve()}"
            f"{'' if settings.run_jobs else '; jobs run elsewhere'})",
            file=sys.stderr,
        )
        # Litestar runs sync handlers on asyncio's default executor otherwise: CPUs + 4
        # threads, so on 2 CPUs 6 requests at once, and a handler waiting for a read
        # model or a commit held one of them.
        set_asyncio_executor(
            ThreadPoolExecutor(settings.http_threads, thread_name_prefix="stoat-http")
        )
        uvicorn.run(
            create_app(runtime.services),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            access_log=False,
        )
    finally:
        runtime.stop()
    return 0


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    del args
    # A worker keeps read models too: a scan reads the library's to find what vanished.
    return _run_until_signal(settings, "worker", projections=True, jobs=True)


def _projections_run(settings: Settings, args: argparse.Namespace) -> int:
    del args
    return _run_until_signal(settings, "projections", projections=True, jobs=False)


def _run_until_signal(settings: Settings, role: str, *, projections: bool, jobs: bool) -> int:
    """Runs the background parts without the API until SIGINT or SIGTERM."""
    import threading

    from stoat.logs import configure_logging
    from stoat.runtime import Runtime

    configure_logging(settings.log_level)
    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        del signum, frame
        stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    runtime = Runtime(settings)
    runtime.start(projections=projections, jobs=jobs)
    print(
        f"stoat: {role} running ({settings.mode}; read models in {settings.views_db})",
        file=sys.stderr,
    )
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        # Stopping waits for the jobs in flight (up to 30 s), then requeues the rest.
        runtime.stop()
    return 0


def _keys_create(settings: Settings, args: argparse.Namespace) -> int:
    from stoat.commands.keys import create_key
    from stoat.domain.context import system_context
    from stoat.errors import Rejected

    with _application(settings) as app:
        scopes = [scope.strip() for scope in args.scopes.split(",") if scope.strip()]
        try:
            token, result = create_key(
                app, name=args.name, scopes=scopes, context=system_context("cli")
            )
        except Rejected as error:
            for item in error.errors():
                print(f"stoat: {item['msg']}; {item['hint']}", file=sys.stderr)
            return 2
    print(f"id: {result.id}\nkey: {token}")
    return 0


def _keys_list(settings: Settings, args: argparse.Namespace) -> int:
    del args
    from stoat.commands.keys import list_keys

    with _application(settings) as app:
        for key in list_keys(app):
            state = "revoked" if key["revoked"] else "active"
            scopes = ",".join(key["scopes"])
            print(f"{key['id']}  {state:8}  {scopes:24}  {key['name']}")
    return 0


def _keys_revoke(settings: Settings, args: argparse.Namespace) -> int:
    from stoat.commands.keys import revoke_key
    from stoat.domain.context import system_context
    from stoat.errors import NotFound

    with _application(settings) as app:
        try:
            revoke_key(app, args.key_id, system_context("cli"))
        except NotFound as error:
            print(f"stoat: {error}", file=sys.stderr)
            return 1
    print(f"revoked {args.key_id}")
    return 0


@contextmanager
def _application(settings: Settings) -> Iterator[StoatApplication]:
    from stoat.commands.application import StoatApplication

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = StoatApplication(env=settings.environment())
    try:
        yield app
    finally:
        app.close()


def _ignore_signal(signum: int, frame: object) -> None:
    del signum, frame


def _rebuild(settings: Settings, args: argparse.Namespace) -> int:
    from stoat.runtime import Runtime

    runtime = Runtime(settings)
    try:
        if args.only == "library":
            count = runtime.rebuild_library()
        else:
            count = runtime.rebuild_projections()
    finally:
        runtime.stop()
    what = "the library" if args.only else "the read models"
    print(f"stoat: rebuilt {what} from {count} events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
