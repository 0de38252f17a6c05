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
    Float,
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

# -- schema 2: queues, agent states, queue outcomes, alerts (docs/queues.md) -----------------
queues = Table(
    "wb_queues", metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("department", Text),
    Column("service_level_ms", BigInteger, nullable=False),
    Column("short_abandon_ms", BigInteger, nullable=False),
    Column("site", ID),
    Column("seen_us", BigInteger, nullable=False),
)

queue_outcomes = Table(
    "wb_queue_outcomes", metadata,
    Column("seq", SERIAL, primary_key=True, autoincrement=True),
    Column("at_us", BigInteger, nullable=False),
    Column("queue_id", ID, nullable=False),
    Column("kind", String(16), nullable=False,
           comment="answered, abandoned, short, handled or wrapup"),
    Column("key", String(300), nullable=False,
           comment="the call id (a wrap-up: employee@start): never counted twice"),
    Column("seconds_us", BigInteger, nullable=False,
           comment="the wait, the handle time (talk + hold) or the wrap-up"),
    Column("within", Integer, nullable=False, default=0,
           comment="1: within the queue's service-level threshold"),
)
Index("wb_queue_outcomes_at", queue_outcomes.c.at_us)

agent_states = Table(
    "wb_agent_states", metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("employee_id", ID, nullable=False),
    Column("state", String(16), nullable=False),
    Column("reason", Text),
    Column("queues", Text, nullable=False, default="", comment="queue ids, comma-separated"),
    Column("start_us", BigInteger, nullable=False),
    Column("end_us", BigInteger, comment="null while open: the agent's state now"),
)
Index("wb_agent_states_employee", agent_states.c.employee_id, agent_states.c.start_us)
Index("wb_agent_states_open", agent_states.c.employee_id,
      sqlite_where=agent_states.c.end_us.is_(None),
      postgresql_where=agent_states.c.end_us.is_(None))
"""Each agent's open state, closed at its next change: tiny (schema 3; in schema 2 it held
every row, so closing a state rewrote a page of a large index at every change)."""

alerts = Table(
    "wb_alerts", metadata,
    Column("key", String(400), primary_key=True, comment="rule/subject@started_us"),
    Column("rule", Text, nullable=False),
    Column("metric", String(32), nullable=False),
    Column("subject", ID, nullable=False, comment="a queue id or, per agent, an employee id"),
    Column("subject_name", Text, nullable=False),
    Column("level", String(16), nullable=False, comment="the latest: warning or critical"),
    Column("worst", String(16), nullable=False),
    Column("value", Float, nullable=False),
    Column("started_us", BigInteger, nullable=False),
    Column("changed_us", BigInteger, nullable=False),
    Column("ended_us", BigInteger),
    Column("acknowledged_us", BigInteger),
    Column("acknowledged_by", Text),
    Column("quiet", Integer, nullable=False, default=0),
)
Index("wb_alerts_started", alerts.c.started_us)

SCHEMA_2 = (queues, queue_outcomes, agent_states, alerts)

# -- schema 4: the recorder's journal ------------------------------------------------------
journal = Table(
    "wb_journal", metadata,
    Column("seq", SERIAL, primary_key=True, autoincrement=True),
    Column("ops", Text, nullable=False,
           comment="one second of the recorder's write operations, as a JSON list"),
)
"""What the recorder wrote since it last applied its operations to the tables: one row a
second, appended (cheap), applied and deleted every few seconds, and applied by the next
recorder if this one was killed. So a kill -9 loses at most the last second, while the
indexes by manager are written once per few seconds, not every second (docs/store.md)."""

SCHEMA_VERSION = 4
Migration = Callable[[Connection], None]


def _add_queue_tables(connection: Connection) -> None:
    """Schema 1 -> 2: the queue tables (and their indexes), nothing else touched."""
    metadata.create_all(connection, tables=list(SCHEMA_2), checkfirst=True)


def _partial_open_agent_index(connection: Connection) -> None:
    """Schema 2 -> 3: the open agent states' index holds only the open ones (like the
    statuses' and the calls'). Rows are untouched; the index is built again."""
    connection.exec_driver_sql("DROP INDEX IF EXISTS wb_agent_states_open")
    next(i for i in agent_states.indexes if i.name == "wb_agent_states_open").create(connection)


def _add_journal(connection: Connection) -> None:
    """Schema 3 -> 4: the recorder's journal, empty."""
    journal.create(connection, checkfirst=True)


MIGRATIONS: dict[int, Migration] = {2: _add_queue_tables, 3: _partial_open_agent_index,
                                    4: _add_journal}
"""version -> the step that brings version - 1 up to it."""


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def us(moment: datetime) -> int:
    """Microseconds since the epoch, exactly."""
    return (moment - EPOCH) // MICROSECOND


def at(micros: int) -> datetime:
    return EPOCH + micros * MICROSECOND
