"""Filters with "(no department)", waiting calls first, held frames, key placeholders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wallboard.core.clock import FrameClock, ManualClock
from wallboard.core.events import ConnectionChanged, Link, Snapshot
from wallboard.core.listen import END_KEY, listen_refusal
from wallboard.core.models import Call, CallStatus, CallType, Employee
from wallboard.core.state import Connection, LiveState, held_at
from wallboard.core.view import NO_DEPARTMENT, BoardFilter, department_choices, waiting_first

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def call(cid: str, employee: str | None, status: CallStatus = CallStatus.TALKING) -> Call:
    return Call(id=cid, type=CallType.INCOMING, status=status, employee_id=employee,
                client_number="+48 500 000 001", created_at=NOW - timedelta(seconds=60),
                answered_at=None if status is CallStatus.RINGING else NOW)


def state_with_a_manager_without_department() -> LiveState:
    state = LiveState()
    state.apply(Snapshot(
        employees=(Employee(id="e1", name="Ann", department="Sales"),
                   Employee(id="e2", name="Bob"),
                   Employee(id="e3", name="Cid", department="")),
        calls=(call("c1", "e1"), call("c2", "e2"), call("c3", "e3"), call("q1", None),
               call("x1", "gone")),
    ))
    return state


def test_no_department_is_a_choice_when_a_manager_has_none():
    state = state_with_a_manager_without_department()
    assert department_choices(state) == ["Sales", NO_DEPARTMENT]
    only_sales = LiveState()
    only_sales.apply(Snapshot(employees=(Employee(id="e1", name="Ann", department="Sales"),)))
    assert department_choices(only_sales) == ["Sales"]


def test_no_department_matches_managers_without_one_not_queued_calls():
    state = state_with_a_manager_without_department()
    ids = {c.id for c in BoardFilter(departments=frozenset({NO_DEPARTMENT})).apply(state)}
    assert ids == {"c2", "c3"}
    both = BoardFilter(departments=frozenset({NO_DEPARTMENT, "Sales"}))
    assert {c.id for c in both.apply(state)} == {"c1", "c2", "c3"}


def test_waiting_calls_first_each_group_in_its_order():
    calls = [call("t1", "e1"), call("r1", "e1", CallStatus.RINGING), call("h1", "e1",
             CallStatus.ON_HOLD), call("r2", None, CallStatus.RINGING), call("t2", "e2")]
    assert [c.id for c in waiting_first(calls)] == ["r1", "r2", "t1", "h1", "t2"]


def test_a_state_is_synced_only_once_a_snapshot_arrived():
    state = LiveState()
    state.apply(ConnectionChanged(link=Link.CONNECTING, at=NOW))
    state.apply(ConnectionChanged(link=Link.RECONNECTING, at=NOW))
    assert not state.synced
    state.apply(Snapshot())
    assert state.synced


def test_figures_are_held_while_the_link_is_down_or_the_data_stale():
    live = Connection(link=Link.LIVE, last_data_at=NOW - timedelta(seconds=3))
    assert held_at(live, NOW, stale_after=10) is None
    assert held_at(live, NOW, stale_after=None) is None
    quiet = Connection(link=Link.LIVE, last_data_at=NOW - timedelta(seconds=25))
    assert held_at(quiet, NOW, stale_after=10) == NOW - timedelta(seconds=15)
    down = Connection(link=Link.RECONNECTING, since=NOW - timedelta(seconds=7))
    assert held_at(down, NOW, stale_after=10) == NOW - timedelta(seconds=7)
    failed = Connection(link=Link.FAILED, since=NOW - timedelta(seconds=2))
    assert held_at(failed, NOW, stale_after=None) == NOW - timedelta(seconds=2)


def test_a_frame_reads_the_clock_once_and_holds_where_told():
    clock = ManualClock(NOW)
    frame = FrameClock(clock)
    frame.next_frame()
    clock.advance(0.7)  # the clock moves while the frame is drawn
    assert frame.now() == NOW and frame.wall == NOW and not frame.held
    clock.advance(10)
    frame.next_frame(lambda wall: NOW + timedelta(seconds=3))
    assert frame.now() == NOW + timedelta(seconds=3)
    assert frame.wall == NOW + timedelta(seconds=10.7) and frame.held


def test_the_core_names_no_key_only_a_placeholder_for_it():
    from wallboard.core.listen import ListenSession, ListenState, SupervisorAccount

    running = ListenSession(id="s1", call_id="c1", supervisor="PJSIP/1900",
                            state=ListenState.ACTIVE, started_at=NOW)
    reason = listen_refusal(call("c2", "e1"), {}, SupervisorAccount(account="PJSIP/1900"),
                            running)
    assert reason is not None and END_KEY in reason and "(e)" not in reason
