"""One flush of the recorder's operations, batched: each kind of row in one executemany.

Rows are gathered by kind (the last upsert of a call wins, status changes of one account
become a chain of intervals) and written with statements built once, in text that
SQLite and PostgreSQL both understand (``INSERT … ON CONFLICT … DO UPDATE``), so a flush
of a hundred operations costs a few milliseconds, not a statement compiled per row.
Kinds this module does not batch go through ``fallback`` one by one.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, Table

from wallboard.store import schema

Op = tuple[Any, ...]


_PARAMETER = re.compile(r":(\w+)")


class Statement:
    """SQL written once with ``:name`` parameters, sent through the driver as it is (no
    compiling per row). Rows are dicts; the driver gets them as tuples in the statement's
    order (``?`` for sqlite3, ``%s`` for psycopg): bound by name, sqlite3 makes a string
    of each parameter's name for every value it binds."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self._by_dialect: dict[str, str] = {}
        names = _PARAMETER.findall(sql)
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

    def count(self, connection: Connection, rows: list[dict[str, Any]]) -> int:
        """``executemany``; the number of rows it changed in all."""
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(self.text(connection.dialect.name),
                               list(map(self.values, rows)))
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def many(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """``executemany`` on the driver's own cursor, inside the connection's transaction."""
        self.count(connection, rows)


def _upsert(table: Table, keep: Iterable[str] = (), skip: Iterable[str] = ()) -> Statement:
    """Insert a row, or update every column but the key and ``keep``; ``skip``: columns
    never written here (a call's end is its own statement)."""
    columns = [c.name for c in table.columns if c.name not in skip]
    keys = [c.name for c in table.primary_key.columns]
    updates = [c for c in columns if c not in keys and c not in keep]
    return Statement(
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in updates))


CALL_COLUMNS = [c.name for c in schema.calls.columns if c.name != "ended_us"]
UPSERT_CALL = _upsert(schema.calls, keep=("origin",), skip=("ended_us",))
STEADY_CALL_COLUMNS = [c for c in CALL_COLUMNS
                       if c not in ("id", "employee_id", "created_us", "origin")]
UPDATE_CALL = Statement(
    "UPDATE wb_calls SET " + ", ".join(f"{c} = :{c}" for c in STEADY_CALL_COLUMNS)
    + " WHERE id = :id")
"""A known call whose manager and start stay: only its unindexed columns are written, so
its index entries (by manager, by start) are not rewritten at every status change."""
UPSERT_EMPLOYEE = _upsert(schema.employees)
UPSERT_LISTEN = _upsert(schema.listen_sessions)
END_CALL = Statement("UPDATE wb_calls SET ended_us = :when WHERE id = :id")
ADD_CHANGE = Statement(
    "INSERT INTO wb_call_changes (call_id, at_us, change, employee_id, status, data) "
    "VALUES (:call_id, :at_us, :change, :employee_id, :status, :data)")
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
CLOSE_AGENT = Statement("UPDATE wb_agent_states SET end_us = :when "
                        "WHERE employee_id = :employee_id AND end_us IS NULL")
ADD_AGENT_STATE = Statement(
    "INSERT INTO wb_agent_states (employee_id, state, reason, queues, start_us, end_us) "
    "VALUES (:employee_id, :state, :reason, :queues, :start_us, :end_us)")


def write_batch(connection: Connection, ops: list[Op],
                fallback: Callable[[Connection, Op], None]) -> None:
    calls: dict[str, dict[str, Any]] = {}
    whole: set[str] = set()
    """Calls new to the store, or whose manager changed, in this flush: upserted whole."""
    ends: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    employees: dict[str, dict[str, Any]] = {}
    listens: dict[str, dict[str, Any]] = {}
    chains: dict[str, list[tuple[str | None, str | None, int]]] = {}
    """account -> [(manager, status or None for a close, when)], in order."""
    queues: dict[str, dict[str, Any]] = {}
    outcomes: list[dict[str, Any]] = []
    agents: dict[str, list[dict[str, Any]]] = {}
    """employee -> the agent states it entered, in order."""
    for op in ops:  # the commonest kinds first (a minute of a busy center: 10,000 ops)
        kind = op[0]
        if kind == "agent_state":
            agents.setdefault(op[1]["employee_id"], []).append(op[1])
        elif kind == "change":
            changes.append(op[1])
        elif kind == "call":
            calls[op[1]["id"]] = op[1]
            if op[2]:  # new to the store, or its manager changed
                whole.add(op[1]["id"])
        elif kind == "status":
            _, employee_id, account, status, when = op
            chains.setdefault(account, []).append((employee_id, status, when))
        elif kind == "end":
            ends.append({"id": op[1], "when": op[2]})
        elif kind == "close":
            chains.setdefault(op[1], []).append((None, None, op[2]))
        elif kind == "employee":
            employees[op[1]["id"]] = op[1]
        elif kind == "listen":
            listens[op[1]["id"]] = op[1]
        elif kind == "queue":
            queues[op[1]["id"]] = op[1]
        elif kind == "outcome":
            outcomes.append(op[1])
        else:
            fallback(connection, op)
    if employees:
        UPSERT_EMPLOYEE.many(connection, list(employees.values()))
    if calls:
        _calls(connection, calls, whole)
    if ends:
        END_CALL.many(connection, ends)
    if changes:
        ADD_CHANGE.many(connection, changes)
    if chains:
        _statuses(connection, chains)
    if listens:
        UPSERT_LISTEN.many(connection, list(listens.values()))
    if queues:
        UPSERT_QUEUE.many(connection, list(queues.values()))
    if outcomes:
        ADD_OUTCOME.many(connection, outcomes)
    if agents:
        _agent_states(connection, agents)


def _calls(connection: Connection, calls: dict[str, dict[str, Any]], whole: set[str]) -> None:
    rows = [{c: row.get(c) for c in CALL_COLUMNS} for row in calls.values()]
    steady = [row for row in rows if row["id"] not in whole]
    if steady and UPDATE_CALL.count(connection, steady) < len(steady):
        whole.update(str(row["id"]) for row in steady)  # a row missing (its start never written)
    if whole:
        UPSERT_CALL.many(connection, [row for row in rows if row["id"] in whole])


def _agent_states(connection: Connection, chains: dict[str, list[dict[str, Any]]]) -> None:
    """Like the statuses: each agent's open state closed where the first new one begins,
    then the new states, each ending where the next begins (the last one open)."""
    closes = [{"employee_id": e, "when": chain[0]["start_us"]} for e, chain in chains.items()]
    rows = []
    for chain in chains.values():
        for n, row in enumerate(chain):
            end = chain[n + 1]["start_us"] if n + 1 < len(chain) else None
            rows.append({**row, "end_us": end})
    CLOSE_AGENT.many(connection, closes)
    ADD_AGENT_STATE.many(connection, rows)


def _statuses(connection: Connection,
              chains: dict[str, list[tuple[str | None, str | None, int]]]) -> None:
    """Each account's open interval closed at its first change, then the new intervals,
    each ending where the next begins (the last one open)."""
    closes = [{"account": account, "when": chain[0][2]} for account, chain in chains.items()]
    intervals = []
    for account, chain in chains.items():
        for n, (employee_id, status, when) in enumerate(chain):
            if status is None:
                continue
            end = chain[n + 1][2] if n + 1 < len(chain) else None
            if end is not None and end <= when:
                continue  # replaced in the same instant: no time in this status
            intervals.append({"employee_id": employee_id, "account_id": account,
                              "status": status, "start_us": when, "end_us": end})
    CLOSE_OPEN.many(connection, closes)
    if intervals:
        ADD_INTERVAL.many(connection, intervals)
