"""``wallboard store import-cdr``: the days before the recorder began, from the PBX's own
records (Asterisk's ``cdr`` table, as cdr_pgsql or cdr_adaptive_odbc write it).

The CDR database is read through SQLAlchemy Core, read-only, a few hundred records at a
time (a server-side cursor on PostgreSQL) ordered by call, so a year of records never sits
in memory. Only records from ``--since`` up to the moment the recorder first ran (the
store's ``first_recorded_us``; now, if it never ran) are read: what the recorder saw is
never imported twice. Each call is inserted only if its id is new, so running the import
again adds nothing. The rules that turn records into calls are in
:mod:`wallboard.store.cdr_calls`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, create_engine, func, insert, select
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from wallboard.config import AriSource
from wallboard.sources.ari.directory import Directory, load_employees
from wallboard.store import queries, schema
from wallboard.store.cdr_calls import CallRules, Leg, Skip
from wallboard.store.db import Store, describe, engine_url

REQUIRED = ("calldate", "src", "dst", "dcontext", "channel", "dstchannel", "duration",
            "billsec", "uniqueid", "linkedid")
OPTIONAL = ("userfield",)
FETCH = 500
"""CDR records fetched at a time."""
BATCH = 500
"""Calls written to the store per transaction."""


class CdrError(Exception):
    """The import cannot go on, in one sentence (never with a password)."""


@dataclass
class ImportReport:
    start: datetime
    end: datetime
    records: int = 0
    added: int = 0
    known: int = 0
    unmapped: int = 0
    ignored: int = 0

    def sentence(self, where: str, table: str, zone: tzinfo | None) -> str:
        def day(moment: datetime) -> str:
            return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

        skipped = []
        if self.known:
            skipped.append(f"{self.known} already in the store")
        if self.unmapped:
            skipped.append(f"{self.unmapped} reached no mapped endpoint")
        if self.ignored:
            skipped.append(f"{self.ignored} in ignored contexts")
        more = f" ({'; '.join(skipped)})" if skipped else ""
        return (f"Imported {self.added} new call{'s' if self.added != 1 else ''}{more} from "
                f"{self.records} CDR records of {where} table {table}, {day(self.start)} to "
                f"{day(self.end)}.")


def rules_for(settings: AriSource) -> CallRules:
    """The endpoint map of the ARI source, loaded as the source loads it."""
    try:
        directory = Directory(load_employees(settings), settings.project)
    except Exception as exc:  # SourceError: the CSV, in one sentence
        raise CdrError(str(exc)) from None
    if not directory.endpoints:
        raise CdrError("The endpoint map is empty: add [[source.employees]] with endpoints "
                       "or employees_csv to the [source] section, so calls can be given to "
                       "managers.")
    return CallRules(settings, directory)


def import_cdr(url: str, store: Store, settings: AriSource, since: datetime,
               zone: tzinfo | None, *, table: str = "cdr", now: datetime | None = None
               ) -> ImportReport:
    """Read ``table`` at ``url`` from ``since`` to the recorder's start, add the new calls."""
    rules = rules_for(settings)
    first = store.run(queries.recorded_since)
    end = first or now or datetime.now(UTC)
    report = ImportReport(start=since, end=end)
    if since >= end:
        return report
    where = describe(url)
    try:
        engine = create_engine(cdr_engine_url(url))
    except ImportError as exc:
        raise CdrError(f"Cannot use the CDR database {where}: its driver ({exc.name}) is not "
                       "installed; wallboard reads PostgreSQL and SQLite CDR databases.") from None
    except (SQLAlchemyError, ValueError) as exc:
        raise CdrError(f"Cannot use the CDR database {where}: {reason(exc, url)}") from None
    try:
        cdr = reflect(engine, table, where, url)
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection = connection.execution_options(postgresql_readonly=True)
            batch: list[dict[str, Any]] = []
            for legs in calls_of(connection, cdr, since, end, zone):
                report.records += len(legs)
                try:
                    batch.append(rules.call(legs))
                except Skip as skip:
                    if str(skip) == "ignored":
                        report.ignored += 1
                    else:
                        report.unmapped += 1
                if len(batch) >= BATCH:
                    add(store, batch, report)
                    batch = []
            add(store, batch, report)
    except SQLAlchemyError as exc:
        raise CdrError(f"Reading the CDR database {where} failed: {reason(exc, url)}") from None
    finally:
        engine.dispose()
    return report


def cdr_engine_url(url: str) -> str:
    """The CDR database's URL for SQLAlchemy: postgresql:// (psycopg 3), a SQLite file (a
    path or sqlite:///path, which must exist), or any other SQLAlchemy URL whose driver is
    installed."""
    text_ = url.strip()
    scheme = text_.split("://", 1)[0] if "://" in text_ else ""
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        return engine_url(text_)
    if scheme and not scheme.startswith("sqlite"):
        return text_
    path = Path(text_.removeprefix("sqlite:///") if scheme else text_).expanduser()
    if not path.is_file():
        raise CdrError(f"There is no CDR database at {path}.")
    return f"sqlite:///{path}"


def reflect(engine: Any, table: str, where: str, url: str) -> Table:
    """The CDR table as it is, checked for the columns the import reads."""
    try:
        found = Table(table, MetaData(), autoload_with=engine)
    except NoSuchTableError:
        raise CdrError(f"The CDR database {where} has no table {table!r}; name it with "
                       "--table.") from None
    except SQLAlchemyError as exc:
        raise CdrError(f"Cannot read the CDR database {where}: {reason(exc, url)}") from None
    missing = [name for name in REQUIRED if name not in found.c]
    if missing:
        raise CdrError(f"The table {table!r} of {where} is not an Asterisk CDR table: it has "
                       f"no column {', '.join(missing)}.")
    return found


def calls_of(connection: Connection, cdr: Table, since: datetime, end: datetime,
             zone: tzinfo | None) -> Iterator[list[Leg]]:
    """The records from ``since`` to ``end``, grouped by call, a call at a time."""
    aware = bool(getattr(cdr.c.calldate.type, "timezone", False))

    def bound(moment: datetime) -> datetime:
        return moment if aware else moment.astimezone(zone).replace(tzinfo=None)

    key = func.coalesce(func.nullif(cdr.c.linkedid, ""), cdr.c.uniqueid).label("call_key")
    columns: list[Column[Any]] = [cdr.c[name] for name in (*REQUIRED, *OPTIONAL)
                                  if name in cdr.c]
    query = (select(key, *columns)
             .where(cdr.c.calldate >= bound(since), cdr.c.calldate < bound(end))
             .order_by(key, cdr.c.calldate, cdr.c.uniqueid))
    result = connection.execution_options(stream_results=True, yield_per=FETCH).execute(query)
    try:
        for _, rows in itertools.groupby(result, key=lambda row: row.call_key):
            yield [leg(row, zone) for row in rows]
    finally:
        result.close()


def leg(row: Any, zone: tzinfo | None) -> Leg:
    moment: datetime = row.calldate
    if moment.tzinfo is None:  # a "timestamp without time zone": the PBX's wall clock
        moment = moment.astimezone() if zone is None else moment.replace(tzinfo=zone)
    mapping = row._mapping
    return Leg(
        calldate=moment.astimezone(UTC), src=text(row.src), dst=text(row.dst),
        dcontext=text(row.dcontext), channel=text(row.channel),
        dstchannel=text(row.dstchannel), duration=float(row.duration or 0),
        billsec=float(row.billsec or 0), uniqueid=text(row.uniqueid),
        linkedid=text(row.linkedid), userfield=text(mapping.get("userfield")))


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def add(store: Store, rows: list[dict[str, Any]], report: ImportReport) -> None:
    """Insert the calls whose id the store does not know yet."""
    if not rows:
        return

    def work(connection: Connection) -> int:
        calls = schema.calls
        ids = [row["id"] for row in rows]
        known = set(connection.execute(select(calls.c.id).where(calls.c.id.in_(ids))).scalars())
        fresh = {row["id"]: row for row in rows if row["id"] not in known}
        if fresh:
            connection.execute(insert(calls), list(fresh.values()))
        return len(fresh)

    added = store.run(work)
    report.added += added
    report.known += len(rows) - added


def reason(exc: BaseException, url: str) -> str:
    """The first line of the driver's complaint, without the URL's password."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines() or [type(cause).__name__]
    said = lines[0].rstrip(".")[:200]
    if "@" in url and "://" in url:
        secret = url.split("://", 1)[1].rsplit("@", 1)[0].partition(":")[2]
        if secret:
            said = said.replace(secret, "***")
    return said + "."

