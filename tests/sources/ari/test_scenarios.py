"""The ARI source against the fake Asterisk: calls as the wallboard shows them."""

from __future__ import annotations

from tests.sources.ari.fake_ari import FakeAri
from wallboard.core.events import CallEnded, CallUpserted, Link, Snapshot
from wallboard.core.models import AgentStatus, CallStatus, CallType


async def live(watch, fake: FakeAri, **overrides):
    w = await watch(**overrides)
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sockets()
    return w


async def test_incoming_ringing_answered_hold_hangup(watch, fake: FakeAri) -> None:
    w = await live(watch, fake)
    assert w.of(Snapshot) and w.state.employees["anna"].name == "Anna Nowak"
    client = await fake.add_channel(
        "PJSIP/trunk", number="+48600111222", context="from-external", exten="+48221002030",
        variables={"FROM_DID": "+48 22 100 20 30", "WALLBOARD_SCHEME": "Main line"},
    )
    fake.tick(1)
    agent = await fake.add_channel("PJSIP/1001", context="from-internal", exten="1001",
                                   state="Down")
    await fake.dial(client, agent, "")
    await fake.set_state(agent, "Ringing")
    await fake.dial(client, agent, "RINGING")
    call = await w.until(lambda: w.state.calls.get(client))
    assert call.type is CallType.INCOMING
    assert call.status is CallStatus.RINGING
    assert call.employee_id == "anna"
    assert call.client_number == "+48600111222"
    assert call.business_number == "+48 22 100 20 30"
    assert call.routing_scheme == "Main line"
    fake.tick(7)
    await fake.set_state(agent, "Up")
    await fake.set_state(client, "Up")
    await fake.dial(client, agent, "ANSWER")
    await fake.bridge(client, agent)
    call = await w.until(
        lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING and c
    )
    assert call.waiting_seconds(fake.now) == 8.0
    assert call.answered_at == fake.now
    await w.until(lambda: w.state.employees["anna"].status is AgentStatus.TALKING)
    fake.tick(30)
    await fake.hold(agent)
    await w.until(lambda: w.state.calls[client].status is CallStatus.ON_HOLD)
    await fake.hold(agent, on=False)
    await w.until(lambda: w.state.calls[client].status is CallStatus.TALKING)
    await fake.hangup(agent)
    await fake.hangup(client)
    await w.until(lambda: client not in w.state.calls)
    revisions = [e.call.revision for e in w.of(CallUpserted) if e.call.id == client]
    assert revisions == sorted(set(revisions))
    assert len(w.of(CallEnded)) == 1 and not w.state.calls
    await w.until(lambda: w.state.employees["anna"].status is AgentStatus.ONLINE)
