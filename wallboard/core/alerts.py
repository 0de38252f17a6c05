"""Alerts on queue and agent figures: ``[[alerts]]`` rules, their levels and hold times.

A rule names a metric, a queue (or every queue, each on its own), a warning and a critical
level and how long a level must hold before it fires. Rules are evaluated once a second
(:meth:`AlertEngine.evaluate`); what changed — fired, escalated, eased, ended — goes to the
screens (bell, OSC 9/777), the hook and the store. During a rule's quiet hours its alerts
still show and colour the figures, but ring nothing. The colour of a figure
(:meth:`AlertEngine.level`) follows the rules at once, without the hold time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, tzinfo
from enum import StrEnum

from wallboard.core.format import format_duration
from wallboard.core.metrics import Figures, MetricsView, QueueFigures
from wallboard.core.queues import Agent, AgentState
from wallboard.core.text import N_, Sentence

RECENT_ALERTS = 50
"""Ended alerts kept for the alerts screen."""


class Level(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return 2 if self is Level.CRITICAL else 1


class Metric(StrEnum):
    LONGEST_WAIT = "longest_wait"
    """Seconds the longest-waiting caller of the queue has waited."""
    WAITING = "waiting"
    """Callers waiting in the queue."""
    WAITING_NO_AGENT = "waiting_no_agent"
    """Callers waiting in a queue where no agent is available (0 otherwise)."""
    SERVICE_LEVEL = "service_level"
    ABANDON_RATE = "abandon_rate"
    ASA = "asa"
    AHT = "aht"
    AGENTS_AVAILABLE = "agents_available"
    CALLBACKS_WAITING = "callbacks_waiting"
    PAUSE = "pause"
    """Seconds an agent has been paused (one alert per agent)."""
    WRAP_UP = "wrap_up"
    """Seconds an agent has been in wrap-up (one alert per agent)."""

    @property
    def lower_is_worse(self) -> bool:
        return self in (Metric.SERVICE_LEVEL, Metric.AGENTS_AVAILABLE)

    @property
    def per_agent(self) -> bool:
        return self in (Metric.PAUSE, Metric.WRAP_UP)

    @property
    def label(self) -> str:
        return METRIC_LABELS[self]


METRIC_LABELS = {
    Metric.LONGEST_WAIT: N_("longest wait"), Metric.WAITING: N_("callers waiting"),
    Metric.WAITING_NO_AGENT: N_("callers waiting, no agent available"),
    Metric.SERVICE_LEVEL: N_("service level"), Metric.ABANDON_RATE: N_("abandon rate"),
    Metric.ASA: N_("average speed of answer"), Metric.AHT: N_("average handle time"),
    Metric.AGENTS_AVAILABLE: N_("agents available"),
    Metric.CALLBACKS_WAITING: N_("callbacks waiting"),
    Metric.PAUSE: N_("paused for"), Metric.WRAP_UP: N_("in wrap-up for"),
}
"""Each metric in words (English, marked for the catalog): an alert's message says it."""
LEVEL_WORDS = {Level.WARNING: N_("warning"), Level.CRITICAL: N_("critical")}
SECONDS = frozenset({Metric.LONGEST_WAIT, Metric.ASA, Metric.AHT, Metric.PAUSE, Metric.WRAP_UP})
PERCENT = frozenset({Metric.SERVICE_LEVEL, Metric.ABANDON_RATE})

DEFAULT_LEVELS: dict[Metric, tuple[float, float]] = {
    Metric.LONGEST_WAIT: (30.0, 60.0),
    Metric.WAITING_NO_AGENT: (1.0, 1.0),
    Metric.SERVICE_LEVEL: (80.0, 60.0),
    Metric.ABANDON_RATE: (5.0, 10.0),
    Metric.PAUSE: (900.0, 1800.0),
}
"""How figures are coloured when no rule names their metric (a rule replaces these)."""


def format_value(metric: Metric, value: float) -> str:
    if metric in SECONDS:
        return format_duration(value)
    if metric in PERCENT:
        return f"{value:.0f}%"
    return f"{value:g}"


@dataclass(frozen=True)
class AlertRule:
    name: str
    metric: Metric
    queue: str | None = None
    """A queue id; None: every queue, each on its own."""
    warning: float | None = None
    critical: float | None = None
    hold_seconds: float = 0.0
    window: str = "recent"
    """For the counted figures: ``recent`` (the last 30 minutes) or ``day``."""
    quiet: tuple[tuple[time, time], ...] = ()
    """Local times [from, to) when the rule rings nothing; ``to`` before ``from`` spans
    midnight."""

    def level(self, value: float | None) -> Level | None:
        if value is None:
            return None
        critical, warning = self.critical, self.warning
        if self.metric.lower_is_worse:
            value, critical, warning = -value, _negated(critical), _negated(warning)
        if critical is not None and value >= critical:
            return Level.CRITICAL
        if warning is not None and value >= warning:
            return Level.WARNING
        return None

    def is_quiet(self, now: datetime, zone: tzinfo | None) -> bool:
        local = now.astimezone(zone).time().replace(tzinfo=None)
        for start, end in self.quiet:
            inside = start <= local < end if start <= end else (local >= start or local < end)
            if inside:
                return True
        return False


def _negated(limit: float | None) -> float | None:
    return None if limit is None else -limit


@dataclass(frozen=True)
class Alert:
    id: str
    """``rule/subject``: one alert per rule and queue (or agent) at a time."""
    rule: str
    metric: Metric
    subject: str
    """A queue id, or an employee id for the per-agent metrics."""
    subject_name: str
    level: Level
    value: float
    started_at: datetime
    changed_at: datetime
    quiet: bool = False
    ended_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None

    @property
    def message(self) -> Sentence:
        """``Billing: longest wait 1:05 (critical)``: English (the hook, the log, the
        feed), said in the board's language where it is shown."""
        return Sentence(N_("{name}: {metric} {value} ({level})"), name=self.subject_name,
                        metric=Sentence(self.metric.label),
                        value=format_value(self.metric, self.value),
                        level=Sentence(LEVEL_WORDS[self.level]))

    @property
    def ringing(self) -> bool:
        """Rings the bell until acknowledged (or ended); quiet hours ring nothing."""
        return self.ended_at is None and self.acknowledged_at is None and not self.quiet


_DEFAULT_RULES = {metric: AlertRule("default", metric, warning=warning, critical=critical)
                  for metric, (warning, critical) in DEFAULT_LEVELS.items()}
""":data:`DEFAULT_LEVELS` as rules, made once: the strip asks for a figure's level about a
hundred times a second."""


class Change(StrEnum):
    FIRED = "fired"
    ESCALATED = "escalated"
    EASED = "eased"
    ENDED = "ended"
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class AlertChange:
    change: Change
    alert: Alert

    @property
    def notifies(self) -> bool:
        """Worth a desktop notification and the hook (not in quiet hours)."""
        return self.change in (Change.FIRED, Change.ESCALATED) and not self.alert.quiet


@dataclass
class _Watch:
    """How long a subject's value has been at each level (for the hold time)."""

    warning_since: datetime | None = None
    critical_since: datetime | None = None


@dataclass
class AlertEngine:
    rules: list[AlertRule]
    zone: tzinfo | None = None
    active: dict[str, Alert] = field(default_factory=dict)
    recent: deque[Alert] = field(default_factory=lambda: deque(maxlen=RECENT_ALERTS))
    _watch: dict[str, _Watch] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_metric: dict[Metric, list[AlertRule]] = {}
        """The rules of each metric: the strip asks for the level of every figure it shows,
        every second."""
        for rule in self.rules:
            self._by_metric.setdefault(rule.metric, []).append(rule)

    # -- colours, at once --------------------------------------------------------------------
    def level(self, metric: Metric, queue_id: str | None, value: float | None) -> Level | None:
        """How a figure is coloured: the worst level of the rules that name its metric and
        queue; the defaults when no rule names the metric."""
        if value is None:
            return None
        found: Level | None = None
        ruled = False
        for rule in self._by_metric.get(metric, ()):
            if rule.queue is not None and rule.queue != queue_id and queue_id is not None:
                continue
            ruled = True
            level = rule.level(value)
            if level is not None and (found is None or level.rank > found.rank):
                found = level
        if ruled:
            return found
        default = _DEFAULT_RULES.get(metric)
        return None if default is None else default.level(value)

    # -- evaluation, once a second ---------------------------------------------------------
    def evaluate(self, now: datetime, view: MetricsView, agents: Iterable[Agent],
                 names: Mapping[str, str]) -> list[AlertChange]:
        """Every rule against the figures at ``now``; what changed. ``names``: employee id
        -> the manager's name (the per-agent alerts name them)."""
        changes: list[AlertChange] = []
        seen: set[str] = set()
        agents = list(agents)
        for rule in self.rules:
            for subject, name, value in self._values(rule, view, agents, names, now):
                key = f"{rule.name}/{subject}"
                seen.add(key)
                change = self._judge(rule, key, subject, name, value, now)
                if change is not None:
                    changes.append(change)
        for key in [k for k in self.active if k not in seen]:  # a queue or agent gone
            changes.append(self._end(key, now))
        for key in [k for k in self._watch if k not in seen]:
            del self._watch[key]
        return changes

    def _values(self, rule: AlertRule, view: MetricsView, agents: list[Agent],
                names: Mapping[str, str], now: datetime
                ) -> Iterable[tuple[str, str, float | None]]:
        if rule.metric.per_agent:
            state = AgentState.PAUSED if rule.metric is Metric.PAUSE else AgentState.WRAP_UP
            for agent in agents:
                if agent.state is state and (rule.queue is None or rule.queue in agent.queues):
                    name = names.get(agent.employee_id, agent.employee_id)
                    if agent.reason:
                        name = f"{name} ({agent.reason})"
                    yield agent.employee_id, name, (now - agent.since).total_seconds()
            return
        queues = view.queues
        chosen = [queues[rule.queue]] if rule.queue in queues else (
            [] if rule.queue is not None else list(queues.values()))
        for figures in chosen:
            yield figures.queue_id or "", figures.name, queue_value(rule.metric, figures,
                                                                    rule.window)

    def _judge(self, rule: AlertRule, key: str, subject: str, name: str,
               value: float | None, now: datetime) -> AlertChange | None:
        raw = rule.level(value)
        watch = self._watch.setdefault(key, _Watch())
        if raw is None:
            watch.warning_since = watch.critical_since = None
        else:
            watch.warning_since = watch.warning_since or now
            if raw is Level.CRITICAL:
                watch.critical_since = watch.critical_since or now
            else:
                watch.critical_since = None
        hold = rule.hold_seconds
        level: Level | None = None
        if watch.critical_since and (now - watch.critical_since).total_seconds() >= hold:
            level = Level.CRITICAL
        elif watch.warning_since and (now - watch.warning_since).total_seconds() >= hold:
            level = Level.WARNING if rule.warning is not None else None
        current = self.active.get(key)
        if level is None:
            if current is not None and raw is None:
                return self._end(key, now)
            if current is not None:  # still above a level, not yet held: keep as it is
                self.active[key] = replace(current, value=value or 0.0)
            return None
        assert value is not None
        if current is None:
            alert = Alert(key, rule.name, rule.metric, subject, name, level, value, now, now,
                          quiet=rule.is_quiet(now, self.zone))
            self.active[key] = alert
            return AlertChange(Change.FIRED, alert)
        if level is current.level:
            self.active[key] = replace(current, value=value, subject_name=name)
            return None
        escalated = level.rank > current.level.rank
        alert = replace(current, level=level, value=value, changed_at=now, subject_name=name,
                        quiet=rule.is_quiet(now, self.zone),
                        acknowledged_at=None if escalated else current.acknowledged_at,
                        acknowledged_by=None if escalated else current.acknowledged_by)
        self.active[key] = alert
        return AlertChange(Change.ESCALATED if escalated else Change.EASED, alert)

    def _end(self, key: str, now: datetime) -> AlertChange:
        alert = replace(self.active.pop(key), ended_at=now)
        self.recent.appendleft(alert)
        return AlertChange(Change.ENDED, alert)

    # -- people ------------------------------------------------------------------------------
    def acknowledge(self, alert_id: str, by: str, now: datetime) -> AlertChange | None:
        """Stop its bell; None if no such active alert (or already acknowledged)."""
        alert = self.active.get(alert_id)
        if alert is None or alert.acknowledged_at is not None:
            return None
        alert = replace(alert, acknowledged_at=now, acknowledged_by=by)
        self.active[alert_id] = alert
        return AlertChange(Change.ACKNOWLEDGED, alert)

    @property
    def ringing(self) -> list[Alert]:
        return [a for a in self.active.values() if a.ringing]


def queue_value(metric: Metric, figures: QueueFigures, window: str = "recent") -> float | None:
    """The figure a rule on ``metric`` judges for one queue."""
    counted: Figures = figures.day if window == "day" else figures.recent
    if metric is Metric.LONGEST_WAIT:
        return figures.longest_wait
    if metric is Metric.WAITING:
        return float(figures.waiting)
    if metric is Metric.WAITING_NO_AGENT:
        return float(figures.waiting) if figures.agents.available == 0 else 0.0
    if metric is Metric.SERVICE_LEVEL:
        return counted.service_level
    if metric is Metric.ABANDON_RATE:
        return counted.abandon_rate
    if metric is Metric.ASA:
        return counted.asa
    if metric is Metric.AHT:
        return counted.aht
    if metric is Metric.AGENTS_AVAILABLE:
        return float(figures.agents.available)
    if metric is Metric.CALLBACKS_WAITING:
        return float(figures.callbacks)
    return None
