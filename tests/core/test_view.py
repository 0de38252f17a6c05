"""Which calls the board shows and in which order (wallboard/core/view.py), from literal
calls: every expected order below is worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wallboard.core.events import Snapshot
from wallboard.core.models import Call, CallStatus, CallType, Employee
from wallboard.core.queues import Queue
from wallboard.core.state import LiveState
from wallboard.core.view import BoardFilter, SortKey, describe_sort, sort_calls

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def call(cid: str, kind: CallType, status: CallStatus, employee: str | None, started: int,
         answered: int | None, client: str, business: str, routing: str | None) -> Call:
    """Started ``started`` seconds ago, answered ``answered`` seconds ago (or not)."""
    return Call(id=cid, type=kind, status=status, employee_id=employee,
                created_at=NOW - timedelta(seconds=started),
                answered_at=None if answered is None else NOW - timedelta(seconds=answered),
                client_number=client, business_number=business, routing_scheme=routing)


IN, OUT, BACK = CallType.INCOMING, CallType.OUTGOING, CallType.CALLBACK
RINGING, TALKING, ON_HOLD = CallStatus.RINGING, CallStatus.TALKING, CallStatus.ON_HOLD
#      id   type  status   manager started answered client    business    routing     wait talk
A = call("a", IN, TALKING, "e1", 100, 90, "+48 3", "+48 22 2", "Main")         # 10   90
B = call("b", OUT, RINGING, "e2", 20, None, "+48 1", "+48 22 3", None)         # 20    0
C = call("c", BACK, ON_HOLD, "e3", 300, 280, "+48 2", "+48 22 1", "after hours")  # 20  280
D = call("d", IN, RINGING, None, 45, None, "+48 4", "+48 22 2", "Main")        # 45    0
E = call("e", IN, TALKING, "e1", 100, 95, "+48 5", "+48 22 2", "main")         #  5   95
EMPLOYEES = (
    Employee(id="e1", name="Zoe Adams", department="sales"),
    Employee(id="e2", name="adam Young", department="Support"),
    Employee(id="e3", name="Bea Cole"),  # no department
)


@pytest.fixture
def state() -> LiveState:
    live = LiveState()
    live.apply(Snapshot(calls=(A, B, C, D, E), employees=EMPLOYEES))
    return live


def ids(calls: list[Call]) -> str:
    return "".join(c.id for c in calls)


# -- filters --------------------------------------------------------------------------------
def test_no_filter_is_inactive_and_shows_every_call(state):
    assert not BoardFilter().active
    assert ids(BoardFilter().apply(state)) == "abcde"


@pytest.mark.parametrize(("employees", "departments", "shown"), [
    ({"e1"}, set(), "ae"),
    ({"e2", "e3"}, set(), "bc"),
    (set(), {"sales"}, "ae"),
    (set(), {"sales", "Support"}, "abe"),  # the queued call d has no department
    (set(), {"Sales"}, ""),  # department names match exactly
    ({"e2", "e3"}, {"Support"}, "b"),  # both: a call must pass each
    ({"e1"}, {"Support"}, ""),
])
def test_filters(state, employees, departments, shown):
    board_filter = BoardFilter(employees=frozenset(employees),
                               departments=frozenset(departments))
    assert board_filter.active
    assert ids(board_filter.apply(state)) == shown


# -- sorting --------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "order", "reverse_order"), [
    # a and e started together: the one that waited longer (a, 10 s) comes first
    (SortKey.STARTED, "caedb", "bdaec"),
    # incoming, callback, outgoing; among the incoming, the longest wait first
    (SortKey.TYPE, "daecb", "bcdae"),
    # names without regard to case; the queued call (no manager) last
    (SortKey.EMPLOYEE, "bcaed", "daecb"),
    # departments without regard to case; calls without one last (longest wait first)
    (SortKey.DEPARTMENT, "aebdc", "dcbae"),
    (SortKey.STATUS, "dbcae", "aecdb"),
    (SortKey.CLIENT, "bcade", "edacb"),
    (SortKey.BUSINESS, "cdaeb", "bdaec"),
    # durations: longest first; b and c both waited 20 s: the older call, c, first
    (SortKey.WAITING, "dcbae", "eacbd"),
    (SortKey.TALK, "ceadb", "dbaec"),
    # "Main" and "main" tie; calls without a routing scheme last
    (SortKey.ROUTING, "cdaeb", "bdaec"),
])
def test_sort_orders(state, key, order, reverse_order):
    calls = list(state.calls.values())
    assert ids(sort_calls(calls, key, False, state, NOW)) == order
    # reversed: the key's order turns round, ties keep their order
    assert ids(sort_calls(calls, key, True, state, NOW)) == reverse_order


def test_the_order_does_not_depend_on_the_order_calls_come_in(state):
    for start in range(5):
        calls = list(state.calls.values())
        rotated = calls[start:] + calls[:start]
        assert ids(sort_calls(rotated, SortKey.STATUS, False, state, NOW)) == "dbcae"
        assert ids(sort_calls(rotated[::-1], SortKey.BUSINESS, False, state, NOW)) == "cdaeb"


def test_waiting_order_follows_the_clock(state):
    calls = list(state.calls.values())
    # 30 s later b (ringing) has waited 50 s and d 75 s; c's wait stopped at its answer
    assert ids(sort_calls(calls, SortKey.WAITING, False, state,
                          NOW + timedelta(seconds=30))) == "dbcae"


@pytest.mark.parametrize(("key", "reverse", "text"), [
    (SortKey.STARTED, False, "oldest first"),
    (SortKey.STARTED, True, "newest first"),
    (SortKey.WAITING, False, "by waiting time, longest first"),
    (SortKey.TALK, True, "by talk time, shortest first"),
    (SortKey.EMPLOYEE, False, "by employee"),
    (SortKey.BUSINESS, True, "by business number, reversed"),
    (SortKey.ROUTING, False, "by routing scheme"),
])
def test_describe_sort(key, reverse, text):
    assert describe_sort(key, reverse) == text


def test_the_sort_key_cycles_through_every_column():
    seen = [SortKey.STARTED]
    while (following := seen[-1].next()) is not SortKey.STARTED:
        seen.append(following)
    assert seen == [SortKey.STARTED, SortKey.TYPE, SortKey.EMPLOYEE, SortKey.DEPARTMENT,
                    SortKey.STATUS, SortKey.CLIENT, SortKey.BUSINESS, SortKey.WAITING,
                    SortKey.TALK, SortKey.ROUTING]


def test_the_site_is_in_the_cycle_only_on_a_board_over_several_sites():
    assert SortKey.ROUTING.next() is SortKey.STARTED
    assert SortKey.ROUTING.next(sites=True) is SortKey.SITE
    assert SortKey.SITE.next(sites=True) is SortKey.STARTED
    assert SortKey.SITE.next() is SortKey.STARTED  # sites gone while sorted by site
    assert describe_sort(SortKey.SITE, False) == "by site"


def test_a_site_filter_takes_the_queues_of_its_sites():
    kyiv = Queue(id="kyiv:sales", name="Sales", department="Sales", site="kyiv")
    warsaw = Queue(id="warsaw:sales", name="Sales", department="Sales", site="warsaw")
    chosen = BoardFilter(sites=frozenset({"warsaw"}))
    assert [q.id for q in (kyiv, warsaw) if chosen.matches_queue(q)] == ["warsaw:sales"]
    both = BoardFilter(sites=frozenset({"warsaw"}), departments=frozenset({"Sales"}))
    assert [q.id for q in (kyiv, warsaw) if both.matches_queue(q)] == ["warsaw:sales"]
