"""Queues and agent states from ARI, against the fake Asterisk: the queue of a channel in
Queue() or of a channel variable; ringing, on a call, wrap-up by timer; pauses unseen."""

from __future__ import annotations

import asyncio

from tests.sources.ari.conftest import Watcher, settings
from tests.sources.ari.fake_ari import FakeAri
from wallboard.core.events import QueueUpserted
from wallboard.core.models import CallStatus
from wallboard.core.queues import AgentState, QueueCatalog, QueueDefaults
from wallboard.sources.ari import AriClient

CATALOG = QueueCatalog(overrides=(("support", QueueDefaults(name="Support PL",
                                                             department="Support")),))


class FakeClock:
    """The source reads the fake Asterisk's time (its events carry the same)."""

    def __init__(self, fake: FakeAri) -> None:
        self.fake = fake

    def now(self):  # type: ignore[no-untyped-def]
        return self.fake.now


async def start(fake: FakeAri, **overrides) -> Watcher:  # type: ignore[no-untyped-def]
    client = AriClient(settings(fake.url, **overrides), FakeClock(fake), batch_seconds=0.01,
                       backoff_seconds=0.05, catalog=CATALOG)
    watcher = Watcher(client)
    await watcher.until(lambda: watcher.state.synced)
    await fake.wait_for_sockets()
    return watcher


async def test_a_queue_call_rings_is_answered_and_ends_in_wrap_up(fake: FakeAri):
    w = await start(fake, wrapup_seconds=0.4)
    try:
        assert w.state.queues["support"].name == "Support PL"  # configured: there at once
        assert w.state.agents["piotr"].queues == ("support",)  # the department's queues
        assert w.state.agents["anna"].queues == ()
        piotr = w.state.agents["piotr"]
        assert (piotr.state, piotr.pause_known) == (AgentState.AVAILABLE, False)
        client = await fake.add_channel("PJSIP/trunk", number="+48600111222",
                                        context="from-external", exten="+48221002040")
        fake.tick(3)
        agent = await fake.ring(client, "PJSIP/1002", via="Queue", queue="support")
        call = await w.until(lambda: (c := w.state.calls.get(client)) and c.employee_id and c)
        assert (call.queue_id, call.routing_scheme, call.status) == (
            "support", "support", CallStatus.RINGING)
        await w.until(lambda: w.state.agents["piotr"].state is AgentState.RINGING)
        await fake.set_state(agent, "Up")
        await fake.set_state(client, "Up")
        await fake.dial(client, agent, "ANSWER")
        await fake.bridge(client, agent)
        await w.until(lambda: w.state.agents["piotr"].state is AgentState.ON_CALL)
        await fake.hangup(agent)
        await fake.hangup(client)
        wrap = await w.until(lambda: (a := w.state.agents["piotr"]).state
                             is AgentState.WRAP_UP and a)
        assert wrap.until is not None
        assert round((wrap.until - wrap.since).total_seconds(), 3) == 0.4
        await asyncio.sleep(0.6)  # the timer fired, but the PBX's clock has not moved on
        assert w.state.agents["piotr"].state is AgentState.WRAP_UP
        fake.tick(0.4)
        available = await w.until(lambda: (a := w.state.agents["piotr"]).state
                                  is AgentState.AVAILABLE and a)
        assert available.since == wrap.until
    finally:
        await w.close()


async def test_a_configured_channel_variable_names_the_queue(fake: FakeAri):
    w = await start(fake)
    try:
        client = await fake.add_channel("PJSIP/trunk", number="+48600111333",
                                        context="from-external", exten="+48221002030",
                                        variables={"WALLBOARD_QUEUE": "vip"})
        call = await w.until(lambda: w.state.calls.get(client))
        assert call.queue_id == "vip" and call.queued_at is not None
        await w.until(lambda: "vip" in w.state.queues)
        assert [e.queue.id for e in w.of(QueueUpserted)] == ["vip"]
        assert w.state.queues["vip"].name == "vip" and w.state.queues["vip"].department is None
        # an unanswered queue call that ends counts as an abandon of that queue
        fake.tick(12)
        await fake.hangup(client)
        await w.until(lambda: client not in w.state.calls)
        view = w.state.metrics.view(fake.now, w.state.queues)
        assert (view.queues["vip"].day.offered, view.queues["vip"].day.abandoned) == (1, 1)
    finally:
        await w.close()
