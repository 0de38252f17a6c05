"""Reading a manager's history back, on SQLite and PostgreSQL alike.

The rows are written straight into the tables, in a scrambled order and with ties, so the
order of the answer is the reader's own (on SQLite the rows come back packed in one JSON
array, in no particular order). Every expected value is a literal.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import insert

from wallboard.core.models import AgentStatus, CallType
from wallboard.store import open_store, queries, schema

H = 3_600_000_000
"""An hour in µs."""
T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
BASE = schema.us(T0)


def at(hour: float) -> datetime:
    return schema.at(BASE + round(hour * H))


def fill(url: str) -> None:
    def status(n: int, account: str, state: str, start: float, end: float | None,
               employee: str = "e1") -> dict[str, object]:
        return {"id": n, "employee_id": employee, "account_id": account, "status": state,
                "start_us": BASE + round(start * H),
                "end_us": None if end is None else BASE + round(end * H)}

    def call(cid: str, start: float, answered: float | None, end: float | None,
             employee: str | None = "e1", client: str = "+48 501 234 567") -> dict[str, object]:
        return {"id": cid, "type": "incoming", "status": "talking", "employee_id": employee,
                "client_number": client, "business_number": "+48 22 100 20 30",
                "routing_scheme": "Main line", "queue_id": None, "project": "demo",
                "created_us": BASE + round(start * H),
                "answered_us": None if answered is None else BASE + round(answered * H),
                "ended_us": None if end is None else BASE + round(end * H),
                "recording_url": None, "origin": "live"}

    store = open_store(url)

    def work(connection) -> None:  # type: ignore[no-untyped-def]
        connection.execute(insert(schema.employees).values(
            id="e1", name="Anna Nowak", department="Sales", project="demo", seen_us=BASE,
            accounts=json.dumps([["PJSIP/1002", "1002", None], ["PJSIP/1001", "1001", None]])))
        connection.execute(insert(schema.statuses), [
            status(5, "PJSIP/1002", "offline", 0, None),
            status(3, "PJSIP/1001", "talking", 2, 3),
            status(1, "PJSIP/1001", "online", -1, 2),  # began before the period
            status(4, "PJSIP/1001", "online", 3, None),  # open: runs to open_until
            status(2, "PJSIP/1001", "dnd", 2, 2),  # replaced in the same instant: no time
            status(6, "PJSIP/9999", "online", 0, None, employee="e2"),
        ])
        connection.execute(insert(schema.calls), [
            call("c3", 2, None, 2.01),
            call("c2", 1, 1.001, 1.5, client="+380 66 050 31 83 ✓"),
            call("c1", 1, 1.002, 1.2),  # the same start as c2: by id
            call("c4", 3.5, 3.51, None),  # still live: not in the log
            call("c5", 0.5, 0.6, 0.7, employee="e2"),
            call("c6", 9, 9.1, 9.2),  # after the period
        ])

    try:
        store.run(work)
    finally:
        store.close()


def test_a_managers_history_comes_back_in_order_and_clipped(store_url: str):
    fill(store_url)
    store = open_store(store_url)
    try:
        history = store.run(lambda c: queries.manager_history(
            c, "e1", at(0), at(6), open_until=at(4)))
    finally:
        store.close()
    assert [(a.account_id, [(iv.start, iv.end, iv.status) for iv in a.intervals])
            for a in history.accounts] == [
        ("PJSIP/1001", [(at(0), at(2), AgentStatus.ONLINE), (at(2), at(3), AgentStatus.TALKING),
                        (at(3), at(4), AgentStatus.ONLINE)]),
        ("PJSIP/1002", [(at(0), at(4), AgentStatus.OFFLINE)]),
    ]
    assert [(c.id, c.started_at, c.answered_at, c.ended_at, c.client_number)
            for c in history.calls] == [
        ("c1", at(1), at(1.002), at(1.2), "+48 501 234 567"),
        ("c2", at(1), at(1.001), at(1.5), "+380 66 050 31 83 ✓"),
        ("c3", at(2), None, at(2.01), "+48 501 234 567"),
    ]
    assert history.calls[2].type is CallType.INCOMING
    assert history.calls[2].missed  # rang 36 s, nobody answered


def test_the_call_log_of_everyone_and_an_empty_period(store_url: str):
    fill(store_url)
    store = open_store(store_url)
    try:
        everyone = store.run(lambda c: queries.call_log(c, None, at(0), at(6)))
        nobody = store.run(lambda c: queries.manager_history(
            c, "e1", at(7), at(8), open_until=at(7)))
    finally:
        store.close()
    assert [(c.id, c.employee_id) for c in everyone] == [
        ("c5", "e2"), ("c1", "e1"), ("c2", "e1"), ("c3", "e1")]
    assert nobody.calls == ()
    assert [(a.account_id, len(a.intervals)) for a in nobody.accounts] == []
