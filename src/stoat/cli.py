"""The ``stoat`` command line."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
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
        help="run the API, with its read models and (unless STOAT_RUN_JOBS=false) jobs in a "
        "companion process (in threads with STOAT_BACKGROUND=threads)",
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

    background = commands.add_parser(
        "background",
        help="the read models and jobs of `stoat serve`, which starts and stops it "
        "through its stdin",
    )
    _data_dir(background)
    background.add_argument(
        "--progress-fd",
        type=int,
        help="a pipe to write a byte to after each commit of the read models (set by serve)",
    )
    background.set_defaults(handler=_background)

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
    from stoat.serve import serve

    return serve(settings)


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    del args
    # A worker keeps read models too: a scan reads the library's to find what vanished.
    return _run_until_signal(settings, "worker", projections=True, jobs=True)


def _background(settings: Settings, args: argparse.Namespace) -> int:
    # Started by `stoat serve`, which talks to it through its stdin and hears of its
    # progress on another pipe (workers.companion).
    return _run_until_signal(
        settings,
        "background",
        projections=True,
        jobs=settings.run_jobs,
        until_stdin_ends=True,
        progress_fd=args.progress_fd,
    )


def _projections_run(settings: Settings, args: argparse.Namespace) -> int:
    del args
    return _run_until_signal(settings, "projections", projections=True, jobs=False)


def _run_until_signal(
    settings: Settings,
    role: str,
    *,
    projections: bool,
    jobs: bool,
    until_stdin_ends: bool = False,
    progress_fd: int | None = None,
) -> int:
    """Runs the background parts without the API until SIGINT or SIGTERM, or with
    ``until_stdin_ends``, until the parent says stop on stdin (or dies)."""
    from stoat.logs import configure_logging
    from stoat.runtime import Runtime
    from stoat.workers.companion import follow_parent, progress_reporter

    configure_logging(settings.log_level)
    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        del signum, frame
        stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    runtime = Runtime(settings)
    if progress_fd is not None:
        runtime.on_projected(progress_reporter(progress_fd))
    runtime.start(projections=projections, jobs=jobs)
    if until_stdin_ends:
        threading.Thread(
            target=follow_parent,
            args=(sys.stdin.fileno(), stopping, runtime.log_committed_elsewhere),
            name="stoat-parent",
            daemon=True,
        ).start()
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
