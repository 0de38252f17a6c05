"""Command line: ``wallboard`` (the board), ``wallboard serve`` (the feed), ``wallboard web``,
``wallboard ingest`` (a PBX onto a stream), ``wallboard config path|check``.

Every mistake a user can make on the command line or in the config file ends in one line
naming the option or the file and the problem, and exit status 2: never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from pydantic import ValidationError

from wallboard import __version__
from wallboard.config import (
    Config,
    ConfigError,
    DemoSource,
    FeedSource,
    RingostatSource,
    describe_validation_error,
    load_config,
    resolve_config_path,
)
from wallboard.i18n import LANGUAGES, _, activate, choose_language
from wallboard.store_commands import COMMANDS as STORE_COMMANDS
from wallboard.store_commands import add_store_commands

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


class Parser(argparse.ArgumentParser):
    """argparse, with its errors in one line (the usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, _("{prog}: {message} (see {prog} --help).").format(
            prog=self.prog, message=message) + "\n")


class Formatter(argparse.HelpFormatter):
    """argparse's help, with its ``usage:`` in the board's language."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any,
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="wallboard",
        formatter_class=Formatter,
        description=_("A live wallboard of a call center: calls, managers, waiting times."),
    )
    parser.add_argument("--version", action="version", version=f"wallboard {__version__}")
    parser.add_argument("--config", metavar="PATH", help=_("config file (TOML)"))
    parser.add_argument("--lang", choices=sorted(LANGUAGES), default=None,
                        help=_("the language of the board (en, pl, uk) when the config's "
                               "ui.language does not say; default: the locale (LC_ALL, "
                               "LC_MESSAGES, LANG), else English"))
    add_source_arguments(parser)
    parser.add_argument("--kiosk", action="store_true", help=_("wall-TV mode: big, read-only"))
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help=_("re-export the configured source as an HTTP feed"))
    add_source_arguments(serve, suppress=True)
    serve.add_argument("--source", choices=["demo", "config", "ringostat"], default="config",
                       help=_("what to serve: the demo, or the config's [source] (default); "
                            "ringostat: the config's, which must be kind = \"ringostat\""))
    serve.add_argument("--host", default=None, help=_("address to bind (default 127.0.0.1)"))
    serve.add_argument("--port", type=int, default=None, help=_("port (default 8765)"))
    serve.add_argument("--bus", nargs="?", const="", default=None, metavar="URL",
                       help=_("a replica: build the board from the streams of this Redis "
                            "(default: [bus] url or $WALLBOARD_BUS_URL) instead of a source"))
    add_bus_arguments(serve, several=True)

    ingest = sub.add_parser("ingest", help=_("publish the configured source to a stream of the "
                                           "bus (one per PBX; run two, one leads)"))
    add_source_arguments(ingest, suppress=True)
    ingest.add_argument("--bus", default=None, metavar="URL",
                        help=_("the Redis server (default: [bus] url or $WALLBOARD_BUS_URL)"))
    ingest.add_argument("--site", default=None, metavar="NAME",
                        help=_("qualify every id with this site's name, so boards can merge "
                             "several PBXs"))
    add_bus_arguments(ingest, several=False)

    web = sub.add_parser("web", help=_("serve the wallboard to browsers"))
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--token", default=None,
                     help=_("browsers must give it (?token=); required off loopback "
                          "(or $WALLBOARD_WEB_TOKEN)"))

    replay = sub.add_parser("replay", help=_("play a recorded period back on the board"))
    replay.add_argument("--from", dest="start", required=True, metavar="TIME",
                        help=_("where to start, e.g. 2026-11-30T08:00 (local time, or with "
                             "a zone)"))
    replay.add_argument("--to", dest="end", metavar="TIME",
                        help=_("where to stop (default: the end of the recording)"))
    replay.add_argument("--speed", type=float, default=10.0,
                        help=_("times real time (default 10; [ and ] change it)"))
    replay.add_argument("--store", metavar="URL",
                        help=_("the history store (default: the config's [store] url)"))

    config = sub.add_parser("config", help=_("where the config file is looked for; check one"))
    config_sub = config.add_subparsers(dest="config_command", required=True,
                                       metavar="{path,check}")
    config_sub.add_parser("path", help=_("where the config is looked for and which file is used"))
    check = config_sub.add_parser("check", help=_("validate a config file (exit 0 or 2)"))
    check.add_argument("file", nargs="?", help=_("the file (default: the one that is used)"))
    add_store_commands(sub)
    return parser


def add_bus_arguments(parser: argparse.ArgumentParser, several: bool) -> None:
    if several:
        parser.add_argument("--stream", action="append", default=None, metavar="NAME",
                            help=_("a stream (site) to follow; give it once per site to merge "
                                 "them (default: [bus] streams)"))
    else:
        parser.add_argument("--stream", default=None, metavar="NAME",
                            help=_("the stream to publish to (default: the site, else main)"))
    parser.add_argument("--store", default=None, metavar="URL",
                        help=_("the history store ({stream} is replaced by the stream's name), "
                             "e.g. postgresql://wb@db/wallboard_{stream}"))


M = TypeVar("M", DemoSource, FeedSource)

OPTIONS = {"calls": "--demo-calls", "events_per_second": "--demo-events", "seed": "--seed",
           "url": "--url", "urls": "--url"}
"""The command-line option behind each overridden source setting."""


def add_source_arguments(parser: argparse.ArgumentParser, suppress: bool = False) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--demo", action="store_true", default=default or False,
                        help=_("run on the built-in demo call center"))
    parser.add_argument("--demo-calls", type=int, metavar="N", default=default,
                        help=_("demo: about N live calls"))
    parser.add_argument("--demo-events", type=float, metavar="R", default=default,
                        help=_("demo: about R call events per second"))
    parser.add_argument("--seed", type=int, default=default, help=_("demo: random seed"))
    parser.add_argument("--url", action="append", default=default,
                        help=_("read the feed of a `wallboard serve` (twice or more: replicas, "
                             "tried in turn)"))


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
        demo = _override(DemoSource, source.model_dump())
        config = config.model_copy(update={"source": demo})
    elif getattr(args, "url", None):
        feed = config.source if isinstance(config.source, FeedSource) else None
        data = feed.model_dump() if feed else {"kind": "feed"}
        data["url"], data["urls"] = args.url[0], args.url[1:]
        config = config.model_copy(update={"source": _override(FeedSource, data)})
    config = bus_from_args(config, args)
    if getattr(args, "kiosk", False):
        config = config.model_copy(update={"ui": config.ui.model_copy(update={"kiosk": True})})
    return config


def bus_from_args(config: Config, args: argparse.Namespace) -> Config:
    """``--bus``, ``--stream``, ``--site``, ``--store`` over the config's [bus] and [store]."""
    updates: dict[str, Any] = {}
    if getattr(args, "bus", None):
        updates["url"] = args.bus
    stream = getattr(args, "stream", None)
    if isinstance(stream, list):
        updates["streams"] = stream
    elif stream is not None:
        updates["stream"] = stream
    if getattr(args, "site", None) is not None:
        updates["site"] = args.site
    if updates:
        data = {**config.bus.model_dump(), **updates}
        try:
            bus = type(config.bus).model_validate(data)
        except ValidationError as exc:
            field = str(exc.errors()[0]["loc"][0])
            option = {"streams": "--stream", "stream": "--stream", "site": "--site"}.get(
                field, f"--{field}")
            problem = describe_validation_error(exc).split(": ", 1)[-1]
            raise ConfigError(f"{option}: {problem}") from None
        config = config.model_copy(update={"bus": bus})
    if getattr(args, "store", None):
        store = config.store.model_copy(update={"url": args.store})
        config = config.model_copy(update={"store": store})
    return config


def _override(model: type[M], data: Mapping[str, Any]) -> M:
    """The source with the command line's values; a bad one is named by its option."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else ""
        option = OPTIONS.get(field)
        if option is None:
            raise
        problem = describe_validation_error(exc).split(": ", 1)[-1]
        named = option if field in ("url", "urls") else f"{option} {data.get(field)}"
        raise ConfigError(f"{named}: {problem}") from None


def check_config(config: Config, args: argparse.Namespace) -> None:
    """What the schema cannot say: key binding ids (the board's, also in each browser tab),
    and the strength of the feed server's token, wherever it is set."""
    if args.command in (None, "web"):
        from wallboard.config_commands import check_keys

        path, _ = resolve_config_path(args.config)
        check_keys(config.keys, str(path or "config"))
    if args.command == "serve":
        from wallboard.server.auth import server_tokens

        server_tokens(config.server)


def early_language(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """The language, chosen before the command line is parsed (its help and errors are
    said in it): ``ui.language`` of the config that will be used, else ``--lang``, else the
    locale. A config that cannot be read here is reported later, in these words."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--config")
    early.add_argument("--lang")
    known, _rest = early.parse_known_args(argv)
    configured = None
    with contextlib.suppress(Exception):
        path, required = resolve_config_path(known.config)
        configured = load_config(path, required).ui.language
    flag = known.lang if known.lang in LANGUAGES else None
    return choose_language(configured, flag, environ)


def with_language(config: Config, args: argparse.Namespace,
                  environ: Mapping[str, str]) -> Config:
    """``config`` with its ``ui.language`` decided (:func:`choose_language`), so the app
    factory and each ``wallboard web`` tab use that one."""
    language = choose_language(config.ui.language, getattr(args, "lang", None), environ)
    return config.model_copy(update={"ui": config.ui.model_copy(update={"language": language})})


def main(argv: Sequence[str] | None = None) -> int:
    from wallboard.logs import LogSettingError, configure_logging, install_redaction, log_level

    install_redaction()  # no secret in any log line of this process, whatever logs it
    words = list(sys.argv[1:] if argv is None else argv)
    activate(early_language(words, os.environ))
    parser = build_parser()
    args = parser.parse_args(words)
    if args.command == "config":
        from wallboard.config_commands import config_main

        return config_main(args.config_command, getattr(args, "file", None), args.config)
    try:
        config = with_language(config_from_args(args), args, os.environ)
        check_config(config, args)
        log_level()  # a bad $WALLBOARD_LOG_LEVEL is one line too
    except (ConfigError, LogSettingError) as exc:
        print(f"wallboard: {exc}", file=sys.stderr)
        return 2
    activate(config.ui.language)

    if args.command in STORE_COMMANDS:
        from wallboard.store_commands import store_main

        return store_main(args, config)
    if args.command == "serve":
        from wallboard.server.run import serve_main

        return serve_main(config, host=args.host, port=args.port, bus=args.bus is not None)
    if args.command == "ingest":
        from wallboard.bus.run import ingest_main

        return ingest_main(config)
    if args.command in (None, "replay"):  # the screen is stderr: a log only to a file
        configure_logging(terminal=True)
    if args.command == "replay":
        from wallboard.replay import replay_main

        return replay_main(config, start=args.start, end=args.end, speed=args.speed,
                           store=args.store, run=_run_board)
    if args.command == "web":
        from wallboard.web import web_main

        return web_main(config, argv=words, host=args.host, port=args.port, token=args.token)

    with _startup():
        from wallboard.factory import create_app

        app = create_app(config)
    asyncio.run(_run_board(app))
    return app.return_code or 0


async def _run_board(app: WallboardApp) -> None:
    """Run the board; SIGTERM and SIGHUP (a closed terminal, a dropped SSH link, a closed
    browser tab) quit it the way ``q`` does, so running listen sessions are ended and
    their last audit line written."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, app.exit)
    await app.run_async()


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
