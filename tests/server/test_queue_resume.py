"""Queues, agents and their figures over the stream: a board that resumes with
Last-Event-ID, or resyncs from a snapshot, ends with exactly the server's picture."""

from __future__ import annotations

from datetime import timedelta

from tests.server.support import T0, ScriptedSource, employee, running
from tests.server.test_api import read_sse
from wallboard.audit import AuditLog
from wallboard.core.clock import ManualClock
from wallboard.core.events import (
    EVENT_ADAPTER,
    AgentChanged,
    CallEnded,
    CallUpserted,
    ConnectionChanged,
    Link,
    QueueUpserted,
    Snapshot,
)
from wallboard.core.models import Call, CallStatus, CallType
from wallboard.core.queues import Agent, AgentState, Queue
from wallboard.core.state import LiveState
from wallboard.server.app import create_server_app
from wallboard.service import WallboardService

SALES = Queue(id="sales", name="Sales")


def test_a_resumed_stream_and_a_fresh_snapshot_give_the_server_s_queues_and_agents():
    source = ScriptedSource([ConnectionChanged(link=Link.LIVE), Snapshot(
        employees=(employee(),), queues=(SALES,), at=T0,
        agents=(Agent(employee_id="e1", state=AgentState.AVAILABLE, since=T0,
                      queues=("sales",)),))])
    clock = ManualClock(T0 + timedelta(seconds=80))
    service = WallboardService(source, clock, audit=AuditLog(None, clock))
    app = create_server_app(service=service)
    with running(app) as url:
        (first, snapshot), = read_sse(url, 1)[0]
        board = LiveState()
        board.apply(EVENT_ADAPTER.validate_python(snapshot))
        call = Call(id="q1", type=CallType.INCOMING, status=CallStatus.RINGING,
                    created_at=T0, queue_id="sales")
        source.push([
            QueueUpserted(queue=SALES.model_copy(update={"callbacks_waiting": 2})),
            CallUpserted(call=call),
            CallUpserted(call=call.model_copy(update={
                "status": CallStatus.TALKING, "answered_at": T0 + timedelta(seconds=12),
                "employee_id": "e1", "revision": 1})),
            AgentChanged(agent=Agent(employee_id="e1", state=AgentState.ON_CALL,
                                     since=T0 + timedelta(seconds=12), queues=("sales",))),
            CallEnded(call_id="q1", at=T0 + timedelta(seconds=70)),
            AgentChanged(agent=Agent(employee_id="e1", state=AgentState.PAUSED, reason="lunch",
                                     since=T0 + timedelta(seconds=70), queues=("sales",))),
        ])
        missed, _ = read_sse(url, 6, headers={"Last-Event-ID": str(first)})
        assert [seq for seq, _ in missed] == list(range(first + 1, first + 7))
        for _, data in missed:
            board.apply(EVENT_ADAPTER.validate_python(data))
        server = app.state.service.state
        later = T0 + timedelta(seconds=80)
        assert board.agents == server.agents and board.queues == server.queues
        assert board.metrics.view(later, board.queues) == server.metrics.view(later,
                                                                              server.queues)
        day = board.metrics.view(later, board.queues).queues["sales"].day
        assert (day.answered, day.asa, day.aht, board.queues["sales"].callbacks_waiting) == (
            1, 12.0, 58.0, 2)
        (_, fresh), = read_sse(url, 1)[0]  # a board that starts now: the same picture
        resynced = LiveState()
        resynced.apply(EVENT_ADAPTER.validate_python(fresh))
        assert resynced.agents == server.agents
        assert resynced.metrics.view(later, resynced.queues) == server.metrics.view(
            later, server.queues)
