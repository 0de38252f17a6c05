"""``wallboard export calls|statuses``: the store's rows over a period, streamed as CSV or
JSON lines, a few rows in memory at a time (server-side cursors on PostgreSQL, SQLite's
lazy cursor), whatever the period's size. The columns are documented in docs/store.md.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, tzinfo
from typing import IO, Any

from sqlalchemy import Connection, Select, or_, select

from wallboard.core.history import MISSED_AFTER_SECONDS
from wallboard.store import schema
from wallboard.store.schema import at, us

BATCH = 1000
"""Rows fetched from the database at a time."""

CALL_FIELDS = (
    "id", "employee_id", "employee_name", "type", "outcome", "client_number",
    "business_number", "routing_scheme", "queue_id", "started_at", "answered_at", "ended_at",
    "ring_seconds", "talk_seconds", "origin", "recording_url")
STATUS_FIELDS = ("employee_id", "employee_name", "account_id", "status", "start", "end",
                 "seconds")
FIELDS = {"calls": CALL_FIELDS, "statuses": STATUS_FIELDS}
FORMATS = ("csv", "jsonl")

Row = dict[str, Any]


def stream(connection: Connection, query: Select[Any]) -> Iterator[Any]:
    """The rows of ``query``, fetched :data:`BATCH` at a time, never all at once."""
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    try:
        yield from result
    finally:
        result.close()


def calls_query(start: datetime, end: datetime, employee: str | None) -> Select[Any]:
    """Finished calls that started in [start, end), oldest first."""
    calls, people = schema.calls, schema.employees
    query = (select(calls, people.c.name.label("employee_name"))
             .outerjoin(people, people.c.id == calls.c.employee_id)
             .where(calls.c.created_us >= us(start), calls.c.created_us < us(end),
                    calls.c.ended_us.is_not(None))
             .order_by(calls.c.created_us, calls.c.id))
    if employee is not None:
        query = query.where(calls.c.employee_id == employee)
    return query


def statuses_query(start: datetime, end: datetime, employee: str | None) -> Select[Any]:
    """Status intervals that overlap [start, end) (whole, not cut), oldest first."""
    statuses, people = schema.statuses, schema.employees
    query = (select(statuses, people.c.name.label("employee_name"))
             .outerjoin(people, people.c.id == statuses.c.employee_id)
             .where(statuses.c.start_us < us(end),
                    or_(statuses.c.end_us.is_(None), statuses.c.end_us > us(start)))
             .order_by(statuses.c.start_us, statuses.c.id))
    if employee is not None:
        query = query.where(statuses.c.employee_id == employee)
    return query


def call_row(row: Any, zone: tzinfo | None) -> Row:
    created, answered, ended = row.created_us, row.answered_us, row.ended_us
    ring_end = answered if answered is not None else ended
    ring = (ring_end - created) / 1e6
    if answered is not None:
        outcome = "answered"
    else:
        outcome = "missed" if ring > MISSED_AFTER_SECONDS else "short"
    return {
        "id": row.id, "employee_id": row.employee_id, "employee_name": row.employee_name,
        "type": row.type, "outcome": outcome, "client_number": row.client_number,
        "business_number": row.business_number, "routing_scheme": row.routing_scheme,
        "queue_id": row.queue_id, "started_at": moment(created, zone),
        "answered_at": moment(answered, zone), "ended_at": moment(ended, zone),
        "ring_seconds": seconds(max(0, ring_end - created)),
        "talk_seconds": seconds(max(0, ended - answered) if answered is not None else 0),
        "origin": row.origin, "recording_url": row.recording_url,
    }


def status_row(row: Any, zone: tzinfo | None) -> Row:
    end = row.end_us
    return {
        "employee_id": row.employee_id, "employee_name": row.employee_name,
        "account_id": row.account_id, "status": row.status, "start": moment(row.start_us, zone),
        "end": moment(end, zone), "seconds": None if end is None else seconds(end - row.start_us),
    }


def moment(micros: int | None, zone: tzinfo | None) -> str | None:
    """ISO 8601 with the zone's offset, to the millisecond."""
    if micros is None:
        return None
    return at(micros).astimezone(zone).isoformat(timespec="milliseconds")


def seconds(micros: int) -> float:
    return round(micros / 1e6, 3)


def export(connection: Connection, what: str, start: datetime, end: datetime,
           employee: str | None, zone: tzinfo | None) -> Iterator[Row]:
    """The rows of ``what`` (calls or statuses) over [start, end), one by one."""
    query, shape = ((calls_query, call_row) if what == "calls"
                    else (statuses_query, status_row))
    for row in stream(connection, query(start, end, employee)):
        yield shape(row, zone)


def writer(fmt: str, fields: tuple[str, ...], out: IO[str]) -> Callable[[Row], None]:
    """Write one row at a time: CSV (a header first; empty cells for nothing) or one JSON
    object per line (null for nothing)."""
    if fmt == "csv":
        table = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        table.writeheader()
        return table.writerow
    def line(row: Row) -> None:
        out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    return line


def write_all(rows: Iterable[Row], fmt: str, fields: tuple[str, ...], out: IO[str]) -> int:
    """Write ``rows`` to ``out`` as they come; how many."""
    write = writer(fmt, fields, out)
    count = 0
    for row in rows:
        write(row)
        count += 1
    return count
