"""Reading the history back: a manager's statuses and calls, the call log, the state at a
moment (for replay), and rows streamed for export. Each function takes a connection and
runs on the store's thread."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from wallboard.core.events import EVENT_ADAPTER, CallEnded, CallUpserted, Event
from wallboard.core.history import AccountTimeline, CallRecord, ManagerHistory
from wallboard.core.models import AgentStatus, Call, CallType, Employee, SipAccount
from wallboard.core.status import Interval
from wallboard.store import schema
from wallboard.store.schema import EPOCH, MICROSECOND, at, us
from wallboard.store.writes import Statement

STATUSES = {status.value: status for status in AgentStatus}
CALL_TYPES = {kind.value: kind for kind in CallType}
CALL_COLUMNS = (
    "id", "employee_id", "type", "client_number", "business_number", "routing_scheme",
    "queue_id", "created_us", "answered_us", "ended_us", "recording_url", "origin")


def recorded_since(connection: Connection) -> datetime | None:
    """When the first recorder began writing this store (None: never)."""
    value = connection.execute(select(schema.meta.c.value)
                               .where(schema.meta.c.key == "first_recorded_us")).scalar()
    return at(int(value)) if value else None


def heartbeat(connection: Connection) -> datetime | None:
    """The last moment a recorder was known to be writing."""
    value = connection.execute(select(schema.lock.c.heartbeat_us)
                               .where(schema.lock.c.name == "recorder")).scalar()
    return at(int(value)) if value is not None else None


def known_manager(connection: Connection, employee_id: str) -> bool:
    """Whether the store ever saw this manager."""
    employees = schema.employees
    return connection.execute(select(employees.c.id)
                              .where(employees.c.id == employee_id)).first() is not None


class Packed:
    """A read of many rows that come back in one piece, in no particular order.

    sqlite3 lets go of the GIL around every row it steps, and a board busy drawing takes it
    back each time: a week's 2,500 rows read on the store's thread while the profile panel
    opens took 30 to 50 ms instead of 3. On SQLite the database packs the rows into one
    JSON array (one step); PostgreSQL's driver receives a whole result at once anyway."""

    def __init__(self, columns: tuple[str, ...], rest: str) -> None:
        listed = ", ".join(columns)
        self.plain = Statement(f"SELECT {listed} {rest}")
        self.packed = Statement(f"SELECT json_group_array(json_array({listed})) {rest}")

    def rows(self, connection: Connection, params: dict[str, Any]) -> list[Any]:
        if connection.dialect.name == "sqlite":
            return list(json.loads(self.packed.rows(connection, params)[0][0]))
        return self.plain.rows(connection, params)


HISTORY_INTERVALS = Packed(
    ("account_id", "start_us", "id", "status", "end_us"),
    "FROM wb_statuses WHERE employee_id = :employee AND start_us < :b "
    "AND (end_us IS NULL OR end_us > :a)")
_CALLS = "FROM wb_calls WHERE created_us >= :a AND created_us < :b AND ended_us IS NOT NULL"
CALLS_OF = Packed(CALL_COLUMNS, _CALLS + " AND employee_id = :employee")
CALLS_ALL = Packed(CALL_COLUMNS, _CALLS + " AND employee_id IS NOT NULL")


def manager_history(connection: Connection, employee_id: str, start: datetime,
                    end: datetime, open_until: datetime, intervals_from: datetime | None = None
                    ) -> ManagerHistory:
    """Per-account intervals over [``intervals_from`` or start, end) and finished calls that
    started in [start, end). Open intervals run to ``open_until`` (now, when a recorder is
    writing; its last heartbeat otherwise)."""
    a, b = us(intervals_from or start), us(end)
    limit = us(min(open_until, end))
    rows = HISTORY_INTERVALS.rows(connection, {"employee": employee_id, "a": a, "b": b})
    rows.sort()  # by account, start, id
    moments: dict[int, datetime] = {}  # an interval ends where the next begins: made once
    per_account: dict[str, list[Interval]] = {}
    for account, start_us, _, status, end_us in rows:
        first = start_us if start_us > a else a
        last = limit if end_us is None else end_us
        if last > b:
            last = b
        if last > first:
            intervals = per_account.get(account)
            if intervals is None:
                intervals = per_account[account] = []
            begins = moments.get(first)
            if begins is None:
                begins = EPOCH + first * MICROSECOND
            ends = moments[last] = EPOCH + last * MICROSECOND
            intervals.append(Interval(begins, ends, STATUSES[status]))
    accounts = tuple(AccountTimeline(account_id=k, intervals=tuple(v))
                     for k, v in per_account.items())
    return ManagerHistory(employee_id=employee_id, start=start, end=end, accounts=accounts,
                          calls=tuple(call_log(connection, employee_id, start, end)))


def call_log(connection: Connection, employee_id: str | None, start: datetime,
             end: datetime) -> list[CallRecord]:
    """Finished calls that started in [start, end), oldest first."""
    window = {"a": us(start), "b": us(end)}
    if employee_id is None:
        rows = CALLS_ALL.rows(connection, window)
    else:
        rows = CALLS_OF.rows(connection, {**window, "employee": employee_id})
    rows.sort(key=lambda row: (row[7], row[0]))  # by start, then id
    return [_record(row) for row in rows]


def _record(row: Any) -> CallRecord:
    """A row of :data:`CALL_COLUMNS` as a call record."""
    (call_id, employee_id, kind, client, business, routing, _, created, answered, ended,
     recording, _) = row
    return CallRecord(
        id=call_id, employee_id=employee_id, type=CALL_TYPES[kind],
        client_number=client or "", business_number=business or "",
        started_at=EPOCH + created * MICROSECOND,
        answered_at=None if answered is None else EPOCH + answered * MICROSECOND,
        ended_at=EPOCH + ended * MICROSECOND, routing_scheme=routing,
        recording_url=recording)


# -- replay ------------------------------------------------------------------------------------
def employees_at(connection: Connection, moment: datetime) -> list[Employee]:
    """The managers with the statuses their accounts had at ``moment``."""
    statuses = schema.statuses
    t = us(moment)
    now_status = {row.account_id: AgentStatus(row.status) for row in connection.execute(
        select(statuses.c.account_id, statuses.c.status)
        .where(statuses.c.start_us <= t, or_(statuses.c.end_us.is_(None),
                                             statuses.c.end_us > t)))}
    out = []
    for row in connection.execute(select(schema.employees).order_by(schema.employees.c.id)):
        accounts = tuple(
            SipAccount(id=account, number=number, user_agent=agent,
                       status=now_status.get(account, AgentStatus.OFFLINE))
            for account, number, agent in json.loads(row.accounts))
        out.append(Employee(id=row.id, name=row.name, department=row.department,
                            project=row.project, accounts=accounts))
    return out


def calls_at(connection: Connection, moment: datetime) -> list[Call]:
    """The calls live at ``moment``, each as its last recorded change before it."""
    changes = schema.call_changes
    t = us(moment)
    live = (select(schema.calls.c.id)
            .where(schema.calls.c.created_us <= t,
                   or_(schema.calls.c.ended_us.is_(None), schema.calls.c.ended_us > t),
                   schema.calls.c.origin == "live"))
    last = (select(changes.c.call_id, func.max(changes.c.seq).label("seq"))
            .where(changes.c.at_us <= t, changes.c.data.is_not(None),
                   changes.c.call_id.in_(live))
            .group_by(changes.c.call_id).subquery())
    rows = connection.execute(select(changes.c.data).join(
        last, and_(changes.c.call_id == last.c.call_id, changes.c.seq == last.c.seq)))
    return [Call.model_validate_json(row.data) for row in rows]


Change = tuple[int, int, str, str | None, str | None, str | None]
"""(µs, 0 for a call / 1 for a status, call or account id, call JSON (None: it ended) or
the status, -, the manager of a status change) — raw rows, decoded only when shown."""


def recorded_changes(connection: Connection, start: datetime, end: datetime) -> list[Change]:
    """Call changes and account status changes in (start, end], in order, undecoded."""
    a, b = us(start), us(end)
    changes, statuses = schema.call_changes, schema.statuses
    out: list[Change] = [
        (row[0], 0, row[1], row[2], None, None) for row in connection.execute(
            select(changes.c.at_us, changes.c.call_id, changes.c.data)
            .where(changes.c.at_us > a, changes.c.at_us <= b).order_by(changes.c.seq))]
    out.extend((row[0], 1, row[1], row[2], None, row[3]) for row in connection.execute(
        select(statuses.c.start_us, statuses.c.account_id, statuses.c.status,
               statuses.c.employee_id)
        .where(statuses.c.start_us > a, statuses.c.start_us <= b)))
    out.sort(key=lambda change: (change[0], change[1]))
    return out


def as_events(changes: list[Change], live: set[str]) -> list[Event]:
    """The events that bring a board from before ``changes`` to after them: each call's
    last change only, and each account's last status (a burst at x60 decodes a call once).
    ``live`` (the calls on the board) is kept up to date."""
    from wallboard.core.events import AccountStatusChanged

    calls: dict[str, tuple[int, str | None]] = {}
    accounts: dict[str, tuple[int, str, str]] = {}
    for micros, kind, key, data, _, employee in changes:
        if kind == 0:
            calls[key] = (micros, data)
        elif data is not None and employee is not None:
            accounts[key] = (micros, data, employee)
    events: list[Event] = []
    for call_id, (micros, data) in calls.items():
        if data is None:
            if call_id in live:
                live.discard(call_id)
                events.append(CallEnded(call_id=call_id, at=at(micros)))
        else:
            live.add(call_id)
            events.append(CallUpserted(call=Call.model_validate_json(data)))
    for account, (micros, status, employee) in accounts.items():
        events.append(AccountStatusChanged(employee_id=employee, account_id=account,
                                           status=AgentStatus(status), at=at(micros)))
    return events


def recorded_range(connection: Connection) -> tuple[datetime, datetime] | None:
    changes = schema.call_changes
    row = connection.execute(select(func.min(changes.c.at_us), func.max(changes.c.at_us))).one()
    return (at(row[0]), at(row[1])) if row[0] is not None else None


def dump_event(event: Event) -> str:
    return EVENT_ADAPTER.dump_json(event).decode()
