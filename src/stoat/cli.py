"""The ``stoat`` command line."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from stoat.settings import Settings, SettingsError

if TYPE_CHECKING:
    from collections.abc import Sequence


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
    return int(handler(settings))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stoat", description="Stoat video-editing backend")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run API, projections and workers in one process")
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    _data_dir(serve)
    serve.set_defaults(handler=_serve)

    projections = commands.add_parser("projections", help="manage the read models")
    actions = projections.add_subparsers(required=True, metavar="ACTION")
    rebuild = actions.add_parser("rebuild", help="drop the read models and replay the log")
    _data_dir(rebuild)
    rebuild.set_defaults(handler=_rebuild)
    return parser


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="where data lives (default ./data)")


def _serve(settings: Settings) -> int:
    import uvicorn

    from stoat.http.app import create_app
    from stoat.logs import configure_logging
    from stoat.runtime import Runtime

    configure_logging(settings.log_level)
    # Uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again; with
    # these handlers that second raise returns, so the workers and stores are stopped below.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _ignore_signal)
    runtime = Runtime(settings)
    runtime.start()
    try:
        print(
            f"stoat: serving on http://{settings.host}:{settings.port} "
            f"(data in {settings.data_dir.resolve()})",
            file=sys.stderr,
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


def _ignore_signal(signum: int, frame: object) -> None:
    del signum, frame


def _rebuild(settings: Settings) -> int:
    from stoat.runtime import Runtime

    runtime = Runtime(settings)
    try:
        count = runtime.rebuild_projections()
    finally:
        runtime.stop()
    print(f"stoat: rebuilt the read models from {count} events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
