"""The ARI source against the fake Asterisk: calls as the wallboard shows them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sources.ari import payloads as p
from tests.sources.ari.fake_ari import FakeAri
from wallboard.core.events import CallEnded, CallUpserted, Link, Snapshot
from wallboard.core.history import CallRecord
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


async def test_outgoing_call(watch, fake: FakeAri) -> None:
    w = await live(watch, fake)
    agent = await fake.add_channel("PJSIP/1002", number="1002", context="from-internal",
                                   exten="+48501234567")
    call = await w.until(lambda: w.state.calls.get(agent))
    assert call.type is CallType.OUTGOING and call.employee_id == "piotr"
    assert call.client_number == "+48501234567" and call.status is CallStatus.RINGING
    fake.tick(1)
    client = await fake.add_channel("PJSIP/trunk", number="+48221003002", state="Down",
                                    context="from-internal", exten="s")
    await fake.dial(agent, client, "")
    await fake.set_state(client, "Ringing")
    await fake.dial(agent, client, "RINGING")
    fake.tick(12)
    await fake.set_state(client, "Up")
    await fake.dial(agent, client, "ANSWER")
    await fake.set_state(agent, "Up")
    await fake.bridge(agent, client)
    call = await w.until(
        lambda: (c := w.state.calls.get(agent)) and c.status is CallStatus.TALKING and c
    )
    assert len(w.state.calls) == 1, "the call keeps its row when the client leg appears"
    assert call.client_number == "+48501234567"
    assert call.business_number == "+48221003002", "the number the manager called from"
    assert call.waiting_seconds(fake.now) == 13.0
    await fake.hangup(client)
    await fake.hangup(agent)
    await w.until(lambda: not w.state.calls)


async def test_call_transferred_to_another_manager(watch, fake: FakeAri) -> None:
    w = await live(watch, fake)
    client = await fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                                    exten="100", state="Up")
    anna = await fake.add_channel("PJSIP/1001", state="Up")
    await fake.dial(client, anna, "ANSWER")
    await fake.bridge(client, anna, bridge_id="b1")
    await w.until(lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING)
    answered = w.state.calls[client].answered_at
    # blind transfer: Anna leaves, the client dials Piotr
    await fake.leave_bridge(anna)
    await fake.hangup(anna)
    fake.tick(2)
    piotr = await fake.add_channel("PJSIP/1002", state="Ringing")
    await fake.dial(client, piotr, "RINGING")
    call = await w.until(
        lambda: (c := w.state.calls.get(client)) and c.employee_id == "piotr" and c
    )
    assert call.status is CallStatus.ON_HOLD, "answered once; waiting for the new manager"
    await fake.set_state(piotr, "Up")
    await fake.bridge(piotr, bridge_id="b1")
    call = await w.until(
        lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING and c
    )
    assert call.employee_id == "piotr" and call.answered_at == answered
    assert list(w.state.calls) == [client], "one row, no phantom call for Anna's leftover leg"
    assert not w.of(CallEnded)


async def test_endpoint_going_offline(watch, fake: FakeAri) -> None:
    w = await live(watch, fake)
    anna = w.state.employees["anna"]
    assert anna.account("PJSIP/1011").status is AgentStatus.OFFLINE
    assert anna.status is AgentStatus.ONLINE
    await fake.set_endpoint("PJSIP/1002", "offline", "UNAVAILABLE")
    await w.until(lambda: w.state.employees["piotr"].status is AgentStatus.OFFLINE)
    await fake.set_endpoint("PJSIP/1001", "offline", "UNAVAILABLE")
    await w.until(lambda: w.state.employees["anna"].status is AgentStatus.OFFLINE)
    await fake.set_endpoint("PJSIP/1011", "online", "NOT_INUSE")
    await w.until(lambda: w.state.employees["anna"].status is AgentStatus.ONLINE)


@pytest.mark.parametrize(("rang", "missed"), [(5.0, False), (5.1, True), (20.0, True)])
async def test_missed_call_rings_more_than_five_seconds(watch, fake: FakeAri, rang,
                                                         missed) -> None:
    """SPEC 4.4: an unanswered call counts as missed only if it rang MORE than 5 s. The ARI
    path gives the call's start (created_at) and its end (CallEnded.at, the time of the
    hangup event); the record built from them must say missed exactly past 5 s."""
    w = await live(watch, fake)
    client = await fake.add_channel("PJSIP/trunk", number="+48600", context="from-external")
    agent = await fake.ring(client, "PJSIP/1001")
    await w.until(lambda: (c := w.state.calls.get(client)) and c.employee_id == "anna")
    fake.tick(rang)
    await fake.dial(client, agent, "CANCEL")
    await fake.hangup(agent, cause=0, cause_txt="Unknown")  # destroyed while Ringing
    await fake.hangup(client)
    await w.until(lambda: client not in w.state.calls)
    upserts = [e.call for e in w.of(CallUpserted) if e.call.id == client]
    assert all(c.answered_at is None and c.status is CallStatus.RINGING for c in upserts)
    [ended] = w.of(CallEnded)
    assert ended.call_id == client and ended.at == p.START + timedelta(seconds=rang)
    last = upserts[-1]
    assert last.created_at == p.START and last.employee_id == "anna"
    record = CallRecord(id=last.id, employee_id="anna", type=last.type,
                        started_at=last.created_at, answered_at=last.answered_at,
                        ended_at=ended.at)
    assert record.ring_seconds == rang
    assert record.missed is missed


async def test_websocket_dropped_and_resynced(watch, fake: FakeAri) -> None:
    w = await live(watch, fake)
    stays = await fake.add_channel("PJSIP/trunk", number="+48600", context="from-external")
    goes = await fake.add_channel("PJSIP/trunk", number="+48700", context="from-external")
    await w.until(lambda: len(w.state.calls) == 2)
    await fake.drop_sockets()
    fake.forget_channel(goes)  # hung up while nobody listened
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    assert "Retrying in" in w.state.connection.message
    await w.until(lambda: w.state.connection.link is Link.LIVE and len(w.of(Snapshot)) == 2)
    assert list(w.state.calls) == [stays]
    await fake.wait_for_sockets()
    late = await fake.add_channel("PJSIP/trunk", number="+48800", context="from-external")
    await w.until(lambda: late in w.state.calls)
