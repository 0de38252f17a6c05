"""The pure mapping from Asterisk channels to calls and statuses (no I/O)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.sources.ari import payloads as p
from tests.sources.ari.conftest import settings
from wallboard.core.events import AccountStatusChanged, CallEnded, CallUpserted
from wallboard.core.models import AgentStatus, CallStatus, CallType
from wallboard.sources.ari.directory import AccountState, Directory, load_employees
from wallboard.sources.ari.mapping import CallMapper
from wallboard.sources.ari.models import endpoint_of
from wallboard.sources.ari.world import AriWorld

NOW = p.START + timedelta(minutes=5)


def make(**overrides: Any) -> CallMapper:
    config = settings("http://pbx:8088", **overrides)
    world = AriWorld(Directory(load_employees(config)), f"{config.app}-", config.dnd_device)
    world.load([], [], [p.endpoint("PJSIP/1001")], [])
    mapper = CallMapper(config, world)
    mapper.snapshot(NOW)
    return mapper


def feed(mapper: CallMapper, type: str, **fields: Any) -> list:
    mapper.world.apply(p.event(type, "app", NOW, **fields), NOW)
    return mapper.diff(NOW)


def test_queue_through_local_channels_finds_the_manager() -> None:
    m = make()
    client = p.channel("PJSIP/trunk", number="+48600", context="from-external", state="Up")
    half1 = p.channel("Local/1001@agents-00000001;1", state="Up")
    half2 = p.channel("Local/1001@agents-00000001;2", state="Up")
    agent = p.channel("PJSIP/1001", state="Ringing")
    for c in (client, half1, half2, agent):
        feed(m, "ChannelCreated", channel=c)
    feed(m, "Dial", caller=client, peer=half1, dialstatus="RINGING")
    events = feed(m, "Dial", caller=half2, peer=agent, dialstatus="RINGING")
    [call] = m.calls.values()
    assert call.id == client["id"] and call.employee_id == "anna"
    assert call.status is CallStatus.RINGING
    agent["state"] = "Up"
    events = feed(m, "ChannelStateChange", channel=agent)
    events += feed(m, "ChannelEnteredBridge", channel=client,
                   bridge=p.bridge("q", [client["id"], half1["id"]]))
    events += feed(m, "ChannelEnteredBridge", channel=agent,
                  bridge=p.bridge("a", [half2["id"], agent["id"]]))
    [call] = m.calls.values()
    assert call.status is CallStatus.TALKING and len(m.calls) == 1
    assert any(isinstance(e, AccountStatusChanged) and e.status is AgentStatus.TALKING
               for e in events)


def test_ring_group_shows_the_leg_that_answers() -> None:
    m = make()
    client = p.channel("PJSIP/trunk", number="+48600", context="from-external", state="Up")
    anna = p.channel("PJSIP/1001", state="Ringing")
    piotr = p.channel("PJSIP/1002", state="Ringing")
    for c in (client, anna, piotr):
        feed(m, "ChannelCreated", channel=c)
        if c is not client:
            feed(m, "Dial", caller=client, peer=c, dialstatus="RINGING")
    assert m.calls[client["id"]].employee_id == "anna"
    piotr["state"] = "Up"
    feed(m, "ChannelStateChange", channel=piotr)
    feed(m, "ChannelDestroyed", channel=anna, cause=26, cause_txt="Answered elsewhere")
    feed(m, "ChannelEnteredBridge", channel=piotr,
         bridge=p.bridge("b", [client["id"], piotr["id"]]))
    call = m.calls[client["id"]]
    assert call.employee_id == "piotr" and call.status is CallStatus.TALKING


def test_type_variable_and_contexts() -> None:
    m = make(callback_contexts=["callbacks"])
    a = p.channel("PJSIP/trunk", context="from-external",
                  variables={"WALLBOARD_CALL_TYPE": "callback"})
    b = p.channel("PJSIP/trunk", context="callbacks")
    c = p.channel("PJSIP/trunk", context="somewhere")
    d = p.channel("PJSIP/1002", context="somewhere", exten="+48500")
    for ch in (a, b, c, d):
        feed(m, "ChannelCreated", channel=ch)
    types = {cid: call.type for cid, call in m.calls.items()}
    assert types == {a["id"]: CallType.CALLBACK, b["id"]: CallType.CALLBACK,
                     c["id"]: CallType.INCOMING, d["id"]: CallType.OUTGOING}


def test_varset_uses_bare_names_and_bumps_the_revision() -> None:
    m = make()
    client = p.channel("PJSIP/trunk", context="from-external", exten="+48221002030")
    feed(m, "ChannelCreated", channel=client)
    first = m.calls[client["id"]]
    assert first.business_number == "+48221002030", "the DID the client dialled"
    [event] = feed(m, "ChannelVarset", channel=client, variable="__FROM_DID", value="+48 22 100")
    assert isinstance(event, CallUpserted)
    assert event.call.business_number == "+48 22 100" and event.call.revision == first.revision + 1
    assert feed(m, "ChannelVarset", channel=client, variable="OTHER", value="x") == []


def test_ignored_contexts_helpers_and_our_own_channels_are_not_calls() -> None:
    m = make(ignore_contexts=["voicemail"])
    for c in (
        p.channel("PJSIP/1001", context="voicemail"),
        p.channel("Snoop/123-00000001", state="Up"),
        p.channel("PJSIP/1100", id="wallboard-test-listen1-supervisor", state="Up"),
        p.channel("Local/x@y-00000001;1"),
    ):
        feed(m, "ChannelCreated", channel=c)
    assert m.calls == {}


def test_a_hangup_ends_the_call_once_and_never_revives_it() -> None:
    m = make()
    client = p.channel("PJSIP/trunk", context="from-external")
    feed(m, "ChannelCreated", channel=client)
    events = feed(m, "ChannelDestroyed", channel=client, cause=16, cause_txt="Normal Clearing")
    assert [type(e) for e in events] == [CallEnded]
    assert feed(m, "ChannelStateChange", channel=client) != []  # a late event: a new id
    assert client["id"] not in m.calls


def test_dnd_from_a_custom_device_state() -> None:
    m = make(dnd_device="Custom:DND{resource}")
    assert m.world.dnd_devices == ["Custom:DND1001", "Custom:DND1011", "Custom:DND1002"]
    [event] = feed(m, "DeviceStateChanged", device_state=p.device_state("Custom:DND1001", "BUSY"))
    assert isinstance(event, AccountStatusChanged) and event.status is AgentStatus.DND
    [event] = feed(m, "DeviceStateChanged",
                   device_state=p.device_state("Custom:DND1001", "NOT_INUSE"))
    assert event.status is AgentStatus.ONLINE


def test_account_state_priorities() -> None:
    assert AccountState().status is AgentStatus.OFFLINE
    assert AccountState("online").status is AgentStatus.ONLINE
    assert AccountState("online", "UNAVAILABLE").status is AgentStatus.OFFLINE
    assert AccountState("unknown", "NOT_INUSE").status is AgentStatus.ONLINE
    assert AccountState("online", "INUSE", dnd=True).status is AgentStatus.TALKING
    assert AccountState("online", dnd=True).status is AgentStatus.DND
    assert AccountState("offline", dnd=True).status is AgentStatus.OFFLINE


def test_employees_from_csv_merge_with_the_inline_map(tmp_path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("id,name,department,endpoint\nanna,,Sales,PJSIP/1003\n"
                    "ola,Ola Kot,Billing,PJSIP/2001\nola,Ola Kot,Billing,PJSIP/2002\n")
    employees = {e.id: e for e in load_employees(settings("http://x", employees_csv=path))}
    assert employees["anna"].endpoints == ["PJSIP/1001", "PJSIP/1011", "PJSIP/1003"]
    assert employees["ola"].endpoints == ["PJSIP/2001", "PJSIP/2002"]
    assert employees["ola"].department == "Billing"


def test_channel_endpoint_names() -> None:
    assert endpoint_of("PJSIP/1001-0000002a") == "PJSIP/1001"
    assert endpoint_of("PJSIP/my-trunk-0000002a") == "PJSIP/my-trunk"
    assert endpoint_of("Local/100@from-queue-00000001;2") == "Local/100@from-queue"
