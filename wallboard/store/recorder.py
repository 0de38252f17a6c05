"""The recorder: every effective change the service applies, written to the store.

On the event loop it only turns events into small write operations (microseconds each);
every :data:`FLUSH_SECONDS` the store's thread, woken by its own timer, takes them and
writes them in one transaction, with a heartbeat, appended to the journal as one row. The
event loop is not woken for it, and a stalled event loop does not stop the heartbeat.
Every :data:`APPLY_SECONDS` (and before any history question, at a clean stop, and when
the next recorder takes over) the journal's operations are written to the tables in one
transaction. So a frame never waits for the disk, a kill -9 loses at most the last flush,
and the indexes by manager are written once per few seconds rather than every second. A
store in memory (the demo's) has no journal and no heartbeat: it is written every
:data:`MEMORY_APPLY_SECONDS`.

One recorder writes a store at a time (a lock row with a heartbeat): a second ``serve``
sharing a PostgreSQL store stands by and takes over when the first one's heartbeat is
:data:`STALE_SECONDS` old. Taking over (or starting again after a stop) closes what was
open at the last heartbeat, records the gap as *unknown*, and reconciles with the live
state: a call live before and after is one call, a call gone meanwhile ended at the last
heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pydantic_core
from sqlalchemy import Connection, delete, insert, select, update

from wallboard.core.clock import Clock
from wallboard.core.events import (
    AccountStatusChanged,
    AgentChanged,
    CallEnded,
    CallUpserted,
    ConnectionChanged,
    EmployeeRemoved,
    EmployeeUpserted,
    Event,
    Link,
    ListenChanged,
    QueueUpserted,
    Snapshot,
)
from wallboard.core.listen import ListenSession
from wallboard.core.models import AgentStatus, Call, CallStatus, Employee
from wallboard.heap import paused
from wallboard.store import queues as queue_store
from wallboard.store import schema
from wallboard.store.db import Store, StoreError, set_meta
from wallboard.store.journal import JournalError, Line
from wallboard.store.writes import APPEND, EMPTY_JOURNAL, HEARTBEAT, current, write_batch

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
"""A kill -9 loses at most the changes of the last second."""
APPLY_SECONDS = 10.0
"""The journal is applied to the tables this often: ten seconds of changes written together
touch far fewer pages of the indexes by manager than ten writes of one second each
(docs/store.md). Another process reading the store (a replica, an export) sees the tables
up to this late."""
FILE_APPLY_SECONDS = 60.0
"""A SQLite file's tables are written this often: its journal is a file, so a second costs
one line and no transaction, and nobody else reads the tables meanwhile but a local
``export``/``replay`` or a standby on the same machine (which then see them up to a minute
late). A minute's changes written at once touch fewer pages than six writes of ten seconds
(measured in docs/store.md). PostgreSQL, which replicas and an HA pair read, keeps
:data:`APPLY_SECONDS`."""
JOURNAL_SEQ = "journal_seq"
"""The wb_meta key naming the last line of a journal file the tables hold."""
MEMORY_APPLY_SECONDS = 60.0
"""A store in memory (the demo's) is written this often, and between times not touched at
all: nobody else reads it, a kill -9 loses it whole anyway, and a history question writes
what is pending first. In a replay of captured flushes, writing a minute at once cost 40 %
less per second of changes than writing every ten seconds (docs/store.md)."""
STALE_SECONDS = 5.0
"""A lock whose heartbeat is older than this belongs to a recorder that is gone."""
MAX_PENDING = 200_000
"""Operations kept while the store is unreachable; older ones are dropped (and said)."""
PRUNE_EVERY = timedelta(hours=24)
LOCK = "recorder"
STOPPED = "(stopped)"
"""The lock's owner after a clean stop: the next recorder takes over at once."""

Op = tuple[Any, ...]


@dataclass
class _Mirror:
    """What the store holds open now: calls (status, manager) and each account's status."""

    calls: dict[str, tuple[CallStatus, str | None]] = field(default_factory=dict)
    accounts: dict[str, tuple[str, AgentStatus, int]] = field(default_factory=dict)
    """account id -> (manager, status, since when in µs)."""
    employees: dict[str, Employee] = field(default_factory=dict)


class Recorder:
    def __init__(self, store: Store, clock: Clock, live: Callable[[], Snapshot], *,
                 keep_days: int = 400, notify: Callable[[str, str], None] | None = None
                 ) -> None:
        self.store = store
        self.clock = clock
        self.live = live
        """The service's state now, as a snapshot (for taking over)."""
        self.keep_days = keep_days
        self.notify = notify or (lambda message, severity: None)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False
        self.first_recorded_at: datetime | None = None
        self.last_heartbeat: datetime | None = None
        self._mirror = _Mirror()
        self._changed_at: dict[str, int] = {}
        """Each open call's last recorded change (µs)."""
        self._queues = queue_store.QueueMirror()
        self._ops: list[Op] = []
        self._journaled: list[Op] = []
        """Operations in the journal, not yet in the tables."""
        self._seq = 0
        """The last line of a journal file (a SQLite file's, store/journal.py)."""
        self._applied_at: float | None = None
        """When the journal was last applied (time.monotonic(), on the store's thread)."""
        self._lost_at: int | None = None
        self._last_prune: datetime | None = None
        self._problem: str | None = None
        self._dropped = 0
        self._lock = threading.Lock()
        """Between the event loop adding operations and the store's thread taking them."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lost_lead = asyncio.Event()

    @property
    def apply_seconds(self) -> float:
        """How often the tables are written (a store in memory, a SQLite file, PostgreSQL)."""
        if self.store.memory:
            return MEMORY_APPLY_SECONDS
        return FILE_APPLY_SECONDS if self.store.journal is not None else APPLY_SECONDS

    # -- the event loop side: cheap ------------------------------------------------------
    def record(self, effective: Iterable[Event], when: datetime | None = None) -> None:
        """Turn what changed (at ``when``, default now) into write operations; nothing is
        written here."""
        if not self.leading:
            return
        with self._lock:
            self._record(effective, schema.us(when or self.clock.now()))

    def _record(self, effective: Iterable[Event], now: int) -> None:
        # the commonest first, each by one isinstance (a minute of a busy center: some
        # 8,000 events), the rest matched in _other
        ops = self._ops
        agent_op = self._queues.agent_op
        for event in effective:
            if isinstance(event, AgentChanged):
                op = agent_op(event.agent)
                if op is not None:
                    ops.append(op)
            elif isinstance(event, CallUpserted):
                self._call(event.call, now)
            elif isinstance(event, AccountStatusChanged):
                self._status(event.employee_id, event.account_id, event.status,
                             _us(event.at, now))
            elif isinstance(event, CallEnded):
                self._end(event.call_id, _us(event.at, now))
            else:
                self._other(event, now)
        if len(self._ops) > MAX_PENDING:
            drop = len(self._ops) - MAX_PENDING
            del self._ops[:drop]
            self._dropped += drop

    def _other(self, event: Event, now: int) -> None:
        match event:
            case QueueUpserted():
                self._ops.extend(self._queues.ops(event, now))
            case Snapshot():
                self._snapshot(event, now)
                self._ops.extend(self._queues.ops(event, now))
            case EmployeeUpserted(employee=employee):
                self._employee(employee, now)
            case EmployeeRemoved(employee_id=employee_id):
                self._forget_employee(employee_id, now)
            case ConnectionChanged(link=link):
                if link is not Link.LIVE and link is not Link.CONNECTING:
                    self._lost(now)
            case ListenChanged(session=session):
                self._ops.append(("listen", _listen_row(session)))

    def add(self, ops: Iterable[Op]) -> None:
        """More operations to write with the next flush (queue outcomes, alerts: see
        store/queues.py); dropped unless this recorder leads."""
        if self.leading:
            with self._lock:
                self._ops.extend(ops)

    def _snapshot(self, snapshot: Snapshot, now: int) -> None:
        ended = self._lost_at if self._lost_at is not None else now
        fresh = {c.id for c in snapshot.calls}
        for call_id in [c for c in self._mirror.calls if c not in fresh]:
            self._end(call_id, ended)
        for call in snapshot.calls:
            self._call(call, now, resync=True)
        accounts: set[str] = set()
        for employee in snapshot.employees:
            self._employee(employee, now)
            accounts.update(a.id for a in employee.accounts)
        for account in [a for a in self._mirror.accounts if a not in accounts]:
            self._close(account, now)
        self._lost_at = None

    def _call(self, call: Call, now: int, resync: bool = False) -> None:
        before = self._mirror.calls.get(call.id)
        change = _change(before, call)
        self._mirror.calls[call.id] = (call.status, call.employee_id)
        # a known call whose manager stays is updated in place, its indexed columns untouched
        whole = before is None or before[1] != call.employee_id
        self._ops.append(_call_op(call, whole))
        if resync and before == (call.status, call.employee_id):
            return  # a resync that changes nothing that matters is no step in its life
        self._changed_at[call.id] = now
        # the whole call, for a replay: nobody replays a store in memory (no other process
        # can open it), so the demo's board does not serialize every change of every call
        data = None if self.store.memory else _call_json(call)
        self._ops.append(("change", call.id, now, change, call.employee_id,
                          call.status._value_, data))

    def _end(self, call_id: str, when: int) -> None:
        if self._mirror.calls.pop(call_id, None) is None:
            return
        self._ops.append(("end", call_id, when))  # the call log: the source's own time
        # ... but its life is recorded in order: a source's end time may precede the moment
        # its start reached us (both in one batch), and a replay must not revive the call
        step = max(when, self._changed_at.pop(call_id, when))
        self._ops.append(("change", call_id, step, "ended", None, None, None))

    def _employee(self, employee: Employee, now: int) -> None:
        if self._mirror.employees.get(employee.id) != employee:
            self._mirror.employees[employee.id] = employee
            self._ops.append(("employee", _employee_row(employee, now)))
        for account in employee.accounts:
            self._status(employee.id, account.id, account.status, now)

    def _forget_employee(self, employee_id: str, now: int) -> None:
        self._mirror.employees.pop(employee_id, None)
        for account, (owner, _, _) in list(self._mirror.accounts.items()):
            if owner == employee_id:
                self._close(account, now)

    def _status(self, employee_id: str, account: str, status: AgentStatus, when: int) -> None:
        known = self._mirror.accounts.get(account)
        if known is not None and known[:2] == (employee_id, status):
            return
        when = max(when, known[2]) if known else when
        self._mirror.accounts[account] = (employee_id, status, when)
        self._ops.append(("status", employee_id, account, status._value_, when))

    def _close(self, account: str, when: int) -> None:
        if self._mirror.accounts.pop(account, None) is not None:
            self._ops.append(("close", account, when))

    def _lost(self, now: int) -> None:
        """The source went away: from now on nobody knows the statuses."""
        if self._lost_at is None:
            self._lost_at = now
            for account, (owner, _, _) in list(self._mirror.accounts.items()):
                self._status(owner, account, AgentStatus.UNKNOWN, now)

    # -- the store's thread ---------------------------------------------------------------
    async def start(self, early: list[tuple[datetime, list[Event]]] | None = None) -> None:
        """Try to lead, first recording ``early`` (what changed since the first picture,
        with when); if another recorder leads, stand by (``tick`` retries)."""
        await self.tick(early)

    async def tick(self, early: list[tuple[datetime, list[Event]]] | None = None, *,
                   apply: bool = False) -> None:
        """One heartbeat: append what is pending to the journal (or try to take the lead);
        apply the journal to the tables when :data:`APPLY_SECONDS` have passed, or
        ``apply``. While it leads, :func:`run_recorder` leaves the beats to the store's
        thread (:meth:`beat`), which wakes for them by itself."""
        if not self.leading:
            now = self.clock.now()
            took = await self._attempt(lambda c: self._take_lead(c, now))
            if not took:
                return
            self._loop = asyncio.get_running_loop()
            self.leading = True
            if early:
                for when, events in early:
                    self.record(events, when)
            else:
                self.record([self.live()])
        await self.store.do(lambda: self.beat(apply=apply))

    def beat(self, apply: bool = False) -> None:
        """One heartbeat, on the store's thread (see :meth:`tick`)."""
        if not self.leading:
            return
        now = self.clock.now()
        with self._lock:
            ops, self._ops = self._ops, []
        moment = time.monotonic()
        memory = self.store.memory
        applying = apply or self._applied_at is None or \
            moment - self._applied_at >= self.apply_seconds
        journaled = self._journaled
        if memory and not applying:  # no journal, no other process: nothing to write yet
            journaled.extend(ops)
            self.last_heartbeat = now
            return
        journal = self.store.journal
        try:
            if applying:
                still = self.store.run(
                    lambda c: self._write(c, [*journaled, *ops], now, journal=False))
            elif journal is not None:  # a line in the file, and no transaction at all
                self._seq += 1
                journal.append(self._seq, schema.us(now), ops)
                still = True
            else:
                still = self.store.run(lambda c: self._write(c, ops, now, journal=True))
        except (StoreError, JournalError) as exc:
            with self._lock:
                self._ops[:0] = ops  # kept for the next try (bounded in record)
            self._on_loop(self._say, str(exc))
            return
        if not still:  # another recorder took the lead (and applies our journal)
            self.leading = False
            self._journaled = []
            self._applied_at = None
            if journal is not None:
                journal.release()
            self._on_loop(self._stand_by)
            return
        healthy = True
        if applying:
            self._journaled = []
            self._applied_at = moment
            if journal is not None:
                # the tables hold its lines now (and say which: wb_meta.journal_seq), so a
                # file that cannot be emptied is only longer, never applied twice
                try:
                    journal.empty()
                except JournalError as exc:
                    self._on_loop(self._say, str(exc))
                    healthy = False
        else:
            journaled.extend(ops)
        self.last_heartbeat = now
        if healthy and (self._dropped or self._problem is not None):
            self._on_loop(self._recovered)
        if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
            self._last_prune = now
            cut = schema.us(now - timedelta(days=self.keep_days))
            with contextlib.suppress(StoreError):
                self.store.run(lambda c: _prune(c, cut))

    async def lead(self, stopping: asyncio.Future[Any]) -> None:
        """Beat on the store's thread until ``stopping`` is done or the lead is lost: every
        :data:`FLUSH_SECONDS`, or for a store in memory (no heartbeat) every
        :data:`MEMORY_APPLY_SECONDS`. The thread wakes for its beats by itself, so
        recording never wakes the event loop: on a busy process a wake-up costs more than
        a second of changes does."""
        self._lost_lead.clear()
        lost = asyncio.ensure_future(self._lost_lead.wait())
        self.store.beat(MEMORY_APPLY_SECONDS if self.store.memory else FLUSH_SECONDS,
                        self.beat)
        try:
            await asyncio.wait([stopping, lost], return_when=asyncio.FIRST_COMPLETED)
        finally:
            lost.cancel()
            self.store.beat(None)

    def _on_loop(self, work: Callable[..., None], *args: Any) -> None:
        """``work`` on the event loop (from the store's thread)."""
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self._loop.call_soon_threadsafe(work, *args)

    def _stand_by(self) -> None:
        """The lead was lost (on the event loop): forget what the store held open."""
        self._mirror = _Mirror()
        self._queues.reset()
        with self._lock:
            self._ops = []
        self._say("Another recorder took over the history store; this one stands by.",
                  "information")
        self._lost_lead.set()

    async def _attempt(self, work: Callable[[Connection], bool]) -> bool:
        try:
            return await self.store.call(work)
        except (StoreError, JournalError) as exc:
            self._say(str(exc))
            return False

    def _take_lead(self, connection: Connection, now: datetime) -> bool:
        journal = self.store.journal
        if journal is not None and not journal.lead():
            return False  # the file's lock is held: its recorder is alive
        took = False
        try:
            took = self._lead_store(connection, now)
        finally:
            if journal is not None and not took:
                journal.release()
        return took

    def _lead_store(self, connection: Connection, now: datetime) -> bool:
        lock = schema.lock
        stamp = schema.us(now)
        # holding a journal file's lock, the last recorder is gone: its heartbeat is the
        # file's last line, or the lock row's (written at each apply) if later
        journal = self.store.journal
        lines = journal.read() if journal is not None else []
        row = connection.execute(select(lock.c.owner, lock.c.heartbeat_us)
                                 .where(lock.c.name == LOCK)).first()
        if row is None:
            connection.execute(insert(lock).values(name=LOCK, owner=self.owner,
                                                   heartbeat_us=stamp))
            gap = None
        elif row.owner in (self.owner, STOPPED) or journal is not None or (
                row.heartbeat_us < stamp - STALE_SECONDS * 1_000_000):
            taken = connection.execute(
                update(lock).where(lock.c.name == LOCK, lock.c.owner == row.owner,
                                   lock.c.heartbeat_us == row.heartbeat_us)
                .values(owner=self.owner, heartbeat_us=stamp))
            if taken.rowcount != 1:
                return False  # someone else was faster
            gap = row.heartbeat_us if row.owner != self.owner else None
            if gap is not None and lines:
                gap = max(gap, lines[-1].at)
        else:
            return False
        first = connection.execute(select(schema.meta.c.value)
                                   .where(schema.meta.c.key == "first_recorded_us")).scalar()
        if first is None:
            first = str(stamp)
            set_meta(connection, "first_recorded_us", first)
        self.first_recorded_at = schema.at(int(first))
        self._apply_journal(connection, lines)
        self._load(connection, gap, stamp)
        return True

    def _apply_journal(self, connection: Connection, lines: list[Line]) -> None:
        """What the last recorder appended and never applied (it was killed, or stalled
        and lost the lead), written to the tables in order: the journal table's rows, then
        the journal file's ``lines`` the tables do not hold yet."""
        rows = connection.execute(select(schema.journal.c.ops)
                                  .order_by(schema.journal.c.seq)).scalars().all()
        done, pending = unapplied(self.store, connection, lines)
        self._seq = max([done, *(line.seq for line in lines)])
        ops = current([op for row in rows for op in pydantic_core.from_json(row)] + pending)
        if ops:
            self._to_tables(connection, ops)

    def _load(self, connection: Connection, gap: int | None, now: int) -> None:
        """What the store holds open; a gap since the last heartbeat becomes unknown."""
        mirror = _Mirror()
        calls = schema.calls
        for row in connection.execute(select(calls.c.id, calls.c.status, calls.c.employee_id)
                                      .where(calls.c.ended_us.is_(None),
                                             calls.c.origin == "live")):
            mirror.calls[row.id] = (CallStatus(row.status), row.employee_id)
        statuses = schema.statuses
        open_rows = connection.execute(
            select(statuses.c.employee_id, statuses.c.account_id, statuses.c.status,
                   statuses.c.start_us).where(statuses.c.end_us.is_(None))).all()
        since = gap if gap is not None else now
        if open_rows:
            connection.execute(update(statuses).where(statuses.c.end_us.is_(None))
                               .values(end_us=since))
            connection.execute(insert(statuses), [
                {"employee_id": r.employee_id, "account_id": r.account_id,
                 "status": AgentStatus.UNKNOWN.value, "start_us": since, "end_us": None}
                for r in open_rows])
        for r in open_rows:
            mirror.accounts[r.account_id] = (r.employee_id, AgentStatus.UNKNOWN, since)
        queue_store.close_open(connection, since)
        self._queues.reset()
        self._mirror = mirror
        self._changed_at = {}
        self._lost_at = since if (mirror.calls or open_rows) else None
        self._ops = []
        self._journaled = []
        self._applied_at = None

    def _write(self, connection: Connection, ops: list[Op], now: datetime, *,
               journal: bool) -> bool:
        """The heartbeat, then ``ops`` appended to the journal (``journal``) or written to
        the tables with the journal emptied (``ops`` then holds all it held)."""
        beat = {"beat": schema.us(now), "name": LOCK, "owner": self.owner}
        if HEARTBEAT.one(connection, beat) != 1:
            return False
        if journal:
            if ops:
                APPEND.one(connection, {"ops": pydantic_core.to_json(ops).decode()})
            return True
        self._to_tables(connection, ops)
        return True

    def _to_tables(self, connection: Connection, ops: list[Op]) -> None:
        """``ops`` written to the tables, and the journal (which they include) emptied: the
        table's rows deleted, or a journal file's lines marked as applied (the file is
        emptied once this commits)."""
        dialect = self.store.dialect
        # the rows made here all die when it ends: no collection meanwhile, on SQLite (a
        # PostgreSQL write waits on the network, however long: the collector stays on)
        with paused() if dialect == "sqlite" else contextlib.nullcontext():
            write_batch(connection, ops, lambda c, op: queue_store.apply_op(c, dialect, op))
        if self.store.journal is None:
            EMPTY_JOURNAL.one(connection, {})
        else:
            set_meta(connection, JOURNAL_SEQ, str(self._seq))

    async def flush(self) -> None:
        """Write everything pending to the tables now (before answering a history
        question)."""
        if self.leading and (self._ops or self._journaled):
            await self.store.do(lambda: self.beat(apply=True))

    async def aclose(self) -> None:
        """The last write, and the lock let go; its heartbeat stays, so the next recorder
        knows when this record stopped."""
        if not self.leading:
            return
        await self.store.do(lambda: self.beat(apply=True))
        lock = schema.lock
        with contextlib.suppress(StoreError):
            await self.store.call(lambda c: c.execute(
                update(lock).where(lock.c.name == LOCK, lock.c.owner == self.owner)
                .values(owner=STOPPED)))
        self.leading = False
        if self.store.journal is not None:
            self.store.journal.release()

    # -- saying what is wrong, once ---------------------------------------------------------
    def _say(self, message: str, severity: str = "warning") -> None:
        if message != self._problem:
            self._problem = message
            log.warning("%s", message)
            self.notify(message, severity)

    def _recovered(self) -> None:
        if self._dropped:
            self._say(f"The history store was unreachable: {self._dropped} changes were not "
                      "recorded.")
            self._dropped = 0
        elif self._problem is not None and self.leading:
            self._problem = None


def _us(moment: datetime | None, default: int) -> int:
    return schema.us(moment) if moment is not None else default


def _change(before: tuple[CallStatus, str | None] | None, call: Call) -> str:
    if before is None:
        return "created"
    status, employee = before
    if employee != call.employee_id:
        return "transferred"
    if status is CallStatus.RINGING and call.status is not CallStatus.RINGING:
        return "answered"
    if call.status is CallStatus.ON_HOLD and status is not CallStatus.ON_HOLD:
        return "held"
    if status is CallStatus.ON_HOLD and call.status is CallStatus.TALKING:
        return "unheld"
    return "updated"


def _call_op(call: Call, whole: bool) -> Op:
    """The call as a ``call`` operation (its row in writes.CALL_COLUMNS' order)."""
    # _value_: an enum's value without the descriptor behind .value (a tenth of the cost,
    # and these run for every change the recorder sees)
    return ("call", whole, call.id, call.type._value_, call.status._value_, call.employee_id,
            call.client_number, call.business_number, call.routing_scheme,
            call.queue_id or call.extra.get("queue"), call.project,
            schema.us(call.created_at),
            schema.us(call.answered_at) if call.answered_at else None,
            call.recording_url, "live")


def unapplied(store: Store, connection: Connection, lines: list[Line]) -> tuple[int, list[Any]]:
    """The last line of a journal file the tables hold (:data:`JOURNAL_SEQ`), and the
    operations of ``lines`` after it."""
    done = int(store.get_meta(connection, JOURNAL_SEQ) or 0)
    return done, [op for line in lines if line.seq > done for op in line.ops]


_CALL_SERIALIZER = Call.__pydantic_serializer__


def _call_json(call: Call) -> str:
    """The call as JSON without its defaults (``model_dump_json`` without its wrapper)."""
    return _CALL_SERIALIZER.to_json(call, exclude_defaults=True).decode()


def _employee_row(employee: Employee, now: int) -> dict[str, Any]:
    import json

    return {"id": employee.id, "name": employee.name, "department": employee.department,
            "project": employee.project, "seen_us": now,
            "accounts": json.dumps([[a.id, a.number, a.user_agent] for a in employee.accounts],
                                   ensure_ascii=False)}


def _listen_row(session: ListenSession) -> dict[str, Any]:
    return {"id": session.id, "call_id": session.call_id, "employee_id": session.employee_id,
            "supervisor": session.supervisor, "mode": session.mode.value,
            "muted": int(session.muted), "state": session.state.value,
            "started_us": schema.us(session.started_at),
            "ended_us": schema.us(session.ended_at) if session.ended_at else None,
            "message": session.message or None}


def _prune(connection: Connection, cut: int) -> None:
    """Forget what is older than ``[store] keep_days``."""
    connection.execute(delete(schema.calls).where(schema.calls.c.ended_us < cut))
    connection.execute(delete(schema.call_changes).where(schema.call_changes.c.at_us < cut))
    connection.execute(delete(schema.statuses).where(schema.statuses.c.end_us < cut))
    sessions = schema.listen_sessions
    connection.execute(delete(sessions).where(sessions.c.ended_us < cut))
    queue_store.prune(connection, cut)


async def run_recorder(recorder: Recorder, closed: asyncio.Event) -> None:
    """Heartbeats until ``closed``, then the last write. A recorder standing by tries to
    take the lead every :data:`FLUSH_SECONDS`; one that leads leaves its beats to the
    store's thread (:meth:`Recorder.lead`)."""
    stopping = asyncio.ensure_future(closed.wait())
    try:
        while not closed.is_set():
            if recorder.leading:
                await recorder.lead(stopping)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(stopping), FLUSH_SECONDS)
            if not closed.is_set():
                await recorder.tick()
    finally:
        stopping.cancel()
    await recorder.aclose()
