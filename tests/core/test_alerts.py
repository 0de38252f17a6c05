"""Alert rules on scripted figures: levels, hold times, escalation, quiet hours, agents."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from wallboard.core.alerts import AlertEngine, AlertRule, Change, Level, Metric
from wallboard.core.metrics import Figures, MetricsView, QueueFigures
from wallboard.core.queues import Agent, AgentState, StateCount

T0 = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)


def view(*queues: QueueFigures) -> MetricsView:
    return MetricsView(at=T0, day_start=T0, queues={q.queue_id or "": q for q in queues},
                       total=QueueFigures(None, "All queues", Figures(), Figures()))


def queue(queue_id: str = "sales", *, waiting: int = 0, longest: float = 0.0,
          sl: float | None = None, available: int = 1) -> QueueFigures:
    recent = Figures(service_level=sl)
    return QueueFigures(queue_id, queue_id.title(), Figures(), recent, waiting=waiting,
                        longest_wait=longest, agents=StateCount(available=available))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_caller_waiting_over_60_s_fires_after_the_hold_time_and_ends_when_answered():
    engine = AlertEngine([AlertRule("wait", Metric.LONGEST_WAIT, warning=45, critical=60,
                                    hold_seconds=5)])
    assert engine.evaluate(at(0), view(queue(waiting=1, longest=59)), [], {}) == []
    assert engine.evaluate(at(4), view(queue(waiting=1, longest=63)), [], {}) == []
    fired = engine.evaluate(at(5), view(queue(waiting=1, longest=64)), [], {})
    assert [(c.change, c.alert.level, c.alert.message) for c in fired] == [
        (Change.FIRED, Level.WARNING, "Sales: longest wait 1:04 (warning)")]
    escalated = engine.evaluate(at(9), view(queue(waiting=1, longest=68)), [], {})
    assert [(c.change, c.alert.level) for c in escalated] == [(Change.ESCALATED,
                                                               Level.CRITICAL)]
    ended = engine.evaluate(at(10), view(queue()), [], {})
    assert [(c.change, c.alert.ended_at) for c in ended] == [(Change.ENDED, at(10))]
    assert engine.active == {} and engine.recent[0].started_at == at(5)


def test_service_level_under_80_percent_alerts_at_or_below_the_level():
    engine = AlertEngine([AlertRule("sl", Metric.SERVICE_LEVEL, warning=80, critical=70)])
    assert engine.evaluate(at(0), view(queue(sl=80.5)), [], {}) == []
    change, = engine.evaluate(at(1), view(queue(sl=80.0)), [], {})
    assert (change.change, change.alert.level) == (Change.FIRED, Level.WARNING)
    change, = engine.evaluate(at(2), view(queue(sl=70.0)), [], {})
    assert (change.change, change.alert.level) == (Change.ESCALATED, Level.CRITICAL)
    change, = engine.evaluate(at(3), view(queue(sl=75.0)), [], {})
    assert (change.change, change.alert.level) == (Change.EASED, Level.WARNING)
    assert engine.evaluate(at(4), view(queue(sl=None)), [], {})[0].change is Change.ENDED


def test_no_agent_available_with_callers_waiting_names_the_queue():
    engine = AlertEngine([AlertRule("nobody", Metric.WAITING_NO_AGENT, critical=1)])
    changes = engine.evaluate(at(0), view(queue("sales", waiting=2, available=0),
                                          queue("support", waiting=3, available=1)), [], {})
    assert [(c.alert.subject, c.alert.value) for c in changes] == [("sales", 2.0)]


def test_a_pause_over_15_minutes_is_one_alert_per_agent_with_the_reason():
    engine = AlertEngine([AlertRule("pause", Metric.PAUSE, warning=900)])
    agents = [Agent(employee_id="anna", state=AgentState.PAUSED, reason="lunch",
                    since=at(0), queues=("sales",)),
              Agent(employee_id="ewa", state=AgentState.AVAILABLE, since=at(0))]
    assert engine.evaluate(at(899), view(), agents, {"anna": "Anna Nowak"}) == []
    change, = engine.evaluate(at(900), view(), agents, {"anna": "Anna Nowak"})
    assert change.alert.message == "Anna Nowak (lunch): paused for 15:00 (warning)"
    assert change.alert.id == "pause/anna"


def test_acknowledging_stops_the_bell_until_it_escalates():
    engine = AlertEngine([AlertRule("wait", Metric.LONGEST_WAIT, warning=45, critical=60)])
    engine.evaluate(at(0), view(queue(waiting=1, longest=50)), [], {})
    assert [a.id for a in engine.ringing] == ["wait/sales"]
    ack = engine.acknowledge("wait/sales", "marta", at(1))
    assert ack is not None and ack.alert.acknowledged_by == "marta"
    assert engine.ringing == [] and engine.acknowledge("wait/sales", "marta", at(2)) is None
    engine.evaluate(at(3), view(queue(waiting=1, longest=61)), [], {})
    assert [a.id for a in engine.ringing] == ["wait/sales"]  # worse: it rings again


def test_quiet_hours_colour_but_ring_nothing():
    warsaw = ZoneInfo("Europe/Warsaw")
    rule = AlertRule("wait", Metric.LONGEST_WAIT, warning=45,
                     quiet=((time(22, 0), time(7, 0)),))
    engine = AlertEngine([rule], zone=warsaw)
    night = datetime(2026, 3, 24, 22, 30, tzinfo=UTC)  # 23:30 in Warsaw
    change, = engine.evaluate(night, view(queue(waiting=1, longest=50)), [], {})
    assert change.alert.quiet and not change.notifies and engine.ringing == []
    assert engine.level(Metric.LONGEST_WAIT, "sales", 50) is Level.WARNING
    assert rule.is_quiet(datetime(2026, 3, 24, 6, 59, tzinfo=warsaw), warsaw)
    assert not rule.is_quiet(datetime(2026, 3, 24, 7, 0, tzinfo=warsaw), warsaw)


def test_colours_follow_the_rules_of_the_queue_else_the_defaults():
    engine = AlertEngine([AlertRule("sales sl", Metric.SERVICE_LEVEL, queue="sales",
                                    warning=90)])
    assert engine.level(Metric.SERVICE_LEVEL, "sales", 85.0) is Level.WARNING
    assert engine.level(Metric.SERVICE_LEVEL, "sales", 91.0) is None
    # the rule names sales only: support keeps the default colours (warning under 80 %)
    assert engine.level(Metric.SERVICE_LEVEL, "support", 85.0) is None
    assert engine.level(Metric.SERVICE_LEVEL, "support", 75.0) is Level.WARNING
    assert AlertEngine([]).level(Metric.SERVICE_LEVEL, "support", 75.0) is Level.WARNING
    assert AlertEngine([]).level(Metric.ABANDON_RATE, "support", 10.0) is Level.CRITICAL
