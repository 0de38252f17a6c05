"""The AMI source must not drift from real Asterisk.

Runs a scenario that exercises every event and action the source handles, recording
every field the source *reads* (a recording dict under each parsed message) and every
action it *sends* (the fake's log). Each must be in the facts extracted from Asterisk's
documentation (``shared/data/asterisk-ami-queue-and-chanspy.json``: app_queue's events
and actions, ChanSpy's options) or, for what that file does not cover, in the contract
table of docs/asterisk-ami.md, extracted from Asterisk's source at the same commit.
The facts file is Asterisk's, read where it lies and never copied here; without it
these tests skip, except in CI (``WALLBOARD_CI=1``), where they fail.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

import wallboard.sources.ami.protocol as protocol
from tests.sources.ami.fake_ami import FakeAmi
from wallboard.core.events import Link
from wallboard.core.listen import ListenMode
from wallboard.core.models import CallStatus

ROOT = Path(__file__).resolve().parents[3]
FACTS = ROOT.parent / "shared" / "data" / "asterisk-ami-queue-and-chanspy.json"
DOC = ROOT / "docs" / "asterisk-ami.md"
SNAPSHOT = ["Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum", "CallerIDName",
            "ConnectedLineNum", "ConnectedLineName", "Language", "AccountCode", "Context",
            "Exten", "Priority", "Uniqueid", "Linkedid", "ChanVariable"]


def facts() -> dict[str, Any]:
    if not FACTS.exists():
        if os.environ.get("WALLBOARD_CI") == "1":
            pytest.fail(f"the Asterisk AMI facts are missing at {FACTS}")
        pytest.skip(f"the Asterisk AMI facts (not in this repository) are not at {FACTS}")
    return json.loads(FACTS.read_text(encoding="utf-8"))


def table() -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """docs/asterisk-ami.md's contract table: event -> fields, action -> fields, common."""
    text = DOC.read_text(encoding="utf-8").split("<!-- contract-table", 1)[1]
    events: dict[str, set[str]] = {}
    actions: dict[str, set[str]] = {}
    common: set[str] = set()
    for line in text.splitlines()[3:]:
        if not line.startswith("|"):
            break
        names, _where, fields = (c.strip() for c in line.strip("|").split("|"))
        found: set[str] = set()
        for item in (f.strip().strip("`") for f in fields.split(",")):
            if item.endswith("<S>"):
                found |= {item[:-3] + f for f in SNAPSHOT}
            elif not item.startswith("("):
                found.add(item)
        if names == "every message":
            common = found
            continue
        target = actions if names.startswith("action ") else events
        for name in names.removeprefix("action ").split(","):
            target[name.strip().removesuffix(" (response)")] = found
    return events, actions, common


def fact_fields(data: dict[str, Any], event: str) -> set[str] | None:
    """An event's fields in the facts, with what it includes from others."""
    known = {k.split(" ")[0]: v for k, v in data["manager_events"].items()}
    entry = known.get(event)
    if entry is None:
        return None
    fields = {p["name"] for p in entry.get("parameters", [])}
    for ref in entry.get("includes_params_from", []):
        other, _, field = ref.partition(".")
        fields |= fact_fields(data, other) or set() if field == "*" else {field}
    if entry.get("includes_channel_snapshot"):
        fields |= set(SNAPSHOT)
    return fields


class Recording(dict):
    reads: set[tuple[str, str]] = set()

    def _note(self, key: object) -> None:
        name = dict.get(self, "Event") or f"{dict.get(self, 'Response')} response"
        Recording.reads.add((str(name), str(key)))

    def get(self, key, default=None):  # type: ignore[override]
        self._note(key)
        return dict.get(self, key, default)

    def __getitem__(self, key):  # type: ignore[override]
        self._note(key)
        return dict.__getitem__(self, key)

    def __contains__(self, key):  # type: ignore[override]
        self._note(key)
        return dict.__contains__(self, key)


@pytest.fixture
def recording(monkeypatch):
    real = protocol.parse_message

    def parse(text: str) -> protocol.AmiMessage:
        message = real(text)
        message.headers = Recording(message.headers)
        return message

    monkeypatch.setattr(protocol, "parse_message", parse)
    Recording.reads = set()
    return Recording.reads


async def everything(w, fake: FakeAmi) -> None:
    """Every event and action the source handles, once."""
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    client = fake.add_channel("PJSIP/trunk", number="+48600", context="from-external",
                              exten="100", state="Up", variables={"FROM_DID": "+48221"})
    fake.queue_join(client, "support")
    leg = fake.queue_ring(client, "support", "PJSIP/1003")
    fake.queue_no_answer(client, leg, "support", "PJSIP/1003")
    leg = fake.queue_ring(client, "support", "PJSIP/1002")
    fake.queue_answer(client, leg, "support", "PJSIP/1002")
    fake.emit("NewConnectedLine", "call", fake.snapshot(fake.channels[client]))
    fake.hold(leg)
    fake.hold(leg, on=False)
    await w.until(lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING)
    session = await w.client.start_listen(client, "PJSIP/1100", ListenMode.LISTEN)
    fake.answer_originate()
    await w.until(lambda: w.client.listener.sessions[session].answered)
    await w.client.change_listen(session, mode=ListenMode.BARGE)
    await w.client.stop_listen(session)
    await w.client.start_listen(client, "PJSIP/1100", ListenMode.COACH)
    fake.fail_originate("5")
    fake.queue_complete(client, leg, "support", "PJSIP/1002", talk=30)
    waiting = fake.add_channel("PJSIP/trunk", number="+48700", context="from-external",
                               state="Up")
    fake.queue_join(waiting, "sales")
    fake.add_member("sales", "PJSIP/1003", "Ewa Lis")
    fake.remove_member("sales", "PJSIP/1003")
    await w.client.pause_member("PJSIP/1001", True, "Lunch", queue="sales")
    await fake.drop()  # a resync lists queue entries, channels and devices
    await w.until(lambda: w.state.connection.link is Link.RECONNECTING)
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    fake.queue_abandon(waiting, "sales")
    await w.until(lambda: waiting not in w.state.calls)


def unknown_reads(recording: set[tuple[str, str]], data: dict[str, Any]) -> list[str]:
    events, _actions, common = table()
    responses = common | events["CoreStatus"]  # the only response read beyond the framing
    unknown = []
    for event, field in sorted(recording):
        if field in common or (event.endswith(" response") and field in responses):
            continue
        documented = fact_fields(data, event)
        if documented is not None and field in documented:
            continue
        if field not in events.get(event, set()):
            unknown.append(f"{event}.{field}")
    return unknown


def check_actions(sent: list[dict[str, str]], data: dict[str, Any]) -> None:
    _events, actions, _common = table()
    documented_actions = data["manager_actions"]
    for action in sent:
        name = action["Action"]
        params = set(action) - {"Action", "ActionID"}
        if name in documented_actions:
            allowed = set(documented_actions[name]["parameters"])
        else:
            assert name in actions, f"{name} is in neither the facts nor the contract table"
            allowed = actions[name]
        assert params <= allowed, (name, params - allowed)


async def test_every_field_read_and_action_sent_is_in_the_contract(watch, fake, recording):
    data = facts()
    fake.dnd_db["DND/1003"] = "YES"
    w = await watch(dnd_astdb_family="DND")
    await everything(w, fake)
    unknown = unknown_reads(recording, data)
    assert not unknown, f"read but in neither the facts nor the contract table: {unknown}"
    assert {e for e, _ in recording} >= {
        "Newchannel", "Hangup", "DialBegin", "DialEnd", "BridgeEnter", "BridgeLeave", "Hold",
        "Unhold", "NewConnectedLine", "DeviceStateChange", "QueueCallerJoin",
        "QueueCallerLeave", "QueueCallerAbandon", "AgentCalled", "AgentConnect",
        "AgentComplete", "AgentRingNoAnswer", "QueueMemberStatus", "QueueMemberPause",
        "QueueMemberAdded", "QueueMemberRemoved", "QueueParams", "QueueMember", "QueueEntry",
        "CoreShowChannel", "OriginateResponse", "ChanSpyStart", "DBGetResponse"}, (
        "the scenario exercises every event the source handles")
    sent = [a for a in fake.actions if a.get("Action")]
    assert {a["Action"] for a in sent} >= {"Login", "ListCommands", "CoreShowChannels",
                                            "QueueStatus", "QueueSummary", "DeviceStateList",
                                            "CoreStatus", "DBGet", "QueuePause", "Originate",
                                            "PlayDTMF", "Hangup"}
    check_actions(sent, data)


async def test_the_hint_fallback_is_in_the_contract(watch, fake, recording):
    data = facts()
    fake.modules_missing = {"DeviceStateList"}
    fake.device_events = False
    fake.hints = {"1002": "PJSIP/1002&Custom:DND1002"}
    w = await watch()
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    fake.register("PJSIP/1002", False)
    await w.until(lambda: w.state.employees["piotr"].status.value == "offline")
    assert ("ExtensionStatus", "StatusText") in recording
    assert not unknown_reads(recording, data)
    check_actions([a for a in fake.actions if a.get("Action")], data)
    assert "ExtensionStateList" in {a.get("Action") for a in fake.actions}


async def test_chanspy_options_are_documented_ones(watch, fake):
    data = facts()
    w = await watch()
    await w.until(lambda: w.state.connection.link is Link.LIVE)
    await fake.wait_for_sessions()
    client = fake.add_channel("PJSIP/trunk", number="+48600", state="Up",
                              context="from-external")
    leg = fake.add_channel("PJSIP/1002", state="Up", linkedid=client)
    fake.bridge(client, leg)
    await w.until(lambda: (c := w.state.calls.get(client)) and c.status is CallStatus.TALKING)
    for mode in ListenMode:
        await w.client.start_listen(client, "PJSIP/1100", mode)
    options = [a["Data"].rsplit(",", 1)[1] for a in fake.originates]
    assert options == ["qdES", "qdESw", "qdESB"]
    for letters in options:
        assert set(letters) <= set(data["chanspy_options"]), letters
    assert "whisper" in data["chanspy_options"]["w"].lower()
    assert "barge" in data["chanspy_options"]["B"].lower()


def test_device_state_numbers_match_the_facts():
    data = facts()
    from wallboard.sources.ami.queues import DEVICE_STATES

    numbers = data["device_state_numeric_values (include/asterisk/devicestate.h enum "
                   "ast_device_state)"]
    assert {int(k): v for k, v in numbers.items()} == dict(enumerate(DEVICE_STATES))


def test_the_contract_table_names_the_commit_of_the_facts():
    data = facts()
    commit = re.search(r"@([0-9a-f]{7,})", data["source"])
    assert commit and f"asterisk/asterisk@{commit.group(1)}" in DOC.read_text(encoding="utf-8")
