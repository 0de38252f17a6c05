"""Queue figures on scripted days, with literal expected values (docs/queues.md)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from wallboard.core.daily import day_window, reset_instant
from wallboard.core.events import AgentChanged, CallEnded, CallUpserted, QueueUpserted, Snapshot
from wallboard.core.metrics import Kind, MetricsSettings, Outcome, ServiceLevelFormula
from wallboard.core.models import Call, CallStatus, CallType
from wallboard.core.queues import Agent, AgentState, Queue
from wallboard.core.state import LiveState

WARSAW = ZoneInfo("Europe/Warsaw")
SALES = Queue(id="sales", name="Sales", service_level_seconds=20, short_abandon_seconds=5)


def at(hh: int, mm: int, ss: int = 0, day: int = 24, month: int = 3) -> datetime:
    return datetime(2026, month, day, hh, mm, ss, tzinfo=UTC)


def waiting(cid: str, entered: datetime, queue: str = "sales", revision: int = 0) -> Call:
    return Call(id=cid, type=CallType.INCOMING, status=CallStatus.RINGING, created_at=entered,
                queue_id=queue, revision=revision)


def answered(call: Call, when: datetime, employee: str = "anna") -> Call:
    return call.model_copy(update={"status": CallStatus.TALKING, "answered_at": when,
                                   "employee_id": employee, "revision": call.revision + 1})


def state_with(*queues: Queue,
               formula: ServiceLevelFormula = ServiceLevelFormula.OFFERED_MINUS_SHORT,
               reset: time = time(0, 0), zone=UTC) -> LiveState:
    state = LiveState()
    state.metrics.configure(MetricsSettings(reset_at=reset, zone=zone, formula=formula))
    state.apply(Snapshot(queues=queues, at=at(8, 0)))
    return state


def scripted_morning(state: LiveState) -> None:
    """Three answered calls (10 s, exactly 20 s, 21 s), a short abandon (4 s), an abandon
    at exactly the short threshold (5 s) and a long abandon (60 s); two wrap-ups."""
    c1, c2, c3 = waiting("c1", at(9, 0)), waiting("c2", at(9, 1)), waiting("c3", at(9, 2))
    c4, c5, c6 = waiting("c4", at(9, 3)), waiting("c5", at(9, 4)), waiting("c6", at(9, 5))
    for call in (c1, c2, c3, c4, c5, c6):
        state.apply(CallUpserted(call=call))
    state.apply(CallUpserted(call=answered(c1, at(9, 0, 10))))
    state.apply(CallUpserted(call=answered(c2, at(9, 1, 20), "ewa")))
    state.apply(CallUpserted(call=answered(c3, at(9, 2, 21), "piotr")))
    state.apply(CallEnded(call_id="c4", at=at(9, 3, 4)))
    state.apply(CallEnded(call_id="c5", at=at(9, 4, 5)))
    state.apply(CallEnded(call_id="c1", at=at(9, 3, 10)))
    state.apply(AgentChanged(agent=Agent(employee_id="anna", state=AgentState.WRAP_UP,
                                         since=at(9, 3, 10), queues=("sales",))))
    state.apply(AgentChanged(agent=Agent(employee_id="anna", state=AgentState.AVAILABLE,
                                         since=at(9, 3, 40), queues=("sales",))))
    state.apply(CallEnded(call_id="c3", at=at(9, 4, 21)))
    state.apply(AgentChanged(agent=Agent(employee_id="piotr", state=AgentState.WRAP_UP,
                                         since=at(9, 4, 21), queues=("sales",))))
    state.apply(AgentChanged(agent=Agent(employee_id="piotr", state=AgentState.AVAILABLE,
                                         since=at(9, 4, 41), queues=("sales",))))
    state.apply(CallEnded(call_id="c6", at=at(9, 6)))


def test_a_scripted_morning_gives_these_figures():
    state = state_with(SALES)
    scripted_morning(state)
    sales = state.metrics.view(at(9, 10), state.queues).queues["sales"]
    day = sales.day
    assert (day.offered, day.answered, day.abandoned, day.short_abandons) == (6, 3, 2, 1)
    assert day.service_level == pytest.approx(40.0)  # 2 within (10 s, exactly 20 s) / (6 - 1)
    assert day.abandon_rate == pytest.approx(40.0)  # 2 / (6 - 1)
    assert day.asa == pytest.approx(17.0)  # (10 + 20 + 21) / 3
    assert day.aht == pytest.approx(175.0)  # (180 + 120) / 2 talk+hold, + (30 + 20) / 2 wrap
    assert sales.recent == day  # everything happened in the last 30 minutes
    assert (sales.waiting, sales.agents.available) == (0, 2)


@pytest.mark.parametrize(("formula", "percent"), [
    (ServiceLevelFormula.OFFERED_MINUS_SHORT, 40.0),
    (ServiceLevelFormula.OFFERED, 100 * 2 / 6),
    (ServiceLevelFormula.ANSWERED, 100 * 2 / 3),
    (ServiceLevelFormula.ABANDONS_MET, 100 * 4 / 6),  # + the 4 s and 5 s abandons
])
def test_the_peers_formulas(formula, percent):
    state = state_with(SALES, formula=formula)
    scripted_morning(state)
    assert state.metrics.view(at(9, 10), state.queues).queues["sales"].day.service_level == \
        pytest.approx(percent)


def test_an_answer_at_exactly_the_threshold_is_within_one_second_more_is_not():
    state = state_with(SALES)
    first, second = waiting("x1", at(10, 0)), waiting("x2", at(10, 0))
    state.apply(CallUpserted(call=first))
    state.apply(CallUpserted(call=second))
    state.apply(CallUpserted(call=answered(first, at(10, 0, 20))))
    view = state.metrics.view(at(10, 1), state.queues)
    assert view.queues["sales"].day.service_level == 100.0
    state.apply(CallUpserted(call=answered(second, at(10, 0, 21), "ewa")))
    view = state.metrics.view(at(10, 1), state.queues)
    assert view.queues["sales"].day.service_level == 50.0


def test_the_recent_window_keeps_the_last_30_whole_minutes():
    state = state_with(SALES)
    scripted_morning(state)
    recent = state.metrics.view(at(9, 35), state.queues).queues["sales"].recent
    # at 09:35 the window holds the minutes from 09:06: only the 60 s abandon of 09:06:00
    assert (recent.offered, recent.abandoned, recent.service_level) == (1, 1, 0.0)
    assert state.metrics.view(at(9, 37), state.queues).queues["sales"].recent.offered == 0


def test_waiting_now_and_the_longest_wait():
    state = state_with(SALES, Queue(id="support", name="Support"))
    state.apply(CallUpserted(call=waiting("w1", at(11, 0))))
    state.apply(CallUpserted(call=waiting("w2", at(11, 0, 30))))
    state.apply(CallUpserted(call=waiting("w3", at(11, 0, 50), queue="support")))
    view = state.metrics.view(at(11, 1, 15), state.queues)
    assert (view.queues["sales"].waiting, view.queues["sales"].longest_wait) == (2, 75.0)
    assert (view.queues["support"].waiting, view.queues["support"].longest_wait) == (1, 25.0)
    assert (view.total.waiting, view.total.longest_wait) == (3, 75.0)
    state.apply(CallUpserted(call=answered(waiting("w1", at(11, 0)), at(11, 1))))
    view = state.metrics.view(at(11, 1, 15), state.queues)
    assert (view.queues["sales"].waiting, view.queues["sales"].longest_wait) == (1, 45.0)


def test_the_daily_reset_on_a_spring_forward_day_at_a_time_the_clock_skips():
    # Europe/Warsaw, 29 March 2026: 02:00 CET jumps to 03:00 CEST; a 02:30 reset happens
    # at the jump, 01:00 UTC
    assert reset_instant(datetime(2026, 3, 29).date(), time(2, 30), WARSAW) == \
        at(1, 0, day=29)
    assert day_window(at(0, 59, day=29), time(2, 30), WARSAW) == (at(1, 30, day=28),
                                                                 at(1, 0, day=29))
    # on the fall-back day the first 02:30 (CEST) counts: 00:30 UTC
    assert reset_instant(datetime(2026, 10, 25).date(), time(2, 30), WARSAW) == \
        at(0, 30, day=25, month=10)
    state = state_with(SALES, reset=time(2, 30), zone=WARSAW)
    before, after = waiting("b", at(0, 40, day=29)), waiting("a", at(1, 5, day=29))
    state.apply(CallUpserted(call=before))
    state.apply(CallUpserted(call=answered(before, at(0, 50, day=29))))
    state.apply(CallUpserted(call=after))
    state.apply(CallUpserted(call=answered(after, at(1, 10, day=29), "ewa")))
    view = state.metrics.view(at(1, 15, day=29), state.queues)
    assert view.day_start == at(1, 0, day=29)
    assert view.queues["sales"].day.answered == 1  # the 00:50 UTC answer was yesterday's
    assert view.queues["sales"].recent.answered == 2  # the window does not reset


def test_an_agent_paused_across_the_reset_stays_paused_with_its_start():
    state = state_with(SALES, reset=time(6, 0), zone=WARSAW)  # 04:00 UTC in summer
    lunch = Agent(employee_id="anna", state=AgentState.PAUSED, reason="lunch",
                  since=at(3, 50, day=25, month=6), queues=("sales",))
    state.apply(AgentChanged(agent=lunch))
    call = waiting("p1", at(3, 55, day=25, month=6))
    state.apply(CallUpserted(call=call))
    state.apply(CallUpserted(call=answered(call, at(3, 56, day=25, month=6), "ewa")))
    view = state.metrics.view(at(4, 10, day=25, month=6), state.queues)
    assert view.day_start == at(4, 0, day=25, month=6)
    assert view.queues["sales"].day.answered == 0
    assert view.queues["sales"].agents.paused == 1
    agent = state.agent("anna")
    assert agent is not None and agent.since == at(3, 50, day=25, month=6)
    assert agent.reason == "lunch"


def test_the_store_s_outcomes_are_loaded_once():
    state = state_with(SALES)
    call = waiting("s1", at(9, 0))
    state.apply(CallUpserted(call=call))
    state.apply(CallUpserted(call=answered(call, at(9, 0, 5))))
    loaded = state.metrics.load([
        Outcome(at(8, 30), "sales", Kind.ANSWERED, "old", 30.0, False),
        Outcome(at(9, 0, 5), "sales", Kind.ANSWERED, "s1", 5.0, True),  # counted live
    ])
    assert loaded == 1
    day = state.metrics.view(at(9, 10), state.queues).queues["sales"].day
    assert (day.answered, day.asa, day.service_level) == (2, 17.5, 50.0)


def test_a_snapshot_carries_the_count_to_a_board_following_a_feed():
    server = state_with(SALES)
    scripted_morning(server)
    snapshot = server.snapshot(at(9, 10))
    client = LiveState()
    client.apply(snapshot)
    assert client.metrics.view(at(9, 10), client.queues).queues["sales"].day.offered == 6
    c7 = waiting("c7", at(9, 11))
    for state in (server, client):  # the same events count the same on both
        state.apply(CallUpserted(call=c7))
        state.apply(CallUpserted(call=answered(c7, at(9, 11, 3))))
    assert client.metrics.view(at(9, 12), client.queues) == \
        server.metrics.view(at(9, 12), server.queues)


def test_a_resync_from_the_source_does_not_count_its_answered_calls_again():
    state = state_with(SALES)
    call = answered(waiting("r1", at(9, 0)), at(9, 0, 8))
    state.apply(CallUpserted(call=waiting("r1", at(9, 0))))
    state.apply(CallUpserted(call=call))
    state.apply(Snapshot(calls=(call,), queues=(SALES,), at=at(9, 5)))
    state.apply(CallUpserted(call=call.model_copy(update={"revision": 5})))
    assert state.metrics.view(at(9, 6), state.queues).queues["sales"].day.answered == 1


def test_a_queue_update_changes_the_name_shown():
    state = state_with(SALES)
    state.apply(QueueUpserted(queue=SALES.model_copy(update={"name": "Sales PL",
                                                             "callbacks_waiting": 3})))
    view = state.metrics.view(at(9, 0), state.queues)
    assert (view.queues["sales"].name, view.queues["sales"].callbacks) == ("Sales PL", 3)
    assert view.total.callbacks == 3


def test_one_event_does_not_walk_the_day():
    """20,000 calls counted, then one more: its cost does not depend on the day's size
    (the timing budget is in benchmarks/queue_metrics.py; here, the work is bounded)."""
    state = state_with(SALES)
    start = at(0, 0)
    for n in range(2_000):
        call = waiting(f"d{n}", start + timedelta(seconds=n))
        state.apply(CallUpserted(call=call))
        state.apply(CallUpserted(call=answered(call, start + timedelta(seconds=n + 3))))
        state.apply(CallEnded(call_id=call.id, at=start + timedelta(seconds=n + 60)))
    assert len(state.metrics._calls) == 0 and not state.metrics._waiting["sales"]
    assert state.metrics.view(at(1, 0), state.queues).queues["sales"].day.answered == 2_000


def test_minutes_out_of_the_window_are_forgotten_without_anyone_looking():
    """A server that never draws a frame keeps no more than the window in memory (and in
    the snapshots it hands out)."""
    state = state_with(SALES)
    for n in range(120):  # two hours, an answer a minute
        call = waiting(f"m{n}", at(9, 0) + timedelta(minutes=n))
        state.apply(CallUpserted(call=call))
        state.apply(CallUpserted(call=answered(call, call.created_at + timedelta(seconds=5))))
    assert len(state.metrics.seed().minutes) <= 31
    assert state.metrics.seed().day["sales"].answered == 120


def test_the_mutable_tally_has_every_field_of_the_wire_tally():
    from wallboard.core.queues import Tally
    from wallboard.core.tally import _Tally

    assert set(_Tally.__slots__) == set(Tally.model_fields)


def test_adding_tallies_adds_every_field():
    from wallboard.core.queues import Tally
    from wallboard.core.tally import _Tally

    one = Tally(offered=1, answered=2, answered_within=3, abandoned=4, abandoned_within=5,
                short=6, wait=7.5, handled=8, handle=9.5, wrapups=10, wrapup=11.5)
    total = _Tally.of(one)
    total.add(one)
    assert total.frozen() == Tally(offered=2, answered=4, answered_within=6, abandoned=8,
                                   abandoned_within=10, short=12, wait=15.0, handled=16,
                                   handle=19.0, wrapups=20, wrapup=23.0)
