"""``wallboard store import-cdr|copy`` and ``wallboard export calls|statuses``: the history
store from the command line (docs/store.md).

This module only parses; the work is in :mod:`wallboard.store`, imported when a command
runs (SQLAlchemy costs the board's start a fifth of a second otherwise). Every problem is
one line naming what to fix, exit status 2, never a traceback and never a password.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import IO, Any

from wallboard.config import AriSource, Config, ConfigError

COMMANDS = ("store", "export")
EXPORT_FORMATS = ("csv", "jsonl")


def add_store_commands(sub: argparse._SubParsersAction[Any]) -> None:
    """The ``store`` and ``export`` subcommands, on the main parser's subparsers."""
    store = sub.add_parser("store", help="the history store: import the PBX's call records, "
                                         "copy it to another database")
    verbs = store.add_subparsers(dest="store_command", required=True,
                                 metavar="{import-cdr,copy}")
    cdr = verbs.add_parser(
        "import-cdr", help="the days before the recorder began, from Asterisk's CDR table")
    cdr.add_argument("--url", dest="cdr_url", required=True, metavar="URL",
                     help="the CDR database, e.g. postgresql://asterisk@pbx/asteriskcdrdb "
                          "(the password from PGPASSWORD or ~/.pgpass)")
    cdr.add_argument("--since", required=True, metavar="DATE",
                     help="the first day to import, e.g. 2026-11-01")
    cdr.add_argument("--table", default="cdr", help="the CDR table (default cdr)")
    cdr.add_argument("--timezone", metavar="ZONE",
                     help="the PBX's zone, for --since and a calldate stored without one "
                          "(default: [ui] timezone, else this machine's)")
    _common(cdr)
    copy = verbs.add_parser("copy", help="copy the whole history into another, empty store "
                                         "(e.g. from SQLite to PostgreSQL)")
    copy.add_argument("--from", dest="source_url", required=True, metavar="URL")
    copy.add_argument("--to", dest="target_url", required=True, metavar="URL")
    copy.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                      help="config file (TOML)")

    export = sub.add_parser("export", help="recorded calls or status intervals as CSV or "
                                           "JSON lines")
    export.add_argument("what", choices=["calls", "statuses"])
    export.add_argument("--from", dest="start", required=True, metavar="WHEN",
                        help="e.g. 2026-11-30 or 2026-11-30T08:00 (local time)")
    export.add_argument("--to", dest="end", default="now", metavar="WHEN",
                        help="the end, not included (default now)")
    export.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    export.add_argument("--employee", metavar="ID", help="one manager's rows only")
    export.add_argument("--output", "-o", metavar="FILE", help="write to FILE (default stdout)")
    _common(export)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", dest="store_url", metavar="URL",
                        help="the history store (default: [store] url)")
    parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help="config file (TOML)")


class CommandError(Exception):
    """A store command cannot go on, in one sentence."""


def store_main(args: argparse.Namespace, config: Config) -> int:
    """Run ``store …`` or ``export …``; the exit status."""
    from wallboard.logs import redact
    from wallboard.store import StoreError
    from wallboard.store.cdr import CdrError

    prog = "wallboard export" if args.command == "export" else "wallboard store"
    try:
        if args.command == "export":
            return _export(args, config)
        if args.store_command == "import-cdr":
            return _import_cdr(args, config)
        return _copy(args)
    except (CommandError, ConfigError, StoreError, CdrError) as exc:
        print(f"{prog}: {redact(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `| head`: the reader has seen enough
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted.", file=sys.stderr)
        return 130


# -- the commands -----------------------------------------------------------------------------
def _export(args: argparse.Namespace, config: Config) -> int:
    from wallboard.store.copy import open_existing
    from wallboard.store.export import FIELDS, export, write_all

    zone = _zone(config.ui.timezone, "[ui] timezone")
    start = parse_moment(args.start, zone, "--from")
    end = parse_moment(args.end, zone, "--to")
    if end <= start:
        raise CommandError(f"--to {args.end} must be after --from {args.start}.")
    store = open_existing(_store_url(args, config))
    try:
        with _output(args.output) as out:
            count = store.run(lambda c: write_all(
                export(c, args.what, start, end, args.employee, zone), args.format,
                FIELDS[args.what], out))
    finally:
        store.close()
    if args.output:
        print(f"Exported {count:,} {args.what} to {args.output}.", file=sys.stderr)
    return 0


def _import_cdr(args: argparse.Namespace, config: Config) -> int:
    from wallboard.store import open_store
    from wallboard.store.cdr import import_cdr
    from wallboard.store.db import describe

    if not isinstance(config.source, AriSource):
        raise CommandError(
            "import-cdr gives calls to managers through the ARI source's endpoint map: set "
            "[source] kind = \"ari\" with [[source.employees]] or employees_csv in the config "
            "(--config PATH).")
    zone = _zone(args.timezone or config.ui.timezone,
                 "--timezone" if args.timezone else "[ui] timezone")
    since = parse_moment(args.since, zone, "--since")
    store = open_store(_store_url(args, config))
    try:
        report = import_cdr(args.cdr_url, store, config.source, since, zone, table=args.table)
    finally:
        store.close()
    print(report.sentence(describe(args.cdr_url), args.table, zone), file=sys.stderr)
    return 0


def _copy(args: argparse.Namespace) -> int:
    from wallboard.store import open_store
    from wallboard.store.copy import copy_store, open_existing

    if args.source_url.strip() == args.target_url.strip():
        raise CommandError("--from and --to name the same store.")
    source = open_existing(args.source_url)
    try:
        target = open_store(args.target_url)
        try:
            report = copy_store(source, target)
        finally:
            target.close()
    finally:
        source.close()
    print(report.sentence(source.where, target.where), file=sys.stderr)
    return 0


# -- helpers ----------------------------------------------------------------------------------
def _store_url(args: argparse.Namespace, config: Config) -> str:
    from wallboard.factory import store_url

    if args.store_url:
        return str(args.store_url)
    url = store_url(config)
    if url is None:
        raise CommandError("No history store is configured ([store] url is off, or the board "
                           "follows a feed whose server keeps the history); name one with "
                           "--store URL.")
    if url == "memory":
        raise CommandError("The demo keeps its history in memory only; name a store with "
                           "--store URL.")
    return url


def _zone(name: str | None, origin: str) -> tzinfo | None:
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandError(f"{origin}: {name!r} is not a known time zone; use an IANA name "
                           "such as Europe/Warsaw.") from None


def parse_moment(value: str, zone: tzinfo | None, option: str) -> datetime:
    """``now``, a date (its local midnight) or an ISO date and time (local unless it has
    an offset), in UTC."""
    from wallboard.core.profile import wall_time

    text = value.strip()
    if text == "now":
        return datetime.now(UTC)
    try:
        moment = (datetime.combine(date.fromisoformat(text), time()) if len(text) == 10
                  else datetime.fromisoformat(text))
    except ValueError:
        raise CommandError(f"{option} {value}: not a date; use 2026-11-30 or "
                           "2026-11-30T08:00 (local time), or add an offset.") from None
    if not 2000 <= moment.year < 2100:
        raise CommandError(f"{option} {value}: dates must be between 2000 and 2100.")
    if moment.tzinfo is None:
        moment = wall_time(moment.date(), moment.time(), zone)
    return moment.astimezone(UTC)


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    """stdout, or ``path`` written under a temporary name and renamed when complete."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    final = Path(path)
    partial = final.with_name(final.name + ".part")
    try:
        handle = partial.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"{path}: cannot write ({exc.strerror}).") from None
    try:
        with handle:
            yield handle
        partial.replace(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
