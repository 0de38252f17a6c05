"""The recorder and the history it answers, on SQLite and PostgreSQL alike.

A scripted source drives the real service (which opens the real store); every expected
value is a literal from the script.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tests.support.sources import ScriptedSource
from wallboard.audit import AuditLog
from wallboard.core.clock import ManualClock
from wallboard.core.events import AccountStatusChanged, CallEnded, CallUpserted, Event, Snapshot
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType, Employee, SipAccount
from wallboard.service import WallboardService
from wallboard.store import queries, schema
from wallboard.store import recorder as recorder_module

T0 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
S = timedelta(seconds=1)
O, T, F, U = AgentStatus.ONLINE, AgentStatus.TALKING, AgentStatus.OFFLINE, AgentStatus.UNKNOWN


def anna(first: AgentStatus = O) -> Employee:
    return Employee(id="e1", name="Anna Nowak", department="Sales", accounts=(
        SipAccount(id="PJSIP/1001", number="1001", status=first),
        SipAccount(id="PJSIP/1002", number="1002", status=F)))


def call(cid: str, status: CallStatus = CallStatus.RINGING, answered: datetime | None = None,
         created: datetime = T0 - 10 * S, revision: int = 0) -> Call:
    return Call(id=cid, type=CallType.INCOMING, status=status, employee_id="e1",
                client_number="+48 501 234 567", business_number="+48 22 100 20 30",
                created_at=created, answered_at=answered, routing_scheme="Main line",
                revision=revision)


class Run:
    def __init__(self, service: WallboardService, source: ScriptedSource, clock: ManualClock):
        self.service, self.source, self.clock = service, source, clock

    async def at(self, moment: datetime, *events: Event) -> None:
        """Move the clock, deliver events, and wait until they are applied and written to
        the tables."""
        await self.step(moment, *events, apply=True)

    async def step(self, moment: datetime, *events: Event, apply: bool = False) -> None:
        """Like :meth:`at`, but a plain heartbeat: seconds after the journal was applied,
        what changed is appended to the journal only."""
        self.clock.set(moment)
        if events:
            before = self.service.state.events_applied
            self.source.push(*events)
            while self.service.state.events_applied < before + len(events):
                await asyncio.sleep(0.005)
        recorder = self.service.recorder
        assert recorder is not None
        await recorder.tick(apply=apply)

    async def tables(self) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
        """What the tables hold now: the calls (id, status, answered, ended), PJSIP/1001's
        intervals (status, start, end), and how many rows the journal has."""
        def read(c):  # type: ignore[no-untyped-def]
            calls = c.execute(select(
                schema.calls.c.id, schema.calls.c.status, schema.calls.c.answered_us,
                schema.calls.c.ended_us).order_by(schema.calls.c.id)).all()
            statuses = c.execute(select(
                schema.statuses.c.status, schema.statuses.c.start_us, schema.statuses.c.end_us)
                .where(schema.statuses.c.account_id == "PJSIP/1001")
                .order_by(schema.statuses.c.start_us)).all()
            journal = c.execute(select(func.count())
                                .select_from(schema.journal)).scalar()
            applied = c.execute(select(schema.meta.c.value)
                                .where(schema.meta.c.key == "journal_seq")).scalar()
            return ([tuple(r) for r in calls], [tuple(r) for r in statuses], journal,
                    int(applied or 0))

        store = self.service.recorder.store  # type: ignore[union-attr]
        calls, statuses, journal, applied = await store.call(read)
        if store.journal is not None:  # a SQLite file's journal is a file beside it
            journal += sum(1 for line in store.journal.read() if line.ops and line.seq > applied)
        return calls, statuses, journal

    async def last_beat(self) -> int:
        """The leading recorder's last heartbeat (µs): the lock row's, or on a SQLite file
        its journal file's last line."""
        store = self.service.recorder.store  # type: ignore[union-attr]
        beat = await store.call(lambda c: c.execute(select(schema.lock.c.heartbeat_us)).scalar())
        if store.journal is not None:
            beat = max([beat, *(line.at for line in store.journal.read())])
        return int(beat)

    async def history(self, start: datetime, end: datetime):  # type: ignore[no-untyped-def]
        return await self.service.history("e1", start, end)

    async def timeline(self, account: str, start: datetime, end: datetime
                       ) -> list[tuple[AgentStatus, datetime, datetime]]:
        history = await self.history(start, end)
        for timeline in history.accounts:
            if timeline.account_id == account:
                return [(iv.status, iv.start, iv.end) for iv in timeline.intervals]
        return []


@asynccontextmanager
async def running(store_url: str, clock: ManualClock, first: Snapshot, *,
                  keep_days: int = 400, release: bool = True) -> AsyncIterator[Run]:
    """The service over a scripted source, recording into ``store_url``.

    ``release=False`` leaves as a kill -9 would: no last write, the lock not let go.
    """
    source = ScriptedSource(first)
    service = WallboardService(source, clock, audit=AuditLog(None, clock),
                               store_url=store_url, keep_days=keep_days)
    task = asyncio.create_task(service.run())
    recorder = await service.wait_recording(timeout=20)
    assert recorder is not None and recorder.leading, "the recorder never started"
    try:
        yield Run(service, source, clock)
    finally:
        if release:
            await service.aclose()
        else:  # as if killed: nothing more is written, the lock is not let go
            service._stop_recording.set()  # noqa: SLF001
            recorder.leading = False
            await source.aclose()
            await asyncio.to_thread(recorder.store.close)
        task.cancel()


async def test_a_finished_call_and_the_statuses_around_it(store_url: str):
    clock = ManualClock(T0)
    async with running(store_url, clock, Snapshot(calls=(call("c1"),),
                                                  employees=(anna(),))) as run:
        await run.at(T0 + 20 * S,
                     CallUpserted(call=call("c1", CallStatus.TALKING, T0 + 20 * S, revision=1)),
                     AccountStatusChanged(employee_id="e1", account_id="PJSIP/1001",
                                          status=T, at=T0 + 20 * S))
        await run.at(T0 + 217 * S, CallEnded(call_id="c1", at=T0 + 217 * S),
                     AccountStatusChanged(employee_id="e1", account_id="PJSIP/1001",
                                          status=O, at=T0 + 217 * S))
        await run.at(T0 + 300 * S)
        history = await run.history(T0 - timedelta(hours=1), T0 + 300 * S)
        (record,) = history.calls
        assert (record.id, record.started_at, record.answered_at, record.ended_at) == (
            "c1", T0 - 10 * S, T0 + 20 * S, T0 + 217 * S)
        assert record.talk_seconds == 197  # 3:17
        assert record.routing_scheme == "Main line"
        assert await run.timeline("PJSIP/1001", T0 - timedelta(hours=1), T0 + 300 * S) == [
            (O, T0, T0 + 20 * S), (T, T0 + 20 * S, T0 + 217 * S), (O, T0 + 217 * S, T0 + 300 * S)]
        assert await run.timeline("PJSIP/1002", T0, T0 + 300 * S) == [(F, T0, T0 + 300 * S)]


async def test_a_restart_keeps_one_call_and_records_the_gap_as_unknown(store_url: str):
    clock = ManualClock(T0)
    first = Snapshot(calls=(call("c1"), call("c3")), employees=(anna(),))
    async with running(store_url, clock, first, release=False) as run:
        await run.at(T0 + 20 * S,
                     CallUpserted(call=call("c1", CallStatus.TALKING, T0 + 20 * S, revision=1)),
                     AccountStatusChanged(employee_id="e1", account_id="PJSIP/1001",
                                          status=T, at=T0 + 20 * S))
        await run.at(T0 + 60 * S)  # the last heartbeat before the crash
    clock.set(T0 + 600 * S)
    again = Snapshot(calls=(call("c1", CallStatus.TALKING, T0 + 20 * S, revision=1),
                            call("c2", created=T0 + 590 * S)),
                     employees=(anna(T),))
    async with running(store_url, clock, again) as run:
        await run.at(T0 + 660 * S)
        timeline = await run.timeline("PJSIP/1001", T0, T0 + 660 * S)
        assert timeline == [(O, T0, T0 + 20 * S), (T, T0 + 20 * S, T0 + 60 * S),
                            (U, T0 + 60 * S, T0 + 600 * S), (T, T0 + 600 * S, T0 + 660 * S)]
        rows = await run.service.recorder.store.call(  # type: ignore[union-attr]
            lambda c: c.execute(queries.select(queries.schema.calls.c.id,
                                               queries.schema.calls.c.ended_us)).all())
        ended = {row.id: row.ended_us for row in rows}
        assert sorted(ended) == ["c1", "c2", "c3"]  # c1 is one call, not two
        assert ended["c1"] is None and ended["c2"] is None
        assert ended["c3"] == queries.us(T0 + 60 * S)  # gone meanwhile: ended at the crash


async def test_seconds_between_applies_wait_in_the_journal_and_a_question_applies_them(
        store_url: str):
    clock = ManualClock(T0)
    async with running(store_url, clock, Snapshot(calls=(call("c1"),),
                                                  employees=(anna(),))) as run:
        await run.at(T0 + 1 * S)
        await run.step(T0 + 20 * S,
                       CallUpserted(call=call("c1", CallStatus.TALKING, T0 + 20 * S, revision=1)),
                       AccountStatusChanged(employee_id="e1", account_id="PJSIP/1001",
                                            status=T, at=T0 + 20 * S))
        await run.step(T0 + 30 * S, CallEnded(call_id="c1", at=T0 + 30 * S))
        calls, statuses, journal = await run.tables()
        assert calls == [("c1", "ringing", None, None)]  # the tables as of T0 + 1 s
        assert statuses == [("online", queries.us(T0), None)]
        assert journal == 2  # one row per heartbeat that had changes
        # a history question applies the journal first
        (record,) = (await run.history(T0 - timedelta(hours=1), T0 + 30 * S)).calls
        assert (record.answered_at, record.ended_at) == (T0 + 20 * S, T0 + 30 * S)
        calls, statuses, journal = await run.tables()
        assert calls == [("c1", "talking", queries.us(T0 + 20 * S), queries.us(T0 + 30 * S))]
        assert statuses == [("online", queries.us(T0), queries.us(T0 + 20 * S)),
                            ("talking", queries.us(T0 + 20 * S), None)]
        assert journal == 0


async def test_a_store_in_memory_keeps_its_pending_seconds_in_memory_not_in_a_journal():
    clock = ManualClock(T0)
    async with running("memory", clock, Snapshot(calls=(call("c1"),),
                                                employees=(anna(),))) as run:
        await run.at(T0 + 1 * S)
        await run.step(T0 + 20 * S, CallEnded(call_id="c1", at=T0 + 20 * S))
        calls, _, journal = await run.tables()
        assert calls == [("c1", "ringing", None, None)]  # the tables as of T0 + 1 s
        assert journal == 0  # nothing serialized: the changes wait in memory
        beat = await run.service.recorder.store.call(  # type: ignore[union-attr]
            lambda c: c.execute(select(schema.lock.c.heartbeat_us)).scalar())
        assert beat == queries.us(T0 + 1 * S)  # and no heartbeat: nobody else reads it
        steps = await run.service.recorder.store.call(  # type: ignore[union-attr]
            lambda c: c.execute(select(schema.call_changes.c.change, schema.call_changes.c.data)
                                .order_by(schema.call_changes.c.seq)).all())
        assert [tuple(r) for r in steps] == [("created", None)]  # no JSON: nobody replays it
        (record,) = (await run.history(T0 - timedelta(hours=1), T0 + 20 * S)).calls
        assert record.ended_at == T0 + 20 * S


async def test_a_killed_recorder_s_journal_is_applied_by_the_next_one(store_url: str):
    clock = ManualClock(T0)
    first = Snapshot(calls=(call("c1"),), employees=(anna(),))
    async with running(store_url, clock, first, release=False) as run:
        await run.at(T0 + 1 * S)
        await run.step(T0 + 20 * S,
                       CallUpserted(call=call("c1", CallStatus.TALKING, T0 + 20 * S, revision=1)),
                       AccountStatusChanged(employee_id="e1", account_id="PJSIP/1001",
                                            status=T, at=T0 + 20 * S))
        await run.step(T0 + 21 * S)  # the last heartbeat before the kill
        calls, _, journal = await run.tables()
        assert calls == [("c1", "ringing", None, None)] and journal == 1
    clock.set(T0 + 600 * S)
    again = Snapshot(calls=(call("c1", CallStatus.TALKING, T0 + 20 * S, revision=1),),
                     employees=(anna(T),))
    async with running(store_url, clock, again) as run:
        await run.at(T0 + 660 * S)
        calls, statuses, journal = await run.tables()
        assert calls == [("c1", "talking", queries.us(T0 + 20 * S), None)]
        assert journal == 0
        # the killed recorder's last seconds kept: talking from 0:20 to its last heartbeat
        assert await run.timeline("PJSIP/1001", T0, T0 + 660 * S) == [
            (O, T0, T0 + 20 * S), (T, T0 + 20 * S, T0 + 21 * S),
            (U, T0 + 21 * S, T0 + 600 * S), (T, T0 + 600 * S, T0 + 660 * S)]


async def test_a_second_recorder_stands_by_and_takes_over(store_url: str):
    clock_a, clock_b = ManualClock(T0), ManualClock(T0 + 1 * S)
    snapshot = Snapshot(calls=(call("c1"),), employees=(anna(),))
    async with running(store_url, clock_a, snapshot, release=False) as a:
        source = ScriptedSource(snapshot)
        b = WallboardService(source, clock_b, audit=AuditLog(None, clock_b),
                             store_url=store_url)
        task = asyncio.create_task(b.run())
        for _ in range(500):
            if b.recorder is not None:
                break
            await asyncio.sleep(0.02)
        assert b.recorder is not None and not b.recorder.leading  # a is alive
        await a.at(T0 + 3 * S)
    clock_b.set(T0 + 9 * S)  # a's heartbeat (T0 + 3 s) is now stale
    await b.recorder.tick()
    assert b.recorder.leading
    await b.aclose()
    task.cancel()


async def test_old_history_is_pruned(store_url: str):
    clock = ManualClock(T0)
    async with running(store_url, clock, Snapshot(calls=(call("c1"),), employees=(anna(),)),
                       keep_days=1) as run:
        await run.at(T0 + 30 * S, CallEnded(call_id="c1", at=T0 + 30 * S))
        assert [c.id for c in await run.service.call_log("e1", T0 - 60 * S, T0 + 60 * S)] == ["c1"]
        await run.at(T0 + timedelta(days=2))
        assert await run.service.call_log("e1", T0 - 60 * S, T0 + 60 * S) == []


async def test_the_heartbeat_goes_on_while_the_event_loop_is_busy(store_url: str,
                                                                 monkeypatch):
    """A leading recorder's beats are the store thread's own: they never wake the event
    loop, and go on while it is blocked (times shrunk)."""
    monkeypatch.setattr(recorder_module, "FLUSH_SECONDS", 0.05)
    clock = ManualClock(T0)
    async with running(store_url, clock, Snapshot(calls=(call("c1"),),
                                                 employees=(anna(),))) as run:
        # the thread beats by itself once the recorder's lead is set up on the loop
        clock.set(T0 + 1 * S)
        recorder = run.service.recorder
        assert recorder is not None
        for _ in range(200):
            if recorder.last_heartbeat == T0 + 1 * S:
                break
            await asyncio.sleep(0.01)
        clock.set(T0 + 7 * S)
        time.sleep(1.0)  # the event loop blocked: nothing on it runs meanwhile
        assert await run.last_beat() == queries.us(T0 + 7 * S)


async def test_a_store_in_memory_is_written_only_every_memory_apply_seconds(monkeypatch):
    monkeypatch.setattr(recorder_module, "FLUSH_SECONDS", 0.02)
    monkeypatch.setattr(recorder_module, "MEMORY_APPLY_SECONDS", 2.0)
    clock = ManualClock(T0)
    async with running("memory", clock, Snapshot(calls=(call("c1"),),
                                                employees=(anna(),))) as run:
        started = time.monotonic()
        run.source.push(CallEnded(call_id="c1", at=T0 + 5 * S))
        await asyncio.sleep(0.3)
        calls, _, _ = await run.tables()
        assert calls == [("c1", "ringing", None, None)]  # not yet: it waits in memory
        while calls[0][3] is None and time.monotonic() - started < 10:
            await asyncio.sleep(0.05)
            calls, _, _ = await run.tables()
        assert calls == [("c1", "ringing", None, queries.us(T0 + 5 * S))]
        assert time.monotonic() - started > 1.0  # written at the beat, not at a flush


async def test_a_sqlite_file_s_leader_is_its_journal_file_s_lock(tmp_path):
    """On a SQLite file the journal is a file beside it, one line a second, and its lock
    names the recorder that writes: a standby waits however old the lock row's heartbeat
    looks (it is written only with the tables), and takes over the moment the leader dies,
    not 5 s later."""
    url = str(tmp_path / "history.sqlite3")
    clock_a, clock_b = ManualClock(T0), ManualClock(T0 + 60 * S)
    snapshot = Snapshot(calls=(call("c1"),), employees=(anna(),))
    async with running(url, clock_a, snapshot, release=False) as a:
        await a.step(T0 + 1 * S,
                     CallUpserted(call=call("c1", CallStatus.TALKING, T0 + 1 * S, revision=1)),
                     AccountStatusChanged(employee_id="e1", account_id="PJSIP/1001",
                                          status=T, at=T0 + 1 * S))
        await a.step(T0 + 2 * S)
        assert (tmp_path / "history.sqlite3-wbjournal").is_file()
        assert await a.last_beat() == queries.us(T0 + 2 * S)
        source = ScriptedSource(snapshot)
        b = WallboardService(source, clock_b, audit=AuditLog(None, clock_b), store_url=url)
        task = asyncio.create_task(b.run())
        for _ in range(500):
            if b.recorder is not None:
                break
            await asyncio.sleep(0.02)
        assert b.recorder is not None
        await b.recorder.tick()
        assert not b.recorder.leading  # the row's heartbeat is a minute old, but a is alive
    # a died a second after its last line; its lock row's heartbeat (T0) is 3 s old, which
    # would not be stale yet: the file's lock, let go by the death, says it at once
    clock_b.set(T0 + 3 * S)
    await b.recorder.tick()
    assert b.recorder.leading
    history = await b.history("e1", T0, T0 + 3 * S)
    (timeline,) = [t for t in history.accounts if t.account_id == "PJSIP/1001"]
    assert [(iv.status, iv.start, iv.end) for iv in timeline.intervals] == [
        (O, T0, T0 + 1 * S), (T, T0 + 1 * S, T0 + 2 * S), (U, T0 + 2 * S, T0 + 3 * S)]
    await b.aclose()
    task.cancel()


async def test_journal_lines_already_in_the_tables_are_not_applied_twice(tmp_path, monkeypatch):
    """Killed after the tables were written but before its journal file was emptied: the
    next recorder skips the lines the tables hold (wb_meta.journal_seq)."""
    from wallboard.store.journal import FileJournal

    url = str(tmp_path / "history.sqlite3")
    clock = ManualClock(T0)
    first = Snapshot(calls=(call("c1"),), employees=(anna(),))
    async with running(url, clock, first, release=False) as run:
        monkeypatch.setattr(FileJournal, "empty", lambda self: None)  # the kill comes first
        await run.step(T0 + 20 * S,
                       CallUpserted(call=call("c1", CallStatus.TALKING, T0 + 20 * S, revision=1)))
        await run.step(T0 + 21 * S, CallEnded(call_id="c1", at=T0 + 21 * S))
        await run.at(T0 + 22 * S)  # the tables written, the file not emptied
        lines = run.service.recorder.store.journal.read()  # type: ignore[union-attr]
        assert [len(line.ops) for line in lines] == [2, 2]
    monkeypatch.undo()
    clock.set(T0 + 100 * S)
    async with running(url, clock, Snapshot(employees=(anna(),))) as run:
        await run.at(T0 + 101 * S)
        steps = await run.service.recorder.store.call(  # type: ignore[union-attr]
            lambda c: c.execute(select(schema.call_changes.c.change)
                                .order_by(schema.call_changes.c.seq)).scalars().all())
        assert steps == ["created", "answered", "ended"]  # each once


async def test_the_table_write_on_sqlite_runs_no_garbage_collection(tmp_path):
    """The minute's rows all die when the write ends: a collection inside it would only walk
    and promote them (wallboard/heap.py, paused). 2,000 calls, each upserted and changed,
    are thousands of rows: at the collector's usual threshold (700) the write would start
    several collections. (On PostgreSQL the collector stays on: a write there waits on the
    network.)"""
    store_url = str(tmp_path / "history.sqlite3")
    import gc
    import sys

    inside: list[int] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_name == "write_batch":
                inside.append(info["generation"])
                return
            frame = frame.f_back

    clock = ManualClock(T0)
    async with running(store_url, clock, Snapshot(employees=(anna(),))) as run:
        threshold = gc.get_threshold()
        gc.set_threshold(700, 10, 10)
        gc.callbacks.append(watch)
        try:
            await run.at(T0 + S, *(CallUpserted(call=call(f"c{n}")) for n in range(2000)))
        finally:
            gc.callbacks.remove(watch)
            gc.set_threshold(*threshold)
        calls, _, journal = await run.tables()
        assert len(calls) == 2000 and journal == 0  # written, all of it
        assert inside == []


async def test_a_journal_written_before_rows_were_tuples_is_applied(tmp_path):
    """A recorder of the version before (its rows were dicts) was killed with a line in its
    journal file; this version applies that line as the old one would have."""
    import json

    url = tmp_path / "history.sqlite3"
    us = queries.us
    old = {"seq": 1, "at": us(T0 + 5 * S), "ops": [
        ["call", {"id": "c9", "type": "incoming", "status": "talking", "employee_id": "e1",
                  "client_number": "+48 501 234 567", "business_number": "+48 22 100 20 30",
                  "routing_scheme": "Main line", "queue_id": "sales", "project": "default",
                  "created_us": us(T0), "answered_us": us(T0 + 2 * S), "recording_url": None,
                  "origin": "live"}, True],
        ["change", {"call_id": "c9", "at_us": us(T0 + 2 * S), "change": "answered",
                    "employee_id": "e1", "status": "talking", "data": None}],
        ["end", "c9", us(T0 + 4 * S)],
        ["change", {"call_id": "c9", "at_us": us(T0 + 4 * S), "change": "ended",
                    "employee_id": None, "status": None, "data": None}],
        ["agent_state", {"employee_id": "e1", "state": "wrapup", "reason": None,
                         "queues": "sales", "start_us": us(T0 + 4 * S), "end_us": None}],
        ["outcome", {"at_us": us(T0 + 4 * S), "queue_id": "sales", "kind": "handled",
                     "key": "c9", "seconds_us": 2_000_000, "within": 1}]]}
    (tmp_path / "history.sqlite3-wbjournal").write_text(json.dumps(old) + "\n")
    clock = ManualClock(T0 + 60 * S)
    async with running(str(url), clock, Snapshot(employees=(anna(),))) as run:
        def read(c):  # type: ignore[no-untyped-def]
            calls = c.execute(select(
                schema.calls.c.id, schema.calls.c.status, schema.calls.c.employee_id,
                schema.calls.c.queue_id, schema.calls.c.client_number,
                schema.calls.c.created_us, schema.calls.c.answered_us,
                schema.calls.c.ended_us)).all()
            changes = c.execute(select(schema.call_changes.c.call_id,
                                       schema.call_changes.c.change, schema.call_changes.c.at_us)
                                .order_by(schema.call_changes.c.seq)).all()
            agents = c.execute(select(
                schema.agent_states.c.employee_id, schema.agent_states.c.state,
                schema.agent_states.c.queues, schema.agent_states.c.start_us)).all()
            outcomes = c.execute(select(
                schema.queue_outcomes.c.queue_id, schema.queue_outcomes.c.kind,
                schema.queue_outcomes.c.key, schema.queue_outcomes.c.seconds_us,
                schema.queue_outcomes.c.within)).all()
            return [[tuple(r) for r in found] for found in (calls, changes, agents, outcomes)]

        calls, changes, agents, outcomes = await run.service.recorder.store.call(  # type: ignore[union-attr]
            read)
    assert calls == [("c9", "talking", "e1", "sales", "+48 501 234 567", us(T0),
                      us(T0 + 2 * S), us(T0 + 4 * S))]
    assert changes == [("c9", "answered", us(T0 + 2 * S)), ("c9", "ended", us(T0 + 4 * S))]
    assert agents == [("e1", "wrapup", "sales", us(T0 + 4 * S))]
    assert outcomes == [("sales", "handled", "c9", 2_000_000, 1)]
