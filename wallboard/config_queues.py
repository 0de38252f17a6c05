"""The settings of queues, alerts and terminal notifications: ``[queues]``,
``[[queues.queue]]``, ``[[alerts]]`` and ``[notifications]`` (docs/queues.md)."""

from __future__ import annotations

from datetime import tzinfo
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from wallboard.core.alerts import AlertRule, Metric
from wallboard.core.daily import parse_clock
from wallboard.core.metrics import MetricsSettings, ServiceLevelFormula
from wallboard.core.queues import QueueCatalog, QueueDefaults


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _clock(value: str) -> str:
    try:
        parse_clock(value)
    except ValueError:
        raise PydanticCustomError("clock", "{value} is not a time of day like 06:00",
                                  {"value": repr(value)}) from None
    return value


class QueueConfig(_Section):
    """``[[queues.queue]]``: one queue's name, department and thresholds, overriding what
    the source says."""

    id: str = Field(min_length=1)
    """The queue's id as the source names it (an Asterisk queue, or a demo scheme such as
    ``main-line``)."""
    name: str | None = None
    department: str | None = None
    service_level_seconds: float | None = Field(default=None, gt=0, le=3600)
    short_abandon_seconds: float | None = Field(default=None, ge=0, le=600)


SlFormula = Literal["offered_minus_short", "offered", "answered", "abandons_met"]


class QueuesConfig(_Section):
    """Queue figures: when the day starts, how the service level is computed."""

    reset_time: str = "00:00"
    """The local time (in ui.timezone) the day's figures start from, e.g. ``06:00``."""
    window_minutes: int = Field(default=30, ge=1, le=240)
    """The recent window, in whole minutes."""
    service_level_seconds: float = Field(default=20.0, gt=0, le=3600)
    """Answered within this counts as met (a queue's own threshold wins)."""
    short_abandon_seconds: float = Field(default=5.0, ge=0, le=600)
    """Callers who hang up sooner are short abandons, counted apart."""
    service_level_formula: SlFormula = "offered_minus_short"
    """offered_minus_short: answered within ÷ (offered − short abandons); offered: ÷ offered;
    answered: ÷ answered (Asterisk's ServicelevelPerf); abandons_met: (answered + abandoned
    within) ÷ offered (Asterisk's ServicelevelPerf2)."""
    strip: bool = True
    """Show the queues strip on the board (when the source has queues)."""
    pause_reasons: list[str] = Field(
        default_factory=lambda: ["lunch", "break", "training", "coaching"], min_length=1)
    """The reasons a supervisor picks from when pausing an agent."""
    queue: list[QueueConfig] = Field(default_factory=list)

    @field_validator("reset_time")
    @classmethod
    def _reset(cls, value: str) -> str:
        return _clock(value)

    def catalog(self) -> QueueCatalog:
        """How sources make their queues: these thresholds, names and departments."""
        return QueueCatalog(
            service_level_seconds=self.service_level_seconds,
            short_abandon_seconds=self.short_abandon_seconds,
            overrides=tuple((q.id, QueueDefaults(
                name=q.name, department=q.department,
                service_level_seconds=q.service_level_seconds,
                short_abandon_seconds=q.short_abandon_seconds)) for q in self.queue))

    def metrics(self, zone: tzinfo | None) -> MetricsSettings:
        return MetricsSettings(
            reset_at=parse_clock(self.reset_time), zone=zone,
            window_minutes=self.window_minutes,
            formula=ServiceLevelFormula(self.service_level_formula),
            service_level_seconds=self.service_level_seconds,
            short_abandon_seconds=self.short_abandon_seconds)

    @field_validator("pause_reasons")
    @classmethod
    def _reasons(cls, reasons: list[str]) -> list[str]:
        for reason in reasons:
            if not reason.strip() or len(reason) > 40:
                raise PydanticCustomError("reason", "each pause reason must be 1 to 40 "
                                          "characters")
        return [r.strip() for r in reasons]


class AlertConfig(_Section):
    """``[[alerts]]``: one rule."""

    name: str | None = None
    """Shown with its alerts; default: the metric and the queue."""
    metric: Metric
    """longest_wait, waiting, waiting_no_agent, service_level, abandon_rate, asa, aht,
    agents_available, callbacks_waiting (per queue); pause, wrap_up (per agent)."""
    queue: str = "all"
    """A queue id, or ``all``: every queue, each on its own."""
    warning: float | None = None
    critical: float | None = None
    """Levels in the metric's unit (seconds, percent, a count). Service level and agents
    available alert at or below them; the rest at or above."""
    hold_seconds: float = Field(default=0.0, ge=0, le=86_400)
    """How long a level must hold before the alert fires."""
    window: Literal["recent", "day"] = "recent"
    """Which figures counted figures judge: the recent window or the day."""
    quiet_hours: list[str] = Field(default_factory=list)
    """``"22:00-07:00"``: local times when the rule rings nothing (it still colours)."""

    @field_validator("quiet_hours")
    @classmethod
    def _spans(cls, spans: list[str]) -> list[str]:
        for span in spans:
            start, sep, end = span.partition("-")
            if not sep:
                raise PydanticCustomError("span", "{span} is not a span like 22:00-07:00",
                                          {"span": repr(span)})
            _clock(start)
            _clock(end)
        return spans

    @model_validator(mode="after")
    def _a_level(self) -> AlertConfig:
        if self.warning is None and self.critical is None:
            raise PydanticCustomError("levels", "give a warning level, a critical level or both")
        return self

    @property
    def rule_name(self) -> str:
        where = "" if self.queue == "all" else f" {self.queue}"
        return self.name or f"{self.metric.value}{where}"

    def rule(self, number: int) -> AlertRule:
        spans = []
        for span in self.quiet_hours:
            start, _, end = span.partition("-")
            spans.append((parse_clock(start), parse_clock(end)))
        return AlertRule(
            name=self.name or f"{self.rule_name} #{number}", metric=self.metric,
            queue=None if self.queue == "all" else self.queue, warning=self.warning,
            critical=self.critical, hold_seconds=self.hold_seconds, window=self.window,
            quiet=tuple(spans))


class NotificationsConfig(_Section):
    """How a firing alert reaches the supervisor at a terminal."""

    bell: bool = True
    """Ring the terminal bell while an alert is unacknowledged."""
    bell_repeat_seconds: float = Field(default=10.0, ge=1, le=3600)
    desktop: Literal["osc9", "osc777", "both", "off"] = "osc9"
    """Desktop notifications through the terminal: OSC 9 (iTerm2, WezTerm, Windows
    Terminal, foot...), OSC 777 (rxvt, Ghostty, VTE terminals), both, or off."""
    tmux: Literal["auto", "on", "off"] = "auto"
    """Wrap the OSC sequences for tmux's passthrough (auto: when $TMUX is set)."""
    hook: list[str] = Field(default_factory=list)
    """A program and its arguments, run without a shell for each alert that fires,
    escalates or ends; the alert arrives as JSON on its standard input."""
    hook_per_minute: int = Field(default=6, ge=1, le=600)
    """At most this many hook runs a minute; more are skipped (and logged)."""
    hook_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
