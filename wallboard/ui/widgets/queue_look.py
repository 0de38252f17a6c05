"""How queue figures and agent states look everywhere: texts, glyphs, colours, levels.

Every figure a rule can judge is coloured by its level (amber for a warning, red for
critical), in the strip, the queues screen, the kiosk page and the agents grid alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from wallboard.core.alerts import AlertEngine, Level, Metric
from wallboard.core.format import format_duration
from wallboard.core.metrics import Figures, QueueFigures
from wallboard.core.queues import AgentState

NO_FIGURE = "–"

STATE_NAME = {
    AgentState.AVAILABLE: "available", AgentState.RINGING: "ringing",
    AgentState.ON_CALL: "on call", AgentState.WRAP_UP: "wrap-up",
    AgentState.PAUSED: "paused", AgentState.DND: "DND", AgentState.OFFLINE: "offline",
    AgentState.UNKNOWN: "unknown",
}
STATE_GLYPH = {
    AgentState.AVAILABLE: "●", AgentState.RINGING: "◔", AgentState.ON_CALL: "☎",
    AgentState.WRAP_UP: "✎", AgentState.PAUSED: "‖", AgentState.DND: "⊘",
    AgentState.OFFLINE: "○", AgentState.UNKNOWN: "?",
}
"""Glyphs differ as well as colours: the grid reads on a monochrome wall TV."""
STATE_CLASS = {state: state.value.replace("_", "-") for state in AgentState}


def seconds_text(value: float | None) -> str:
    """``0:45``, ``12:05``; an hour or more in minutes (``75m``), so it stays short."""
    if value is None:
        return NO_FIGURE
    return format_duration(value) if value < 3600 else f"{int(value // 60)}m"


def percent_text(value: float | None) -> str:
    return NO_FIGURE if value is None else f"{value:.0f}%"


def fit_text(text: str, width: int, right: bool = False) -> str:
    """Exactly ``width`` cells: padded, or cut with an ellipsis (names, never labels)."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else text[:width]
    pad = " " * (width - length)
    return pad + text if right else text + pad


@dataclass(frozen=True)
class Field:
    """One figure of a queue's line: its label, width, the priority that keeps it when
    room is short (0 first), and how its value reads."""

    key: str
    label: str
    """The label written before the value on the strip (whole, or the field is dropped)."""
    title: str
    """The column title on the queues screen."""
    width: int
    priority: int
    value: Callable[[QueueFigures, Figures], str]
    metric: Metric | None = None
    """The metric whose level colours the value."""
    raw: Callable[[QueueFigures, Figures], float | None] | None = None


def _counted(text: Callable[[Figures], str]) -> Callable[[QueueFigures, Figures], str]:
    return lambda q, f: text(f)


FIELDS: tuple[Field, ...] = (
    Field("waiting", "waiting", "Waiting", 3, 0, lambda q, f: str(q.waiting),
          Metric.WAITING, lambda q, f: float(q.waiting)),
    Field("longest", "longest", "Longest", 7, 1, lambda q, f: seconds_text(
        q.longest_wait if q.waiting else None), Metric.LONGEST_WAIT,
        lambda q, f: q.longest_wait if q.waiting else None),
    Field("sl", "SL", "SL", 4, 2, _counted(lambda f: percent_text(f.service_level)),
          Metric.SERVICE_LEVEL, lambda q, f: f.service_level),
    Field("available", "avail", "Avail", 3, 3, lambda q, f: str(q.agents.available),
          Metric.AGENTS_AVAILABLE, lambda q, f: float(q.agents.available)),
    Field("abandon_rate", "aband", "Aband%", 4, 4,
          _counted(lambda f: percent_text(f.abandon_rate)), Metric.ABANDON_RATE,
          lambda q, f: f.abandon_rate),
    Field("answered", "ans", "Answered", 11, 5,
          _counted(lambda f: f"{f.answered}/{f.offered}")),
    Field("asa", "ASA", "ASA", 5, 6, _counted(lambda f: seconds_text(f.asa)), Metric.ASA,
          lambda q, f: f.asa),
    Field("paused", "paused", "Paused", 3, 7, lambda q, f: str(q.agents.paused)),
    Field("wrap", "wrap", "Wrap", 3, 8, lambda q, f: str(q.agents.wrap_up)),
    Field("busy", "busy", "Busy", 3, 9, lambda q, f: str(q.agents.busy)),
    Field("aht", "AHT", "AHT", 5, 10, _counted(lambda f: seconds_text(f.aht)), Metric.AHT,
          lambda q, f: f.aht),
    Field("callbacks", "callbacks", "Callbacks", 3, 11, lambda q, f: str(q.callbacks),
          Metric.CALLBACKS_WAITING, lambda q, f: float(q.callbacks)),
    Field("abandoned", "abandoned", "Aband.", 4, 12, _counted(lambda f: str(f.abandoned))),
    Field("short", "short", "Short", 4, 13, _counted(lambda f: str(f.short_abandons))),
    Field("offline", "offline", "Offline", 3, 14, lambda q, f: str(q.agents.offline)),
    Field("dnd", "DND", "DND", 3, 15, lambda q, f: str(q.agents.dnd)),
)
"""Every figure of a queue, most important first when room is short."""


def field_level(engine: AlertEngine, field: Field, queue: QueueFigures,
                figures: Figures) -> Level | None:
    if field.metric is None or field.raw is None:
        return None
    return engine.level(field.metric, queue.queue_id, field.raw(queue, figures))


def waiting_no_agent_level(engine: AlertEngine, queue: QueueFigures) -> Level | None:
    """Callers waiting where no agent is available: the queue's name turns red."""
    value = float(queue.waiting) if queue.agents.available == 0 else 0.0
    return engine.level(Metric.WAITING_NO_AGENT, queue.queue_id, value)


def worst(levels: list[Level | None]) -> Level | None:
    found = [level for level in levels if level is not None]
    return max(found, key=lambda level: level.rank) if found else None


def fit_fields(width: int, name_width: int, gap: int, labelled: bool,
               fields: tuple[Field, ...] = FIELDS) -> list[Field]:
    """The fields that fit in ``width`` after the name, by priority, in their order."""
    room = width - name_width - gap
    kept: list[Field] = []
    for field in sorted(fields, key=lambda f: f.priority):
        need = field_width(field, labelled) + gap
        if need <= room:
            kept.append(field)
            room -= need
    return [f for f in fields if f in kept]


def field_width(field: Field, labelled: bool) -> int:
    if labelled:
        return cell_len(field.label) + 1 + field.width
    return max(field.width, cell_len(field.title))
