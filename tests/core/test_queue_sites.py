"""Queues and agents on a board over several PBXs: ids qualified by the site, figures of
two sites merged without mixing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wallboard.core.events import AgentChanged, CallUpserted, QueueRemoved, QueueUpserted, Snapshot
from wallboard.core.metrics import merge_seeds
from wallboard.core.models import Call, CallStatus, CallType
from wallboard.core.queues import Agent, AgentState, Queue
from wallboard.core.sites import with_site
from wallboard.core.state import LiveState

T0 = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)


def test_queue_and_agent_events_are_qualified_by_the_site():
    queue = with_site(QueueUpserted(queue=Queue(id="sales", name="Sales")), "kyiv")
    assert isinstance(queue, QueueUpserted)
    assert (queue.queue.id, queue.queue.site) == ("kyiv:sales", "kyiv")
    removed = with_site(QueueRemoved(queue_id="sales"), "kyiv")
    assert isinstance(removed, QueueRemoved) and removed.queue_id == "kyiv:sales"
    agent = with_site(AgentChanged(agent=Agent(employee_id="anna", state=AgentState.PAUSED,
                                               since=T0, queues=("sales", "vip"))), "kyiv")
    assert isinstance(agent, AgentChanged)
    assert (agent.agent.employee_id, agent.agent.queues) == ("kyiv:anna",
                                                             ("kyiv:sales", "kyiv:vip"))
    call = with_site(CallUpserted(call=Call(id="c1", type=CallType.INCOMING,
                                            status=CallStatus.RINGING, created_at=T0,
                                            queue_id="sales")), "kyiv")
    assert isinstance(call, CallUpserted) and call.call.queue_id == "kyiv:sales"


def test_two_sites_figures_merge_into_one_board():
    seeds = []
    for site, waits in (("kyiv", (5, 40)), ("lviv", (10,))):
        state = LiveState()
        state.apply(with_site(Snapshot(queues=(Queue(id="sales", name="Sales"),), at=T0), site))
        for n, wait in enumerate(waits):
            call = Call(id=f"c{n}", type=CallType.INCOMING, status=CallStatus.RINGING,
                        created_at=T0, queue_id="sales")
            state.apply(with_site(CallUpserted(call=call), site))
            state.apply(with_site(CallUpserted(call=call.model_copy(update={
                "status": CallStatus.TALKING, "answered_at": T0 + timedelta(seconds=wait),
                "revision": 1})), site))
        seeds.append(state.snapshot(T0 + timedelta(minutes=1)).metrics)
    merged = merge_seeds(seeds)
    assert merged is not None
    assert {q: (t.answered, t.answered_within) for q, t in merged.day.items()} == {
        "kyiv:sales": (2, 1), "lviv:sales": (1, 1)}
