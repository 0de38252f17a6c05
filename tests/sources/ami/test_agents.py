"""AMI wave 2 against the fake Asterisk: queues and agent states as core events, in the
snapshot and live; wrap-up ended by a timer; pausing a manager from the board."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.sources.ami.fake_ami import FakeAmi
from tests.sources.ami.oracle import check_agents
from wallboard.core.events import AgentChanged, Link, QueueUpserted, Snapshot
from wallboard.core.queues import AgentState
from wallboard.sources.base import SourceError


async def live(watch, fake: FakeAmi, **overrides):  # type: ignore[no-untyped-def]
    w = await watch(**overrides)
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    return w


async def test_the_snapshot_has_the_queues_and_every_manager_s_agent_state(watch, fake):
    fake.pause("PJSIP/1003", True, "Training")
    w = await live(watch, fake)
    snapshot = w.of(Snapshot)[-1]
    assert sorted(q.id for q in snapshot.queues) == ["sales", "support"]
    agents = {a.employee_id: a for a in snapshot.agents}
    assert (agents["anna"].state, agents["anna"].queues) == (AgentState.AVAILABLE, ("sales",))
    assert (agents["piotr"].state, agents["piotr"].queues) == (AgentState.AVAILABLE,
                                                               ("support",))
    ewa = agents["ewa"]
    assert (ewa.state, ewa.reason, ewa.since) == (AgentState.PAUSED, "Training", fake.now)
    check_agents(w.state, fake, w.client.settings.wrapup_seconds)


async def test_a_queue_call_from_join_to_wrap_up_ended_by_the_timer(watch, fake):
    w = await live(watch, fake, wrapup_seconds={"support": 1})
    client = fake.add_channel("PJSIP/trunk", number="+48600111222", context="from-external",
                              exten="+48221002030", state="Up")
    joined = fake.now
    fake.queue_join(client, "support")
    call = await w.until(lambda: w.state.calls.get(client))
    assert (call.queue_id, call.queued_at) == ("support", joined)
    fake.tick(4)
    leg = fake.queue_ring(client, "support", "PJSIP/1002")
    await w.until(lambda: w.state.agents["piotr"].state is AgentState.RINGING)
    fake.tick(2)
    fake.queue_answer(client, leg, "support", "PJSIP/1002")
    await w.until(lambda: w.state.agents["piotr"].state is AgentState.ON_CALL)
    fake.tick(60)
    fake.queue_complete(client, leg, "support", "PJSIP/1002", talk=60)
    wrap = await w.until(lambda: (a := w.state.agents["piotr"]).state
                         is AgentState.WRAP_UP and a)
    assert (wrap.since, wrap.until) == (fake.now, fake.now + timedelta(seconds=1))
    fake.tick(1)  # the PBX's clock reaches the end; the timer (1 s) flushes then
    done = await w.until(lambda: (a := w.state.agents["piotr"]).state
                         is AgentState.AVAILABLE and a, timeout=5)
    assert done.since == fake.now
    day = w.state.metrics.view(fake.now, w.state.queues).queues["support"].day
    assert (day.offered, day.answered, day.asa, day.aht) == (1, 1, 6.0, 61.0)


async def test_pausing_a_manager_pauses_every_membership_with_the_reason(watch, fake):
    fake.add_member("sales", "PJSIP/1002", "Piotr Wójcik")
    w = await live(watch, fake)
    await w.until(lambda: w.state.agents["piotr"].queues == ("sales", "support"))
    await w.client.pause("piotr", True, "Lunch")
    paused = await w.until(lambda: (a := w.state.agents["piotr"]).state
                           is AgentState.PAUSED and a)
    assert (paused.reason, paused.since) == ("Lunch", fake.now)
    sent = [a for a in fake.actions if a.get("Action") == "QueuePause"]
    assert [(a["Interface"], a.get("Queue"), a["Paused"], a.get("Reason")) for a in sent] == [
        ("PJSIP/1002", None, "true", "Lunch")]
    assert all(q.members["PJSIP/1002"].paused for q in fake.queues.values()
               if "PJSIP/1002" in q.members)
    fake.tick(30)
    await w.client.pause("piotr", False)
    await w.until(lambda: w.state.agents["piotr"].state is AgentState.AVAILABLE)
    check_agents(w.state, fake, w.client.settings.wrapup_seconds)
    assert [e.agent.state for e in w.of(AgentChanged) if e.agent.employee_id == "piotr"][-2:] \
        == [AgentState.PAUSED, AgentState.AVAILABLE]


async def test_a_manager_in_no_queue_cannot_be_paused(watch, fake):
    fake.remove_member("sales", "PJSIP/1001")
    w = await live(watch, fake)
    try:
        await w.client.pause("anna", True, "Lunch")
    except SourceError as exc:
        assert str(exc) == "anna is not a member of any queue."
    else:  # pragma: no cover
        raise AssertionError("paused a manager who is in no queue")
    assert not [a for a in fake.actions if a.get("Action") == "QueuePause"]


async def test_a_new_queue_appears_as_an_event(watch, fake):
    w = await live(watch, fake)
    fake.add_queue("vip", ("PJSIP/1003", "Ewa Lis"))
    fake.add_member("vip", "PJSIP/1001", "Anna Nowak")
    await w.until(lambda: "vip" in w.state.queues)
    assert [e.queue.id for e in w.of(QueueUpserted)] == ["vip"]
    await w.until(lambda: w.state.agents["anna"].queues == ("sales", "vip"))
    await asyncio.sleep(0)
