"""One flush of the recorder's operations, batched: each kind of row in one executemany.

Rows are gathered by kind (the last upsert of a call wins, status changes of one account
become a chain of intervals) and written with statements built once, in text that
SQLite and PostgreSQL both understand (``INSERT … ON CONFLICT … DO UPDATE``), so a flush
of a hundred operations costs a few milliseconds, not a statement compiled per row.
Kinds this module does not batch go through ``fallback`` one by one.

The commonest operations are one flat tuple: their kind, then their row's values in the
order of the statement that writes it, so the driver gets the row as it is (a slice), and
a journal line holds it as a JSON array without keys. A minute of a busy center is some
14,000 of them, held until the tables are written: one object each, where a dict per row
was built on the event loop, written with its keys into every journal line and turned
back into a tuple here.

- ``("call", whole, *CALL_COLUMNS)``: whole is True for a call new to the store or whose
  manager changed;
- ``("change", *CHANGE_COLUMNS)``, ``("agent_state", *AGENT_STATE_COLUMNS)``,
  ``("outcome", *OUTCOME_COLUMNS)``;
- ``("status", employee, account, status, µs)``, ``("close", account, µs)``,
  ``("end", call id, µs)``;
- the rare ones (``employee``, ``listen``, ``queue``, ``alert``) carry a dict.

A journal written before operations were flat (their rows were dicts) is read through
:func:`current`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from wallboard.store import schema

Op = tuple[Any, ...]


_PARAMETER = re.compile(r":(\w+)")
_VALUES = re.compile(r"^\s*INSERT\b.*?\bVALUES\s*(\([^()]*\))", re.IGNORECASE | re.DOTALL)
"""An INSERT's one row of values, to be written several times over (:meth:`Statement.tuples`)."""
SQLITE_PARAMETERS = 999
"""Parameters in one SQLite statement: the least any SQLite allows (3.32 and later allow
32,766); a statement of many rows holds at most this many values."""


class Statement:
    """SQL written once with ``:name`` parameters, sent through the driver as it is (no
    compiling per row). Rows are dicts; the driver gets them as tuples in the statement's
    order (``?`` for sqlite3, ``%s`` for psycopg): bound by name, sqlite3 makes a string
    of each parameter's name for every value it binds."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self._by_dialect: dict[str, str] = {}
        names = _PARAMETER.findall(sql)
        self.names = tuple(names)
        """The parameters, in the order a tuple row gives them (:meth:`tuples`)."""
        self._rows: tuple[str, str, str] | None = None
        """An INSERT's text before its row of values, the row, and the text after it."""
        if found := _VALUES.match(sql):
            self._rows = (sql[:found.start(1)], found.group(1), sql[found.end(1):])
        self._by_rows: dict[int, str] = {}
        self.values: Callable[[dict[str, Any]], tuple[Any, ...]]
        if len(names) > 1:
            self.values = operator.itemgetter(*names)
        else:
            self.values = lambda row: tuple(row[name] for name in names)

    def text(self, dialect: str) -> str:
        found = self._by_dialect.get(dialect)
        if found is None:
            if dialect == "postgresql":
                found = _PARAMETER.sub("%s", self.sql.replace("%", "%%"))
            else:
                found = _PARAMETER.sub("?", self.sql)
            self._by_dialect[dialect] = found
        return found

    def one(self, connection: Connection, row: dict[str, Any]) -> int:
        """Run once; the number of rows it changed."""
        cursor = connection.connection.cursor()
        try:
            cursor.execute(self.text(connection.dialect.name), self.values(row))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def rows(self, connection: Connection, row: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Run a query once; all its rows as tuples, fetched by the driver in one call."""
        cursor = connection.connection.cursor()
        try:
            cursor.execute(self.text(connection.dialect.name), self.values(row))
            return [tuple(found) for found in cursor.fetchall()]
        finally:
            cursor.close()

    def tuples(self, connection: Connection, rows: Sequence[Sequence[Any]]) -> int:
        """Rows already in :attr:`names`' order (tuples, or a journal's lists) written;
        the number of rows it changed in all.

        On SQLite an INSERT goes as few statements of many rows each (``VALUES (…), (…),
        …``), not one statement run per row: sqlite3's ``executemany`` costs about a
        microsecond a row around SQLite's own work, and a minute of a busy center is some
        10,000 inserted rows. Other statements, and PostgreSQL (psycopg sends an
        ``executemany`` as one pipeline), run through ``executemany``."""
        dialect = connection.dialect.name
        cursor = connection.connection.cursor()
        try:
            if self._rows is None or dialect != "sqlite" or len(rows) < 2:
                cursor.executemany(self.text(dialect), rows)
                return int(cursor.rowcount)
            changed = 0
            step = max(1, SQLITE_PARAMETERS // len(self.names))
            for start in range(0, len(rows), step):
                chunk = rows[start:start + step]
                cursor.execute(self._sqlite_rows(len(chunk)),
                               [value for row in chunk for value in row])
                changed += cursor.rowcount
            return changed
        finally:
            cursor.close()

    def _sqlite_rows(self, count: int) -> str:
        """The INSERT with ``count`` rows of values, in SQLite's parameter style."""
        found = self._by_rows.get(count)
        if found is None:
            assert self._rows is not None
            before, row, after = self._rows
            found = _PARAMETER.sub("?", before + ", ".join([row] * count) + after)
            self._by_rows[count] = found
        return found

    def many(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """``executemany`` of rows as dicts (the rare kinds), on the driver's own cursor,
        inside the connection's transaction."""
        self.tuples(connection, list(map(self.values, rows)))


def _upsert(table: Table, keep: Iterable[str] = (), columns: Sequence[str] = ()) -> Statement:
    """Insert a row, or update every column but the key and ``keep``; ``columns``: those
    written, in this order (default: all of the table's)."""
    columns = list(columns) or [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns]
    updates = [c for c in columns if c not in keys and c not in keep]
    return Statement(
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in updates))


CALL_COLUMNS = ("id", "type", "status", "employee_id", "client_number", "business_number",
                "routing_scheme", "queue_id", "project", "created_us", "answered_us",
                "recording_url", "origin")
"""A ``call`` operation's row: every column of wb_calls but its end (its own statement)."""
UPSERT_CALL = _upsert(schema.calls, keep=("origin",), columns=CALL_COLUMNS)
UPSERT_ENDED_CALL = _upsert(schema.calls, keep=("origin",), columns=(*CALL_COLUMNS, "ended_us"))
"""A call written whole that also ended in the same flush (most calls that rang, were
answered and ended within a minute): its end in the same statement, and never an entry in
the open calls' index to be deleted again."""
STEADY_CALL_COLUMNS = [c for c in CALL_COLUMNS
                       if c not in ("id", "employee_id", "created_us", "origin")]
UPDATE_CALL = Statement(
    "UPDATE wb_calls SET " + ", ".join(f"{c} = :{c}" for c in STEADY_CALL_COLUMNS)
    + " WHERE id = :id")
"""A known call whose manager and start stay: only its unindexed columns are written, so
its index entries (by manager, by start) are not rewritten at every status change."""
_STEADY = operator.itemgetter(*(2 + CALL_COLUMNS.index(c) for c in UPDATE_CALL.names))
"""A ``call`` operation's values in UPDATE_CALL's order."""
UPSERT_EMPLOYEE = _upsert(schema.employees)
UPSERT_LISTEN = _upsert(schema.listen_sessions)
END_CALL = Statement("UPDATE wb_calls SET ended_us = :when WHERE id = :id")
ADD_CHANGE = Statement(
    "INSERT INTO wb_call_changes (call_id, at_us, change, employee_id, status, data) "
    "VALUES (:call_id, :at_us, :change, :employee_id, :status, :data)")
CHANGE_COLUMNS = ADD_CHANGE.names
CLOSE_OPEN = Statement("UPDATE wb_statuses SET end_us = :when "
                       "WHERE account_id = :account AND end_us IS NULL")
ADD_INTERVAL = Statement(
    "INSERT INTO wb_statuses (employee_id, account_id, status, start_us, end_us) "
    "VALUES (:employee_id, :account_id, :status, :start_us, :end_us)")
APPEND = Statement("INSERT INTO wb_journal (ops) VALUES (:ops)")
EMPTY_JOURNAL = Statement("DELETE FROM wb_journal")
HEARTBEAT = Statement("UPDATE wb_lock SET heartbeat_us = :beat "
                      "WHERE name = :name AND owner = :owner")
UPSERT_QUEUE = _upsert(schema.queues)
ADD_OUTCOME = Statement(
    "INSERT INTO wb_queue_outcomes (at_us, queue_id, kind, key, seconds_us, within) "
    "VALUES (:at_us, :queue_id, :kind, :key, :seconds_us, :within)")
OUTCOME_COLUMNS = ADD_OUTCOME.names
CLOSE_AGENT = Statement("UPDATE wb_agent_states SET end_us = :when "
                        "WHERE employee_id = :employee_id AND end_us IS NULL")
ADD_AGENT_STATE = Statement(
    "INSERT INTO wb_agent_states (employee_id, state, reason, queues, start_us, end_us) "
    "VALUES (:employee_id, :state, :reason, :queues, :start_us, :end_us)")
AGENT_STATE_COLUMNS = ADD_AGENT_STATE.names[:-1]
"""An ``agent_state`` operation's row: its end is where the agent's next state begins."""
_ROWS = {"call": CALL_COLUMNS, "change": CHANGE_COLUMNS, "agent_state": AGENT_STATE_COLUMNS,
         "outcome": OUTCOME_COLUMNS}


def current(ops: Iterable[Any]) -> list[Op]:
    """Operations read back from a journal, as this version writes them: a journal from
    before operations were flat holds ``(kind, row as a dict[, whole])``."""
    out: list[Op] = []
    for op in ops:
        names = _ROWS.get(op[0])
        if names is not None and len(op) > 1 and isinstance(op[1], dict):
            values = [op[1].get(name) for name in names]
            op = (op[0], op[2], *values) if op[0] == "call" else (op[0], *values)
        out.append(tuple(op))
    return out


def write_batch(connection: Connection, ops: list[Op],
                fallback: Callable[[Connection, Op], None]) -> None:
    calls: dict[str, Op] = {}
    whole: set[str] = set()
    """Calls new to the store, or whose manager changed, in this flush: upserted whole."""
    ends: dict[str, int] = {}
    """call id -> when it ended (the last end in this flush)."""
    changes: list[Op] = []
    employees: dict[str, dict[str, Any]] = {}
    listens: dict[str, dict[str, Any]] = {}
    chains: dict[str, list[tuple[str | None, str | None, int]]] = {}
    """account -> [(manager, status or None for a close, when)], in order."""
    queues: dict[str, dict[str, Any]] = {}
    outcomes: list[Op] = []
    agents: dict[str, list[Op]] = {}
    """employee -> the agent states it entered, in order."""
    for op in ops:  # the commonest kinds first (a minute of a busy center: 14,000 ops)
        kind = op[0]
        if kind == "agent_state":
            agents.setdefault(op[1], []).append(op)
        elif kind == "change":
            changes.append(op[1:])
        elif kind == "call":
            calls[op[2]] = op
            if op[1]:  # new to the store, or its manager changed
                whole.add(op[2])
        elif kind == "outcome":
            outcomes.append(op[1:])
        elif kind == "status":
            _, employee_id, account, status, when = op
            chains.setdefault(account, []).append((employee_id, status, when))
        elif kind == "end":
            ends[op[1]] = op[2]
        elif kind == "close":
            chains.setdefault(op[1], []).append((None, None, op[2]))
        elif kind == "employee":
            employees[op[1]["id"]] = op[1]
        elif kind == "listen":
            listens[op[1]["id"]] = op[1]
        elif kind == "queue":
            queues[op[1]["id"]] = op[1]
        else:
            fallback(connection, op)
    if employees:
        UPSERT_EMPLOYEE.many(connection, list(employees.values()))
    if calls:
        _calls(connection, calls, whole, ends)
    if ends:
        END_CALL.tuples(connection, [(when, call_id) for call_id, when in ends.items()])
    if changes:
        ADD_CHANGE.tuples(connection, changes)
    if chains:
        _statuses(connection, chains)
    if listens:
        UPSERT_LISTEN.many(connection, list(listens.values()))
    if queues:
        UPSERT_QUEUE.many(connection, list(queues.values()))
    if outcomes:
        ADD_OUTCOME.tuples(connection, outcomes)
    if agents:
        _agent_states(connection, agents)


def _calls(connection: Connection, calls: dict[str, Op], whole: set[str],
           ends: dict[str, int]) -> None:
    """The calls' rows; a call written whole takes its end along (removed from ``ends``)."""
    steady = [op for call_id, op in calls.items() if call_id not in whole]
    if steady and UPDATE_CALL.tuples(connection, list(map(_STEADY, steady))) < len(steady):
        whole.update(str(op[2]) for op in steady)  # a row missing (its start never written)
    if not whole:
        return
    rows, ended = [], []
    for call_id, op in calls.items():
        if call_id in whole:
            if call_id in ends:
                ended.append((*op[2:], ends.pop(call_id)))
            else:
                rows.append(op[2:])
    if rows:
        UPSERT_CALL.tuples(connection, rows)
    if ended:
        UPSERT_ENDED_CALL.tuples(connection, ended)


START = 1 + AGENT_STATE_COLUMNS.index("start_us")
"""Where an ``agent_state`` operation holds its start."""


def _agent_states(connection: Connection, chains: dict[str, list[Op]]) -> None:
    """Like the statuses: each agent's open state closed where the first new one begins,
    then the new states, each ending where the next begins (the last one open)."""
    closes = [(chain[0][START], employee) for employee, chain in chains.items()]
    rows: list[tuple[Any, ...]] = []
    for chain in chains.values():
        rows.extend((*op[1:], after[START]) for op, after in zip(chain, chain[1:], strict=False))
        rows.append((*chain[-1][1:], None))
    CLOSE_AGENT.tuples(connection, closes)
    ADD_AGENT_STATE.tuples(connection, rows)


def _statuses(connection: Connection,
              chains: dict[str, list[tuple[str | None, str | None, int]]]) -> None:
    """Each account's open interval closed at its first change, then the new intervals,
    each ending where the next begins (the last one open)."""
    closes = [(chain[0][2], account) for account, chain in chains.items()]
    intervals = []
    for account, chain in chains.items():
        for n, (employee_id, status, when) in enumerate(chain):
            if status is None:
                continue
            end = chain[n + 1][2] if n + 1 < len(chain) else None
            if end is not None and end <= when:
                continue  # replaced in the same instant: no time in this status
            intervals.append((employee_id, account, status, when, end))
    CLOSE_OPEN.tuples(connection, closes)
    if intervals:
        ADD_INTERVAL.tuples(connection, intervals)
