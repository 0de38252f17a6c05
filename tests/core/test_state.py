from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wallboard.core.events import (
    EVENTS_ADAPTER,
    AccountStatusChanged,
    CallEnded,
    CallUpserted,
    EmployeeRemoved,
    EmployeeUpserted,
    Snapshot,
)
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType, Employee, SipAccount
from wallboard.core.state import LiveState

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def call(cid="c1", status=CallStatus.RINGING, revision=0, **kw) -> Call:
    return Call(id=cid, type=CallType.INCOMING, status=status, created_at=T0,
                revision=revision, **kw)


def test_call_started_changed_and_ended():
    s = LiveState()
    assert s.apply(CallUpserted(call=call()))
    answered = call(status=CallStatus.TALKING, revision=1, answered_at=T0 + timedelta(seconds=5))
    assert s.apply(CallUpserted(call=answered))
    assert s.calls["c1"].status is CallStatus.TALKING
    assert s.apply(CallEnded(call_id="c1"))
    assert s.calls == {}


def test_duplicate_event_changes_nothing():
    s = LiveState()
    s.apply(CallUpserted(call=call()))
    version = s.version
    assert not s.apply(CallUpserted(call=call()))
    assert s.version == version


def test_late_event_never_brings_an_ended_call_back():
    s = LiveState()
    s.apply(CallUpserted(call=call()))
    s.apply(CallEnded(call_id="c1"))
    assert not s.apply(CallUpserted(call=call(status=CallStatus.TALKING, revision=5)))
    assert "c1" not in s.calls


def test_older_revision_is_ignored():
    s = LiveState()
    s.apply(CallUpserted(call=call(status=CallStatus.TALKING, revision=2)))
    assert not s.apply(CallUpserted(call=call(status=CallStatus.RINGING, revision=1)))
    assert s.calls["c1"].status is CallStatus.TALKING


def test_snapshot_replaces_everything():
    s = LiveState()
    s.apply(CallUpserted(call=call("old")))
    s.apply(EmployeeUpserted(employee=Employee(id="e0", name="Gone")))
    s.apply(Snapshot(calls=(call("new"),), employees=(Employee(id="e1", name="Ann"),)))
    assert set(s.calls) == {"new"}
    assert set(s.employees) == {"e1"}
    # a call dropped by the snapshot stays dead even if a late event arrives for it
    assert not s.apply(CallUpserted(call=call("old", revision=9)))


def test_snapshot_can_bring_back_a_call_the_source_still_has():
    s = LiveState()
    s.apply(CallEnded(call_id="c1"))
    s.apply(Snapshot(calls=(call("c1"),)))
    assert "c1" in s.calls


def test_account_status_changes_the_merged_employee_status():
    s = LiveState()
    e = Employee(id="e1", name="Ann", accounts=(
        SipAccount(id="a", status=AgentStatus.DND), SipAccount(id="b")))
    s.apply(EmployeeUpserted(employee=e))
    assert s.employees["e1"].status is AgentStatus.DND
    assert s.apply(AccountStatusChanged(employee_id="e1", account_id="b",
                                        status=AgentStatus.TALKING))
    assert s.employees["e1"].status is AgentStatus.TALKING
    assert not s.apply(AccountStatusChanged(employee_id="e1", account_id="zzz",
                                            status=AgentStatus.ONLINE))
    assert not s.apply(AccountStatusChanged(employee_id="nobody", account_id="b",
                                            status=AgentStatus.ONLINE))
    assert s.apply(EmployeeRemoved(employee_id="e1"))
    assert s.employees == {}


def test_ended_memory_is_bounded():
    s = LiveState(ended_memory=100)
    for i in range(1000):
        s.apply(CallEnded(call_id=f"c{i}"))
    assert len(s._ended) == 100


def test_events_round_trip_as_json():
    events = [CallUpserted(call=call()), CallEnded(call_id="c1", at=T0),
              Snapshot(calls=(call("x"),))]
    raw = EVENTS_ADAPTER.dump_json(events)
    assert EVENTS_ADAPTER.validate_json(raw) == events


ops = st.lists(
    st.tuples(st.sampled_from(["up", "end"]), st.sampled_from(["a", "b", "c"]),
              st.integers(0, 3)),
    max_size=30,
)


@given(ops)
def test_applying_a_stream_twice_gives_the_same_state(stream):
    events = [
        CallUpserted(call=call(cid, revision=rev)) if op == "up" else CallEnded(call_id=cid)
        for op, cid, rev in stream
    ]
    once, twice = LiveState(), LiveState()
    once.apply_all(events)
    for e in events:  # every event delivered twice in a row
        twice.apply(e)
        twice.apply(e)
    assert once.calls == twice.calls
    ended = {cid for op, cid, _ in stream if op == "end"}
    assert not ended & set(once.calls)


def test_a_restart_snapshot_forgets_ended_calls():
    s = LiveState()
    s.apply(CallEnded(call_id="c7"))
    s.apply(CallUpserted(call=call("c8")))
    s.apply(Snapshot(calls=(), restart=True))
    assert s.calls == {}
    assert s.apply(CallUpserted(call=call("c7")))  # new calls that reuse the ids
    assert s.apply(CallUpserted(call=call("c8")))


def test_has_sites_follows_the_calls_and_managers_that_name_a_site():
    s = LiveState()
    s.apply(CallUpserted(call=call("plain")))
    s.apply(EmployeeUpserted(employee=Employee(id="e0", name="Ann")))
    assert not s.has_sites()
    s.apply(CallUpserted(call=call("kyiv", site="kyiv")))
    assert s.has_sites() and s.sites() == ["kyiv"]
    s.apply(CallEnded(call_id="kyiv"))
    assert not s.has_sites()
    s.apply(EmployeeUpserted(employee=Employee(id="e1", name="Bo", site="lviv")))
    assert s.has_sites()
    # the same manager, no longer on a site
    s.apply(EmployeeUpserted(employee=Employee(id="e1", name="Bo")))
    assert not s.has_sites()
    s.apply(EmployeeUpserted(employee=Employee(id="e2", name="Cy", site="lviv")))
    s.apply(EmployeeRemoved(employee_id="e2"))
    assert not s.has_sites()
    s.apply(Snapshot(calls=(call("w", site="warsaw"),), employees=()))
    assert s.has_sites()
    s.apply(Snapshot(calls=(call("w2"),), employees=()))
    assert not s.has_sites()
