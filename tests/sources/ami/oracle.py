"""The oracle: what the board must show, read from the fake PBX's own state.

Written independently of the source's mapping: a call is a linkedid group with a
non-Local channel; the manager is the mapped endpoint's channel (the bridged one first);
an account's status follows its device state; an agent's state follows its members
(offline, on a call, ringing, wrap-up after LastCall, paused in every queue, else
available). After a scenario settles, the board (a LiveState fed by the source), its
queues and agents, and the source's queue model must equal these.
"""

from __future__ import annotations

from typing import Any

from tests.sources.ami.fake_ami import FakeAmi
from wallboard.core.models import AgentStatus, CallStatus
from wallboard.core.queues import AgentState
from wallboard.core.state import LiveState

OWNERS = {"PJSIP/1001": "anna", "PJSIP/1011": "anna", "PJSIP/1002": "piotr",
          "PJSIP/1003": "ewa"}
DEVICE_STATUS = {"NOT_INUSE": AgentStatus.ONLINE, "RINGING": AgentStatus.ONLINE,
                 "INUSE": AgentStatus.TALKING, "BUSY": AgentStatus.TALKING,
                 "ONHOLD": AgentStatus.TALKING, "RINGINUSE": AgentStatus.TALKING}


def expected_calls(fake: FakeAmi) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Any]] = {}
    for chan in fake.channels.values():
        if chan.uniqueid.startswith("wallboard-") or chan.endpoint.startswith("Local/"):
            continue
        groups.setdefault(chan.linkedid, []).append(chan)
    result = {}
    for linkedid, chans in groups.items():
        chans.sort(key=lambda c: (c.created, c.uniqueid))
        client = next((c for c in chans if c.endpoint not in OWNERS), chans[0])
        agents = [c for c in chans if c.endpoint in OWNERS]
        bridged = [a for a in agents if a.bridge and a.state == "Up"]
        agent = (bridged or [a for a in agents if a.state == "Up"] or agents or [None])[0]
        in_bridge = client.bridge is not None and len(fake.bridges.get(client.bridge, [])) > 1
        if any(c.held for c in chans):
            status = CallStatus.ON_HOLD
        elif in_bridge and (agent is None or agent.state == "Up"):
            status = CallStatus.TALKING
        else:
            status = CallStatus.RINGING
        queue = next((q.name for q in fake.queues.values()
                      for u, _ in q.entries if u in {c.uniqueid for c in chans}), None)
        result[linkedid] = {
            "status": status,
            "employee_id": OWNERS.get(agent.endpoint) if agent else None,
            "queue": queue,
        }
    return result


def check_board(state: LiveState, fake: FakeAmi) -> None:
    expected = expected_calls(fake)
    assert set(state.calls) == set(expected), "no ghost, no missing call"
    for call_id, want in expected.items():
        call = state.calls[call_id]
        assert call.status is want["status"], (call_id, call.status, want)
        assert call.employee_id == want["employee_id"], (call_id, call.employee_id, want)
        if want["queue"]:
            assert call.routing_scheme == want["queue"], (call, want)
    for employee in state.employees.values():
        for account in employee.accounts:
            device = fake.devices.get(account.id, "UNAVAILABLE")
            assert account.status is DEVICE_STATUS.get(device, AgentStatus.OFFLINE), (
                account.id, device, account.status)


def check_queues(model: Any, fake: FakeAmi) -> None:
    assert set(model.queues) == set(fake.queues)
    for name, q in fake.queues.items():
        mine = model.queues[name]
        assert list(mine.callers) == [u for u, _ in q.entries], name
        assert [c.joined_at for c in mine.callers.values()] == [t for _, t in q.entries]
        assert {i: (m.paused, m.paused_reason, m.in_call, m.status, m.last_call, m.calls_taken)
                for i, m in mine.members.items()} == {
            i: (m.paused, m.reason, m.in_call, m.status, m.last_call, m.calls)
            for i, m in q.members.items()}, name


BUSY_CODES, RINGING_CODES, OFFLINE_CODES = {2, 3, 8}, {6, 7}, {4, 5}


def expected_agents(fake: FakeAmi, wrapup: dict[str, int]) -> dict[str, tuple[AgentState, str]]:
    """Each manager's agent state and pause reason, from the fake's members and devices."""
    result = {}
    for employee in sorted(set(OWNERS.values())):
        endpoints = [e for e, owner in OWNERS.items() if owner == employee]
        statuses = {DEVICE_STATUS.get(fake.devices.get(e, "UNAVAILABLE"), AgentStatus.OFFLINE)
                    for e in endpoints}
        talking = AgentStatus.TALKING in statuses
        online = talking or AgentStatus.ONLINE in statuses
        mems = [(q, m) for q in fake.queues.values() for m in q.members.values()
                if OWNERS.get(m.state_interface or m.interface) == employee]
        now = fake.now.timestamp()
        if not mems:
            state = (AgentState.ON_CALL if talking else AgentState.AVAILABLE if online
                     else AgentState.OFFLINE)
            result[employee] = (state, "")
        elif not online or all(m.status in OFFLINE_CODES for _, m in mems):
            result[employee] = (AgentState.OFFLINE, "")
        elif talking or any(m.in_call or m.status in BUSY_CODES for _, m in mems):
            result[employee] = (AgentState.ON_CALL, "")
        elif any(m.status in RINGING_CODES for _, m in mems):
            result[employee] = (AgentState.RINGING, "")
        elif any(m.last_call and now < m.last_call + (m.wrapuptime or wrapup.get(q.name, 0))
                 for q, m in mems):
            result[employee] = (AgentState.WRAP_UP, "")
        elif all(m.paused for _, m in mems):
            result[employee] = (AgentState.PAUSED, next((m.reason for _, m in mems if m.reason),
                                                        ""))
        else:
            result[employee] = (AgentState.AVAILABLE, "")
    return result


def check_agents(state: LiveState, fake: FakeAmi, wrapup: dict[str, int]) -> None:
    """The board's queues and agents equal the fake's."""
    assert set(state.queues) == set(fake.queues)
    got = {e: (a.state, a.reason) for e, a in state.agents.items()}
    assert got == expected_agents(fake, wrapup)
    for employee, agent in state.agents.items():
        queues = {q.name for q in fake.queues.values() for m in q.members.values()
                  if OWNERS.get(m.state_interface or m.interface) == employee}
        assert set(agent.queues) == queues, employee
