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
from wallboard.i18n import C_, counted, pgettext

NO_FIGURE = "–"

STATE_NAME = {
    AgentState.AVAILABLE: C_("agent state", "available"),
    AgentState.RINGING: C_("agent state", "ringing"),
    AgentState.ON_CALL: C_("agent state", "on call"),
    AgentState.WRAP_UP: C_("agent state", "wrap-up"),
    AgentState.PAUSED: C_("agent state", "paused"),
    AgentState.DND: C_("agent state", "DND"),
    AgentState.OFFLINE: C_("agent state", "offline"),
    AgentState.UNKNOWN: C_("agent state", "unknown"),
}
"""One agent's state in English, marked; :func:`state_name` says it."""
STATE_COUNTED: dict[AgentState, Callable[[int], str]] = {
    AgentState.AVAILABLE: lambda n: counted(n, "{n} available", "{n} available"),
    AgentState.RINGING: lambda n: counted(n, "{n} ringing", "{n} ringing"),
    AgentState.ON_CALL: lambda n: counted(n, "{n} on call", "{n} on call"),
    AgentState.WRAP_UP: lambda n: counted(n, "{n} in wrap-up", "{n} in wrap-up"),
    AgentState.PAUSED: lambda n: counted(n, "{n} paused", "{n} paused"),
    AgentState.DND: lambda n: counted(n, "{n} DND", "{n} DND"),
    AgentState.OFFLINE: lambda n: counted(n, "{n} offline", "{n} offline"),
    AgentState.UNKNOWN: lambda n: counted(n, "{n} unknown", "{n} unknown"),
}
"""How many agents are in a state (the totals line): the count and its words in the
language's plural form (``12 dostępnych``)."""
PAUSE_REASONS = (C_("pause reason", "lunch"), C_("pause reason", "break"),
                 C_("pause reason", "training"), C_("pause reason", "coaching"),
                 C_("pause reason", "paused"))
"""The default pause reasons (``[queues] pause_reasons``, the demo's), marked: a board
shows them in its language. A configured or PBX reason is shown as it is."""
STATE_GLYPH = {
    AgentState.AVAILABLE: "●", AgentState.RINGING: "◔", AgentState.ON_CALL: "☎",
    AgentState.WRAP_UP: "✎", AgentState.PAUSED: "‖", AgentState.DND: "⊘",
    AgentState.OFFLINE: "○", AgentState.UNKNOWN: "?",
}
"""Glyphs differ as well as colours: the grid reads on a monochrome wall TV."""
STATE_CLASS = {state: state.value.replace("_", "-") for state in AgentState}


def state_name(state: AgentState) -> str:
    """``paused``, ``pauza``, ``пауза``: one agent's state in the active language."""
    return pgettext("agent state", STATE_NAME[state])


def state_counted(state: AgentState, n: int) -> str:
    """``12 available``, ``12 dostępnych``: how many agents are in ``state``."""
    return STATE_COUNTED[state](n)


def pause_reason(reason: str) -> str:
    """A pause reason in the active language when it is one of the default ones
    (``lunch``, ``break``, ``training``, ``coaching``, marked in the service); any other
    reason is the configuration's own word, shown as it is."""
    return pgettext("pause reason", reason) if reason else reason


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
    """The label written before the value on the strip (whole, or the field is dropped);
    English, marked with the context ``queue strip``: :attr:`shown_label` says it."""
    title: str
    """The column title on the queues screen; English, marked with the context
    ``queue column``: :attr:`shown_title` says it."""
    width: int
    priority: int
    value: Callable[[QueueFigures, Figures], str]
    metric: Metric | None = None
    """The metric whose level colours the value."""
    raw: Callable[[QueueFigures, Figures], float | None] | None = None

    @property
    def shown_label(self) -> str:
        return pgettext("queue strip", self.label)

    @property
    def shown_title(self) -> str:
        return pgettext("queue column", self.title)


def _counted(text: Callable[[Figures], str]) -> Callable[[QueueFigures, Figures], str]:
    return lambda q, f: text(f)


FIELDS: tuple[Field, ...] = (
    Field("waiting", C_("queue strip", "waiting"), C_("queue column", "Waiting"), 3, 0,
          lambda q, f: str(q.waiting), Metric.WAITING, lambda q, f: float(q.waiting)),
    Field("longest", C_("queue strip", "longest"), C_("queue column", "Longest"), 7, 1,
          lambda q, f: seconds_text(q.longest_wait if q.waiting else None),
          Metric.LONGEST_WAIT, lambda q, f: q.longest_wait if q.waiting else None),
    Field("sl", C_("queue strip", "SL"), C_("queue column", "SL"), 4, 2,
          _counted(lambda f: percent_text(f.service_level)), Metric.SERVICE_LEVEL,
          lambda q, f: f.service_level),
    Field("available", C_("queue strip", "avail"), C_("queue column", "Avail"), 3, 3,
          lambda q, f: str(q.agents.available), Metric.AGENTS_AVAILABLE,
          lambda q, f: float(q.agents.available)),
    Field("abandon_rate", C_("queue strip", "aband"), C_("queue column", "Aband%"), 4, 4,
          _counted(lambda f: percent_text(f.abandon_rate)), Metric.ABANDON_RATE,
          lambda q, f: f.abandon_rate),
    Field("answered", C_("queue strip", "ans"), C_("queue column", "Answered"), 11, 5,
          _counted(lambda f: f"{f.answered}/{f.offered}")),
    Field("asa", C_("queue strip", "ASA"), C_("queue column", "ASA"), 5, 6,
          _counted(lambda f: seconds_text(f.asa)), Metric.ASA, lambda q, f: f.asa),
    Field("paused", C_("queue strip", "paused"), C_("queue column", "Paused"), 3, 7,
          lambda q, f: str(q.agents.paused)),
    Field("wrap", C_("queue strip", "wrap"), C_("queue column", "Wrap"), 3, 8,
          lambda q, f: str(q.agents.wrap_up)),
    Field("busy", C_("queue strip", "busy"), C_("queue column", "Busy"), 3, 9,
          lambda q, f: str(q.agents.busy)),
    Field("aht", C_("queue strip", "AHT"), C_("queue column", "AHT"), 5, 10,
          _counted(lambda f: seconds_text(f.aht)), Metric.AHT, lambda q, f: f.aht),
    Field("callbacks", C_("queue strip", "callbacks"), C_("queue column", "Callbacks"), 3, 11,
          lambda q, f: str(q.callbacks), Metric.CALLBACKS_WAITING,
          lambda q, f: float(q.callbacks)),
    Field("abandoned", C_("queue strip", "abandoned"), C_("queue column", "Aband."), 4, 12,
          _counted(lambda f: str(f.abandoned))),
    Field("short", C_("queue strip", "short"), C_("queue column", "Short"), 4, 13,
          _counted(lambda f: str(f.short_abandons))),
    Field("offline", C_("queue strip", "offline"), C_("queue column", "Offline"), 3, 14,
          lambda q, f: str(q.agents.offline)),
    Field("dnd", C_("queue strip", "DND"), C_("queue column", "DND"), 3, 15,
          lambda q, f: str(q.agents.dnd)),
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
        return cell_len(field.shown_label) + 1 + field.width
    return max(field.width, cell_len(field.shown_title))
