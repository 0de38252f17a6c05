"""One flush's batched writes (store/writes.py), on SQLite and PostgreSQL: a known call is
updated in place, a new or transferred one is written whole, and a call whose first row
never reached the store is written whole all the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from wallboard.store import open_store
from wallboard.store.writes import Op, write_batch


def call(status: str, employee: str | None, answered: int | None = None, *,
         whole: bool) -> Op:
    """A ``call`` operation: whole, then id, type, status, manager, client and business
    numbers, scheme, queue, project, created, answered, recording, origin."""
    return ("call", whole, "c1", "incoming", status, employee, "+48 501 234 567",
            "+48 22 100 20 30", "Main line", "sales", "default", 1_000_000, answered, None,
            "live")


def no_fallback(connection: Connection, op: Op) -> None:
    raise AssertionError(f"not batched: {op[0]}")


def the_call(connection: Connection) -> tuple[Any, ...]:
    return tuple(connection.execute(text(
        "SELECT status, employee_id, created_us, answered_us, queue_id FROM wb_calls "
        "WHERE id = 'c1'")).one())


def test_a_call_s_life_in_whole_and_steady_writes(store_url: str):
    store = open_store(store_url)
    try:
        def flush(*ops: Op) -> tuple[Any, ...]:
            return store.run(lambda c: (write_batch(c, list(ops), no_fallback), the_call(c))[1])

        assert flush(call("ringing", None, whole=True)) == (
            "ringing", None, 1_000_000, None, "sales")
        assert flush(call("talking", "e1", 21_000_000, whole=True)) == (
            "talking", "e1", 1_000_000, 21_000_000, "sales")
        assert flush(call("on_hold", "e1", 21_000_000, whole=False)) == (
            "on_hold", "e1", 1_000_000, 21_000_000, "sales")
        # transferred in the same flush as a steady change: the call is written whole
        assert flush(call("talking", "e2", 21_000_000, whole=True),
                     call("on_hold", "e2", 21_000_000, whole=False)) == (
            "on_hold", "e2", 1_000_000, 21_000_000, "sales")
    finally:
        store.close()


def test_a_steady_change_of_a_call_the_store_never_got_writes_it_whole(store_url: str):
    store = open_store(store_url)
    try:
        found = store.run(lambda c: (write_batch(
            c, [call("talking", "e1", 21_000_000, whole=False)], no_fallback),
            the_call(c))[1])
        assert found == ("talking", "e1", 1_000_000, 21_000_000, "sales")
    finally:
        store.close()


def test_a_call_that_rang_and_ended_in_one_flush_is_written_once_with_its_end(store_url: str):
    """Written whole in a flush that also ends it: the end goes in the same row. A call the
    store already had is ended by its own statement."""
    store = open_store(store_url)
    try:
        def ended(connection: Connection) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in connection.execute(text(
                "SELECT id, status, ended_us FROM wb_calls ORDER BY id"))]

        found = store.run(lambda c: (write_batch(c, [
            call("ringing", None, whole=True), call("talking", "e1", 21_000_000, whole=True),
            ("end", "c1", 30_000_000)], no_fallback), ended(c))[1])
        assert found == [("c1", "talking", 30_000_000)]
        other = ("call", True, "c2", *call("ringing", "e1", whole=True)[3:])
        found = store.run(lambda c: (write_batch(c, [other], no_fallback), ended(c))[1])
        assert found == [("c1", "talking", 30_000_000), ("c2", "ringing", None)]
        found = store.run(lambda c: (write_batch(c, [("end", "c2", 40_000_000)], no_fallback),
                                     ended(c))[1])
        assert found == [("c1", "talking", 30_000_000), ("c2", "ringing", 40_000_000)]
    finally:
        store.close()


def test_a_call_operation_carries_every_column_of_the_calls_table_but_its_end():
    """CALL_COLUMNS is written out (a call operation's values follow it): a column added to
    wb_calls must be added there too."""
    from wallboard.store import schema
    from wallboard.store.writes import CALL_COLUMNS

    assert sorted(CALL_COLUMNS) == sorted(c.name for c in schema.calls.columns
                                          if c.name != "ended_us")



def test_many_rows_go_in_order_in_statements_of_many_rows(store_url: str):
    """400 agent states of seven managers and 200 outcomes in one flush land with their
    values, in order (on SQLite in INSERTs of up to 166 rows: 999 parameters, six a row)."""
    store = open_store(store_url)
    try:
        ops: list[Op] = [("agent_state", f"e{n % 7}", "available" if n % 2 else "on_call",
                          None, "sales", 1_000_000 * n) for n in range(400)]
        ops += [("outcome", 2_000_000 * n, "sales", "answered", f"c{n}", 3_000_000, n % 2)
                for n in range(200)]

        def rows(connection: Connection) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
            write_batch(connection, ops, no_fallback)
            states = [tuple(r) for r in connection.execute(text(
                "SELECT employee_id, state, start_us, end_us FROM wb_agent_states "
                "ORDER BY id"))]
            outcomes = [tuple(r) for r in connection.execute(text(
                "SELECT key, at_us, within FROM wb_queue_outcomes ORDER BY seq"))]
            return states, outcomes

        states, outcomes = store.run(rows)
        # manager by manager, each state ending where that manager's next begins
        assert len(states) == 400
        assert states[:3] == [("e0", "on_call", 0, 7_000_000),
                              ("e0", "available", 7_000_000, 14_000_000),
                              ("e0", "on_call", 14_000_000, 21_000_000)]
        assert states[57:59] == [("e0", "available", 399_000_000, None),
                                 ("e1", "available", 1_000_000, 8_000_000)]
        assert states[-1] == ("e6", "on_call", 398_000_000, None)
        assert [s[0] for s in states if s[3] is None] == [f"e{n}" for n in range(7)]
        assert outcomes[:2] == [("c0", 0, 0), ("c1", 2_000_000, 1)]
        assert [o[0] for o in outcomes] == [f"c{n}" for n in range(200)]
    finally:
        store.close()


def test_sqlite_gets_an_insert_of_many_rows_not_one_statement_a_row(tmp_path: Path):
    store = open_store(str(tmp_path / "history.sqlite3"))
    try:
        ops: list[Op] = [("agent_state", f"e{n % 7}", "on_call", None, "sales", 1_000 * n)
                         for n in range(400)]
        inserts: list[str] = []

        def write(connection: Connection) -> None:
            driver = connection.connection.driver_connection
            driver.set_trace_callback(
                lambda sql: inserts.append(sql) if sql.startswith("INSERT") else None)
            try:
                write_batch(connection, ops, no_fallback)
            finally:
                driver.set_trace_callback(None)

        store.run(write)
        assert [sql.count("), (") + 1 for sql in inserts] == [166, 166, 68]
    finally:
        store.close()
