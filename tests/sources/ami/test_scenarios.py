"""The AMI source against the fake Asterisk: queues, agents, calls, as the board shows them.

Each scenario ends with the oracle: the board's calls and managers equal the fake PBX's
own state, and the source's queue model equals the fake's queues.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.sources.ami.fake_ami import FakeAmi
from tests.sources.ami.oracle import check_agents, check_board, check_queues
from wallboard.core.events import CallEnded, CallUpserted, Link, Snapshot
from wallboard.core.listen import ListenMode
from wallboard.core.models import AgentStatus, CallStatus, CallType


async def live(watch, fake: FakeAmi, **overrides):
    w = await watch(**overrides)
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    return w


async def settled(w, fake: FakeAmi) -> None:
    """Wait until the board matches the oracle (events travel a real socket)."""
    wrapup = w.client.settings.wrapup_seconds

    async def ok() -> bool:
        try:
            check_board(w.state, fake)
            check_queues(w.client.queues, fake)
            check_agents(w.state, fake, wrapup)
        except AssertionError:
            return False
        return True

    for _ in range(300):
        if await ok():
            return
        await asyncio.sleep(0.01)
    check_board(w.state, fake)
    check_queues(w.client.queues, fake)
    check_agents(w.state, fake, wrapup)


async def test_queue_call_joins_rings_is_answered_and_completes_into_wrapup(watch, fake):
    w = await live(watch, fake)
    assert w.of(Snapshot) and w.state.employees["piotr"].status is AgentStatus.ONLINE
    client = fake.add_channel("PJSIP/trunk", number="+48600111222", context="from-external",
                              exten="+48221002030", state="Up",
                              variables={"FROM_DID": "+48 22 100 20 30"})
    fake.queue_join(client, "support")
    call = await w.until(lambda: w.state.calls.get(client))
    assert call.type is CallType.INCOMING and call.status is CallStatus.RINGING
    assert call.employee_id is None and call.routing_scheme == "support"
    assert call.client_number == "+48600111222"
    assert call.business_number == "+48 22 100 20 30"
    queue = w.client.queues.queues["support"]
    await w.until(lambda: client in queue.callers)
    assert queue.callers[client].joined_at == fake.now
    fake.tick(4)
    agent = fake.queue_ring(client, "support", "PJSIP/1002")
    call = await w.until(lambda: (c := w.state.calls.get(client)) and c.employee_id and c)
    assert call.employee_id == "piotr" and call.status is CallStatus.RINGING
    await w.until(lambda: queue.members["PJSIP/1002"].ringing_for == client)
    fake.tick(6)
    fake.queue_answer(client, agent, "support", "PJSIP/1002")
    call = await w.until(
        lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING and c)
    assert call.waiting_seconds(fake.now) == 10.0 and call.answered_at == fake.now
    await w.until(lambda: w.state.employees["piotr"].status is AgentStatus.TALKING)
    await settled(w, fake)
    assert queue.members["PJSIP/1002"].in_call and not queue.callers
    fake.tick(95)
    fake.queue_complete(client, agent, "support", "PJSIP/1002", talk=95)
    await w.until(lambda: client not in w.state.calls)
    await settled(w, fake)
    member = queue.members["PJSIP/1002"]
    assert member.calls_taken == 1 and member.last_call == int(fake.now.timestamp())
    assert member.in_wrapup(fake.now + timedelta(seconds=14), 15)
    assert not member.in_wrapup(fake.now + timedelta(seconds=15), 15)
    assert queue.completed == 1
    assert [e.call_id for e in w.of(CallEnded)] == [client]
    revisions = [e.call.revision for e in w.of(CallUpserted) if e.call.id == client]
    assert revisions == sorted(set(revisions))


async def test_caller_abandons_the_queue(watch, fake):
    w = await live(watch, fake)
    first = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                             exten="100", state="Up")
    fake.queue_join(first, "sales")
    fake.tick(2)
    second = fake.add_channel("PJSIP/trunk", number="+48700", context="from-external",
                              exten="100", state="Up")
    fake.queue_join(second, "sales")
    await settled(w, fake)
    assert list(w.client.queues.queues["sales"].callers) == [first, second]
    fake.tick(40)
    fake.queue_abandon(first, "sales")
    await w.until(lambda: first not in w.state.calls)
    await settled(w, fake)
    sales = w.client.queues.queues["sales"]
    assert list(sales.callers) == [second] and sales.abandoned == 1
    assert sales.callers[second].joined_at == fake.now - timedelta(seconds=40)


async def test_agent_does_not_answer_then_another_does(watch, fake):
    w = await live(watch, fake)
    client = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                              exten="100", state="Up")
    fake.queue_join(client, "support")
    leg = fake.queue_ring(client, "support", "PJSIP/1002")
    await w.until(lambda: (c := w.state.calls.get(client)) and c.employee_id == "piotr")
    fake.tick(15)
    fake.queue_no_answer(client, leg, "support", "PJSIP/1002")
    await w.until(lambda: (c := w.state.calls.get(client)) and c.employee_id is None)
    leg = fake.queue_ring(client, "support", "PJSIP/1003")
    fake.tick(3)
    fake.queue_answer(client, leg, "support", "PJSIP/1003")
    call = await w.until(
        lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING and c)
    assert call.employee_id == "ewa" and call.waiting_seconds(fake.now) == 18.0
    await settled(w, fake)
    assert w.client.queues.queues["support"].members["PJSIP/1002"].calls_taken == 0


async def test_outgoing_call_with_hold(watch, fake):
    w = await live(watch, fake)
    agent = fake.add_channel("PJSIP/1001", number="1001", context="from-internal",
                             exten="+48501234567")
    call = await w.until(lambda: w.state.calls.get(agent))
    assert call.type is CallType.OUTGOING and call.employee_id == "anna"
    assert call.client_number == "+48501234567" and call.status is CallStatus.RINGING
    fake.tick(1)
    trunk = fake.add_channel("PJSIP/trunk", number="+48221003002", state="Down",
                             context="from-internal", linkedid=agent)
    fake.dial(agent, trunk, "")
    fake.set_state(trunk, "Ringing")
    fake.dial(agent, trunk, "RINGING")
    fake.tick(12)
    fake.set_state(trunk, "Up")
    fake.dial(agent, trunk, "ANSWER")
    fake.set_state(agent, "Up")
    fake.bridge(agent, trunk)
    call = await w.until(
        lambda: (c := w.state.calls.get(agent)) and c.status is CallStatus.TALKING and c)
    assert list(w.state.calls) == [agent], "one row: the trunk leg shares the linkedid"
    assert call.business_number == "+48221003002" and call.waiting_seconds(fake.now) == 13.0
    fake.hold(agent)
    await w.until(lambda: w.state.calls[agent].status is CallStatus.ON_HOLD)
    await settled(w, fake)
    fake.hold(agent, on=False)
    await w.until(lambda: w.state.calls[agent].status is CallStatus.TALKING)
    fake.hangup(trunk)
    fake.hangup(agent)
    await w.until(lambda: not w.state.calls)
    await settled(w, fake)


async def test_agents_pause_with_reasons(watch, fake):
    w = await live(watch, fake)
    fake.pause("PJSIP/1002", True, "Lunch")
    fake.pause("PJSIP/1003", True, "", queue="support")
    await settled(w, fake)
    support = w.client.queues.queues["support"]
    assert support.members["PJSIP/1002"].paused_reason == "Lunch"
    assert support.members["PJSIP/1003"].paused and not support.members["PJSIP/1003"].paused_reason
    await w.client.pause_member("PJSIP/1001", True, "Training\r\nAction: Originate", queue="sales")
    await settled(w, fake)
    sales = w.client.queues.queues["sales"].members["PJSIP/1001"]
    assert sales.paused and sales.paused_reason == "TrainingAction: Originate"
    sent = [a for a in fake.actions if a.get("Action") == "QueuePause"]
    assert sent[-1]["Interface"] == "PJSIP/1001" and sent[-1]["Queue"] == "sales"
    assert sent[-1]["Paused"] == "true" and len(fake.originates) == 0
    await w.client.pause_member("PJSIP/1002", False)
    await settled(w, fake)
    assert not support.members["PJSIP/1002"].paused


async def test_members_added_and_removed(watch, fake):
    w = await live(watch, fake)
    fake.add_member("sales", "PJSIP/1003", "Ewa Lis")
    await w.until(lambda: "PJSIP/1003" in w.client.queues.queues["sales"].members)
    fake.remove_member("sales", "PJSIP/1001")
    await w.until(lambda: "PJSIP/1001" not in w.client.queues.queues["sales"].members)
    await settled(w, fake)


async def test_dropped_connection_is_resynced(watch, fake):
    w = await live(watch, fake)
    stays = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                             exten="100", state="Up")
    fake.queue_join(stays, "sales")
    goes = fake.add_channel("PJSIP/trunk", number="+48700", context="from-external",
                            exten="100", state="Up")
    fake.queue_join(goes, "sales")
    await w.until(lambda: len(w.state.calls) == 2)
    fake.silent = True  # what happens next is not seen until the resync
    await fake.drop()
    fake.queue_abandon(goes, "sales")
    fake.pause("PJSIP/1001", True, "Meeting")
    fake.silent = False
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    assert "Retrying in" in w.state.connection.message
    await w.until(lambda: w.state.connection.link is Link.LIVE and len(w.of(Snapshot)) == 2)
    assert list(w.state.calls) == [stays]
    await settled(w, fake)
    late = fake.add_channel("PJSIP/trunk", number="+48800", context="from-external", state="Up")
    await w.until(lambda: late in w.state.calls)
    await settled(w, fake)


async def test_asterisk_restart_loses_every_channel(watch, fake):
    w = await live(watch, fake)
    client = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                              exten="100", state="Up")
    fake.queue_join(client, "support")
    agent = fake.queue_ring(client, "support", "PJSIP/1002")
    fake.queue_answer(client, agent, "support", "PJSIP/1002")
    await w.until(lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING)
    await fake.restart()
    await w.until(lambda: len(w.of(Snapshot)) == 2)
    assert w.of(Snapshot)[-1].restart, "call ids from before the restart mean nothing now"
    assert not w.state.calls, "no ghost of the call that died with Asterisk"
    await settled(w, fake)
    assert w.state.employees["piotr"].status is AgentStatus.ONLINE
    again = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external", state="Up")
    fake.queue_join(again, "support")
    await w.until(lambda: again in w.state.calls)
    await settled(w, fake)


async def test_device_states_drive_the_managers(watch, fake):
    w = await live(watch, fake)
    anna = w.state.employees["anna"]
    assert anna.account("PJSIP/1011").status is AgentStatus.OFFLINE
    assert anna.status is AgentStatus.ONLINE
    fake.register("PJSIP/1002", False)
    await w.until(lambda: w.state.employees["piotr"].status is AgentStatus.OFFLINE)
    fake.register("PJSIP/1001", False)
    await w.until(lambda: w.state.employees["anna"].status is AgentStatus.OFFLINE)
    fake.register("PJSIP/1011", True)
    await w.until(lambda: w.state.employees["anna"].status is AgentStatus.ONLINE)
    await settled(w, fake)


async def test_dnd_from_a_custom_device(watch, fake):
    w = await live(watch, fake, dnd_device="Custom:DND{resource}")
    assert w.state.employees["piotr"].status is AgentStatus.ONLINE
    fake.devices["Custom:DND1002"] = "BUSY"
    fake.emit("DeviceStateChange", "call", [("Device", "Custom:DND1002"), ("State", "BUSY")])
    await w.until(lambda: w.state.employees["piotr"].status is AgentStatus.DND)
    fake.emit("DeviceStateChange", "call", [("Device", "Custom:DND1002"),
                                            ("State", "NOT_INUSE")])
    await w.until(lambda: w.state.employees["piotr"].status is AgentStatus.ONLINE)


async def test_dnd_from_astdb_at_connect(watch, fake):
    fake.dnd_db["DND/1003"] = "YES"
    w = await live(watch, fake, dnd_astdb_family="DND")
    assert w.state.employees["ewa"].status is AgentStatus.DND
    assert w.state.employees["piotr"].status is AgentStatus.ONLINE


async def test_hints_stand_in_when_device_state_events_are_missing(watch, fake):
    fake.modules_missing = {"DeviceStateList"}  # res_manager_devicestate not loaded
    fake.device_events = False
    fake.hints = {"1002": "PJSIP/1002&Custom:DND1002,CustomPresence:1002",
                  "1011": "PJSIP/1011"}
    w = await live(watch, fake)
    assert w.state.employees["piotr"].status is AgentStatus.ONLINE
    assert w.state.employees["anna"].account("PJSIP/1011").status is AgentStatus.OFFLINE
    fake.register("PJSIP/1002", False)
    await w.until(lambda: w.state.employees["piotr"].status is AgentStatus.OFFLINE)
    assert not [a for a in fake.actions if a.get("Action") == "DeviceStateList"]


async def test_a_renamed_channel_keeps_its_call_and_listening_names_the_new_name(watch, fake):
    w = await live(watch, fake)
    client = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                              state="Up")
    agent = fake.add_channel("PJSIP/1002", state="Up", linkedid=client)
    fake.bridge(client, agent)
    await w.until(lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING)
    old = fake.channels[agent].name
    fake.channels[agent].name = "PJSIP/1002-0000beef"
    fake.emit("Rename", "call", [("Channel", old), ("Newname", "PJSIP/1002-0000beef"),
                                 ("Uniqueid", agent)])
    await w.until(lambda: w.client.world.channels[agent].name == "PJSIP/1002-0000beef")
    await w.client.start_listen(client, "PJSIP/1100", ListenMode.LISTEN)
    assert fake.originates[-1]["Data"] == "PJSIP/1002-0000beef,qdES"
    await settled(w, fake)


async def test_a_call_already_talking_at_connect_counts_from_its_last_leg(watch, fake):
    client = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                              state="Up")
    fake.tick(12)
    agent = fake.add_channel("PJSIP/1002", state="Up", linkedid=client)
    fake.bridge(client, agent)
    fake.tick(70)  # the wallboard starts 70 s into the conversation
    w = await live(watch, fake)
    call = w.state.calls[client]
    assert call.status is CallStatus.TALKING and call.employee_id == "piotr"
    assert call.talk_seconds(fake.now) == 70.0 and call.waiting_seconds(fake.now) == 12.0
