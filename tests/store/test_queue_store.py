"""Schema 2 on SQLite and PostgreSQL: the upgrade from schema 1, queue figures that survive a
restart, agent states and alerts recorded (with their acknowledgement)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import inspect, select, text

from tests.store.test_recorder import T0, S, call, running
from wallboard.core.alerts import AlertEngine, AlertRule, Metric
from wallboard.core.clock import ManualClock
from wallboard.core.events import AgentChanged, CallEnded, CallUpserted, Snapshot
from wallboard.core.models import CallStatus
from wallboard.core.queues import Agent, AgentState, Queue
from wallboard.service.alerts import AlertDesk
from wallboard.store import open_store, schema
from wallboard.store.db import set_meta

SALES = Queue(id="sales", name="Sales", service_level_seconds=20, short_abandon_seconds=5)


def queued(cid: str, **kw):  # type: ignore[no-untyped-def]
    return call(cid, **kw).model_copy(update={"queue_id": "sales", "employee_id": None})


def test_a_schema_1_store_gets_the_queue_tables_and_keeps_its_calls(store_url: str):
    store = open_store(store_url)
    try:
        store.run(lambda c: c.execute(schema.calls.insert().values(
            id="old", type="incoming", status="talking", project="default",
            created_us=schema.us(T0), client_number="", business_number="", origin="live")))
        def schema_1(connection) -> None:  # type: ignore[no-untyped-def]
            for table in reversed(schema.SCHEMA_2):  # as a schema-1 wallboard left it
                table.drop(connection)
            set_meta(connection, "schema_version", "1")

        def tables(connection) -> set[str]:  # type: ignore[no-untyped-def]
            return set(inspect(connection).get_table_names())

        store.run(schema_1)
        assert not {"wb_queues", "wb_alerts"} & store.run(tables)
        store.run(schema.MIGRATIONS[2])  # the step itself, in a transaction
        assert {"wb_queues", "wb_queue_outcomes", "wb_agent_states", "wb_alerts"} <= \
            store.run(tables)
        store.run(schema_1)
    finally:
        store.close()
    store = open_store(store_url)  # opening it upgrades it
    try:
        assert store.run(lambda c: store.get_meta(c, "schema_version")) == "4"
        names = store.run(lambda c: set(inspect(c).get_table_names()))
        assert {"wb_queues", "wb_queue_outcomes", "wb_agent_states", "wb_alerts"} <= names
        assert store.run(lambda c: c.execute(text("SELECT id FROM wb_calls")).scalars().all()) \
            == ["old"]
    finally:
        store.close()


async def test_the_day_s_queue_figures_survive_a_restart(store_url: str):
    clock = ManualClock(T0)
    first = Snapshot(queues=(SALES,), calls=(queued("q1", created=T0),), at=T0)
    async with running(store_url, clock, first) as run:
        answered = queued("q1", created=T0).model_copy(update={
            "status": CallStatus.TALKING, "answered_at": T0 + 12 * S, "employee_id": "e1",
            "revision": 1})
        await run.at(T0 + 12 * S, CallUpserted(call=answered))
        await run.at(T0 + 20 * S, CallUpserted(call=queued("q2", created=T0 + 10 * S)))
        await run.at(T0 + 40 * S, CallEnded(call_id="q2", at=T0 + 40 * S))  # 30 s: abandoned
        await run.at(T0 + 95 * S, CallEnded(call_id="q1", at=T0 + 95 * S))  # 83 s handled
        await run.at(T0 + 96 * S, AgentChanged(agent=Agent(
            employee_id="e1", state=AgentState.PAUSED, reason="lunch", since=T0 + 96 * S,
            queues=("sales",))))
        before = run.service.state.metrics.view(T0 + 100 * S, run.service.state.queues)
    clock.set(T0 + 200 * S)
    async with running(store_url, clock, Snapshot(queues=(SALES,), at=T0 + 200 * S)) as run:
        await run.at(T0 + 201 * S)
        after = run.service.state.metrics.view(T0 + 100 * S, run.service.state.queues)
        rows = await run.service.recorder.store.call(lambda c: c.execute(  # type: ignore[union-attr]
            select(schema.agent_states.c.employee_id, schema.agent_states.c.state,
                   schema.agent_states.c.reason, schema.agent_states.c.start_us,
                   schema.agent_states.c.end_us)).all())
        calls = await run.service.recorder.store.call(lambda c: c.execute(  # type: ignore[union-attr]
            select(schema.calls.c.id, schema.calls.c.queue_id)
            .order_by(schema.calls.c.id)).all())
    assert [tuple(row) for row in calls] == [("q1", "sales"), ("q2", "sales")]  # the export's
    sales = after.queues["sales"].day
    assert (sales.offered, sales.answered, sales.abandoned) == (2, 1, 1)
    assert (sales.service_level, sales.asa, sales.aht) == (50.0, 12.0, 83.0)
    assert after.queues["sales"].day == before.queues["sales"].day
    # the pause open when the first run stopped ends at its last heartbeat
    (employee, state, reason, start_us, end_us), = rows
    assert (employee, state, reason, start_us) == ("e1", "paused", "lunch",
                                                    schema.us(T0 + 96 * S))
    assert end_us is not None and end_us >= schema.us(T0 + 96 * S)


async def test_alerts_and_their_acknowledgement_are_recorded(store_url: str):
    clock = ManualClock(T0)
    first = Snapshot(queues=(SALES,), calls=(queued("w1", created=T0),), at=T0)
    async with running(store_url, clock, first) as run:
        service = run.service
        desk = service.alerts = AlertDesk(service.state, clock, AlertEngine(
            [AlertRule("wait", Metric.LONGEST_WAIT, warning=45, critical=60)]))
        await service._queues_from_store(service.recorder)  # noqa: SLF001 (hooks the store)
        clock.set(T0 + 50 * S)
        (fired,) = desk.tick()
        clock.set(T0 + 55 * S)
        desk.acknowledge(fired.alert.id, "marta")
        clock.set(T0 + 61 * S)
        desk.tick()  # critical now
        await run.at(T0 + 62 * S)
        rows = await service.recorder.store.call(lambda c: c.execute(  # type: ignore[union-attr]
            select(schema.alerts)).mappings().all())
    (row,) = rows
    assert (row["rule"], row["metric"], row["subject"], row["level"], row["worst"]) == (
        "wait", "longest_wait", "sales", "critical", "critical")
    assert row["started_us"] == schema.us(T0 + 50 * S)
    assert row["changed_us"] == schema.us(T0 + 61 * S)
    # escalating asked for a new acknowledgement: the one of 0:55 is cleared
    assert row["acknowledged_us"] is None and row["ended_us"] is None
    assert row["value"] == 61.0
    assert timedelta(microseconds=row["changed_us"] - row["started_us"]) == 11 * S


async def test_agent_states_written_in_one_flush_chain_into_intervals(store_url: str):
    """Three states in one flush, then one more in the next: each state ends where the next
    begins, and only the last one is open."""
    clock = ManualClock(T0)

    def state(seconds: int, what: AgentState, reason: str = "") -> AgentChanged:
        return AgentChanged(agent=Agent(employee_id="e1", state=what, reason=reason,
                                        since=T0 + seconds * S, queues=("sales",)))

    async with running(store_url, clock, Snapshot(queues=(SALES,), at=T0)) as run:
        await run.at(T0 + 30 * S, state(10, AgentState.AVAILABLE),
                     state(20, AgentState.PAUSED, "lunch"), state(30, AgentState.AVAILABLE))
        await run.at(T0 + 50 * S, state(50, AgentState.WRAP_UP))
        rows = await run.service.recorder.store.call(lambda c: c.execute(  # type: ignore[union-attr]
            select(schema.agent_states.c.state, schema.agent_states.c.reason,
                   schema.agent_states.c.start_us, schema.agent_states.c.end_us)
            .order_by(schema.agent_states.c.start_us)).all())
        us = schema.us
        assert [tuple(r) for r in rows] == [
            ("available", None, us(T0 + 10 * S), us(T0 + 20 * S)),
            ("paused", "lunch", us(T0 + 20 * S), us(T0 + 30 * S)),
            ("available", None, us(T0 + 30 * S), us(T0 + 50 * S)),
            ("wrap_up", None, us(T0 + 50 * S), None),
        ]
