"""``wallboard store copy --from URL --to URL``: a whole history moved to another store,
e.g. from the default SQLite file to the PostgreSQL server an HA pair shares.

Every table is read a batch at a time and written into the new store in one transaction:
the copy is complete or absent, never half done. The new store must be empty, and no
recorder may be writing the old one (its heartbeat is fresh): stop ``wallboard serve`` (or
the board) first. Ids are kept, and PostgreSQL's sequences are moved past them, so the
recorder carries on in the new store; the last heartbeat is kept too, so the time between
the copy and the next start is recorded as unknown, as after any stop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pydantic_core
from sqlalchemy import Connection, Table, func, insert, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from wallboard.store import schema
from wallboard.store.db import Store, StoreError, _reason, describe, engine_url, set_meta
from wallboard.store.journal import JournalError
from wallboard.store.recorder import LOCK, STALE_SECONDS, STOPPED, unapplied

BATCH = 1000
KEPT_META = ("schema_version", "created")
"""Meta rows the new store writes itself."""
HISTORY = (schema.employees, schema.calls, schema.call_changes, schema.statuses,
           schema.listen_sessions, *schema.SCHEMA_2, schema.journal)
"""The journal too: what a killed recorder had not applied yet is applied by the first
recorder on the copy."""
NAMES = {"wb_calls": ("call", "calls"), "wb_call_changes": ("call change", "call changes"),
         "wb_statuses": ("status interval", "status intervals"),
         "wb_employees": ("manager", "managers"),
         "wb_listen_sessions": ("listen session", "listen sessions")}
SERIALS = ((schema.call_changes, "seq"), (schema.statuses, "id"),
           (schema.queue_outcomes, "seq"), (schema.agent_states, "id"),
           (schema.journal, "seq"))


def open_existing(url: str) -> Store:
    """A store that already holds a history (opened, upgraded if older); StoreError if
    there is none at ``url``, rather than a new empty one."""
    target = engine_url(url)
    where = describe(url)
    if target.startswith("sqlite:///") and "mode=memory" not in target:
        path = Path(target.removeprefix("sqlite:///"))
        if not path.is_file():
            raise StoreError(f"There is no history store at {path}.")
    store = Store(url)
    try:
        try:
            with store.engine.connect() as connection:
                found = inspect(connection).has_table(schema.meta.name)
        except SQLAlchemyError as exc:
            raise StoreError(f"Cannot open the history store {where}: {_reason(exc)}") from None
        if not found:
            raise StoreError(f"{where} holds no wallboard history.")
        store.prepare()
    except StoreError:
        store.close()
        raise
    return store


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)

    def sentence(self, source: str, target: str) -> str:
        parts = []
        for table, (one, many) in NAMES.items():
            count = self.rows.get(table, 0)
            parts.append(f"{count:,} {one if count == 1 else many}")
        return f"Copied {', '.join(parts)} from {source} to {target}."


def copy_store(source: Store, target: Store, now: datetime | None = None) -> CopyReport:
    """Everything ``source`` holds into the empty ``target``, in one transaction."""
    now = now or datetime.now(UTC)
    lock = source.run(lambda c: c.execute(select(schema.lock).where(
        schema.lock.c.name == LOCK)).first())
    # a SQLite file's recorder holds its journal file's lock while it lives (its lock
    # row's heartbeat is written only when the tables are)
    if lock is not None and lock.owner != STOPPED and (
            source.journal.led_elsewhere() if source.journal is not None
            else lock.heartbeat_us > schema.us(now) - STALE_SECONDS * 1_000_000):
        raise StoreError(f"A recorder is writing {source.where} now ({lock.owner}); stop "
                         "wallboard serve (or the board) before copying its history.")
    pending = _unapplied(source)
    report = CopyReport()

    def work(out: Connection) -> None:
        for table in (*HISTORY, schema.lock):
            if out.execute(select(func.count()).select_from(table)).scalar():
                raise StoreError(f"{target.where} already holds a history; copy into an "
                                 "empty store.")
        with source.engine.connect() as into:
            for table in (*HISTORY, schema.lock):
                report.rows[table.name] = _copy_table(into, out, table)
            for row in into.execute(select(schema.meta)):
                if row.key not in KEPT_META:
                    set_meta(out, row.key, row.value)
        if pending:  # a killed recorder's last seconds: the new store's journal applies them
            out.execute(insert(schema.journal).values(ops=pydantic_core.to_json(pending)
                                                      .decode()))
        if target.dialect == "postgresql":
            for table, column in SERIALS:
                out.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                    f"coalesce((SELECT max({column}) FROM {table.name}), 0) + 1, false)"))

    target.run(work)
    return report


def _unapplied(source: Store) -> list[Any]:
    """The operations in a SQLite file's journal file that its tables do not hold yet (a
    recorder killed before it wrote them)."""
    if source.journal is None:
        return []
    try:
        lines = source.journal.read()
    except JournalError as exc:
        raise StoreError(str(exc)) from None
    return source.run(lambda c: unapplied(source, c, lines))[1]


def _copy_table(source: Connection, target: Connection, table: Table) -> int:
    result = source.execution_options(stream_results=True, yield_per=BATCH).execute(
        select(table))
    count = 0
    try:
        for part in result.mappings().partitions(BATCH):
            target.execute(insert(table), [dict(row) for row in part])
            count += len(part)
    finally:
        result.close()
    return count
