"""Command line: ``wallboard`` (the board), ``wallboard serve`` (the feed), ``wallboard web``."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from wallboard import __version__
from wallboard.config import (
    Config,
    ConfigError,
    DemoSource,
    FeedSource,
    RingostatSource,
    load_config,
    resolve_config_path,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wallboard",
        description="A live wallboard of a call center: calls, managers, waiting times.",
    )
    parser.add_argument("--version", action="version", version=f"wallboard {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (TOML)")
    add_source_arguments(parser)
    parser.add_argument("--kiosk", action="store_true", help="wall-TV mode: big, read-only")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="re-export the configured source as an HTTP feed")
    add_source_arguments(serve, suppress=True)
    serve.add_argument("--source", choices=["demo", "config", "ringostat"], default="config",
                       help="what to serve: the demo, or the config's [source] (default); "
                            "ringostat: the config's, which must be kind = \"ringostat\"")
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8765)")

    web = sub.add_parser("web", help="serve the wallboard to browsers")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--token", default=None,
                     help="browsers must give it (?token=); required off loopback "
                          "(or $WALLBOARD_WEB_TOKEN)")
    return parser


def add_source_arguments(parser: argparse.ArgumentParser, suppress: bool = False) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--demo", action="store_true", default=default or False,
                        help="run on the built-in demo call center")
    parser.add_argument("--demo-calls", type=int, metavar="N", default=default,
                        help="demo: about N live calls")
    parser.add_argument("--demo-events", type=float, metavar="R", default=default,
                        help="demo: about R call events per second")
    parser.add_argument("--seed", type=int, default=default, help="demo: random seed")
    parser.add_argument("--url", default=default, help="read the feed of a `wallboard serve`")


def config_from_args(args: argparse.Namespace) -> Config:
    """The config file, then the command line's overrides on top."""
    path, required = resolve_config_path(args.config)
    config = load_config(path, required)
    if getattr(args, "source", None) == "ringostat" and not isinstance(
            config.source, RingostatSource):
        raise ConfigError(
            f"{path or 'no config file'}: `serve --source ringostat` needs [source] kind = "
            "\"ringostat\" with project_id, auth_key and webhook_secret (docs/ringostat.md).")
    demo_flags = any(
        getattr(args, name, None) is not None for name in ("demo_calls", "demo_events", "seed")
    )
    if getattr(args, "demo", False) or getattr(args, "source", None) == "demo" or (
        demo_flags and not getattr(args, "url", None)
    ):
        base = config.source if isinstance(config.source, DemoSource) else DemoSource()
        updates = {
            "calls": getattr(args, "demo_calls", None),
            "events_per_second": getattr(args, "demo_events", None),
            "seed": getattr(args, "seed", None),
        }
        source = base.model_copy(update={k: v for k, v in updates.items() if v is not None})
        demo = DemoSource.model_validate(source.model_dump())
        config = config.model_copy(update={"source": demo})
    elif getattr(args, "url", None):
        feed = config.source if isinstance(config.source, FeedSource) else None
        data = feed.model_dump() if feed else {"kind": "feed"}
        data["url"] = args.url
        config = config.model_copy(update={"source": FeedSource.model_validate(data)})
    if getattr(args, "kiosk", False):
        config = config.model_copy(update={"ui": config.ui.model_copy(update={"kiosk": True})})
    return config


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ConfigError as exc:
        print(f"wallboard: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a bad override, e.g. --demo-calls -1
        print(f"wallboard: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2

    if args.command == "serve":
        from wallboard.server.run import serve_main

        return serve_main(config, host=args.host, port=args.port)
    if args.command == "web":
        from wallboard.web import web_main

        return web_main(config, argv=list(argv or sys.argv[1:]), host=args.host, port=args.port,
                        token=args.token)

    with _startup():
        from wallboard.factory import create_app

        app = create_app(config)
    app.run()
    return app.return_code or 0


@contextmanager
def _startup() -> Iterator[None]:
    """Importing the UI and building the first state make objects that all stay: the
    collector is paused meanwhile (wasted scans, ~50 ms on a 5,000-call demo), and what was
    made is frozen out of later scans, for the weeks a wall board runs."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
