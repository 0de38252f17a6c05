"""The history's tables, one definition for SQLite and PostgreSQL (SQLAlchemy Core).

Times are integers, microseconds since the Unix epoch (UTC): the same on both backends,
compact, and compared without any time-zone conversion. See docs/store.md.

The schema carries its version in ``wb_meta``; :data:`MIGRATIONS` brings an older store up
to date when it is opened (each step in one transaction, tested from every old version).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

ID = String(200)
"""Call, manager and account ids: whatever the PBX uses, bounded."""
SERIAL = BigInteger().with_variant(Integer, "sqlite")
"""An auto-incrementing key (SQLite auto-increments only INTEGER PRIMARY KEY)."""

metadata = MetaData()

meta = Table(
    "wb_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

lock = Table(
    "wb_lock", metadata,
    Column("name", String(64), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("heartbeat_us", BigInteger, nullable=False),
)
"""Who records now: one recorder per store (an HA pair shares the store, one writes)."""

employees = Table(
    "wb_employees", metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("department", Text),
    Column("project", ID, nullable=False),
    Column("accounts", Text, nullable=False,
           comment="JSON list of [account id, number, user agent]"),
    Column("seen_us", BigInteger, nullable=False),
)

calls = Table(
    "wb_calls", metadata,
    Column("id", ID, primary_key=True),
    Column("type", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("employee_id", ID),
    Column("client_number", Text, nullable=False, default=""),
    Column("business_number", Text, nullable=False, default=""),
    Column("routing_scheme", Text),
    Column("queue_id", ID),
    Column("project", ID, nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("answered_us", BigInteger),
    Column("ended_us", BigInteger),
    Column("recording_url", Text),
    Column("origin", String(16), nullable=False, default="live",
           comment="live: recorded as it happened; cdr: imported from the PBX's records"),
)
Index("wb_calls_employee", calls.c.employee_id, calls.c.created_us)
Index("wb_calls_created", calls.c.created_us)
Index("wb_calls_open", calls.c.id, sqlite_where=calls.c.ended_us.is_(None),
      postgresql_where=calls.c.ended_us.is_(None))
"""Only the calls still open (a restart reads them): tiny, whatever the history's size."""

call_changes = Table(
    "wb_call_changes", metadata,
    Column("seq", SERIAL, primary_key=True, autoincrement=True),
    Column("call_id", ID, nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("change", String(16), nullable=False,
           comment="created, answered, held, unheld, transferred, updated or ended"),
    Column("employee_id", ID),
    Column("status", String(16)),
    Column("data", Text, comment="the whole call as JSON after the change: what replay plays"),
)
Index("wb_call_changes_at", call_changes.c.at_us)
Index("wb_call_changes_call", call_changes.c.call_id)

statuses = Table(
    "wb_statuses", metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("employee_id", ID, nullable=False),
    Column("account_id", ID, nullable=False),
    Column("status", String(16), nullable=False),
    Column("start_us", BigInteger, nullable=False),
    Column("end_us", BigInteger, comment="null while open: the account's status now"),
)
Index("wb_statuses_employee", statuses.c.employee_id, statuses.c.start_us)
Index("wb_statuses_account_open", statuses.c.account_id,
      sqlite_where=statuses.c.end_us.is_(None), postgresql_where=statuses.c.end_us.is_(None))
"""Each account's open interval, closed at its next change: tiny, like wb_calls_open."""
Index("wb_statuses_start", statuses.c.start_us)

listen_sessions = Table(
    "wb_listen_sessions", metadata,
    Column("id", ID, primary_key=True),
    Column("call_id", ID, nullable=False),
    Column("employee_id", ID),
    Column("supervisor", ID, nullable=False),
    Column("mode", String(16), nullable=False),
    Column("muted", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("started_us", BigInteger, nullable=False),
    Column("ended_us", BigInteger),
    Column("message", Text),
)

SCHEMA_VERSION = 1
Migration = Callable[[Connection], None]
MIGRATIONS: dict[int, Migration] = {}
"""version -> the step that brings version - 1 up to it (none yet beyond the first)."""


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def us(moment: datetime) -> int:
    """Microseconds since the epoch, exactly."""
    return (moment - EPOCH) // MICROSECOND


def at(micros: int) -> datetime:
    return EPOCH + micros * MICROSECOND
