"""Calls by day: one bar per day of answered calls, then the missed ones, with the numbers."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from wallboard.core.profile import DayStats
from wallboard.i18n import counted, current

EIGHTHS = " ▏▎▍▌▋▊▉"
ANSWERED_GLYPH = "█"
MISSED_GLYPH = "▒"


def block_bar(value: float, scale: float) -> str:
    """``value`` as a bar of ``value * scale`` cells, to the eighth of a cell."""
    eighths = round(value * scale * 8)
    if value > 0 and eighths == 0:
        eighths = 1
    full, part = divmod(eighths, 8)
    return ANSWERED_GLYPH * full + (EIGHTHS[part] if part else "")


class CallsByDay(Widget):
    """``Thu 26.11  ██████▌ 42 answered  ▒▒ 3 missed``, scaled to the busiest day."""

    DEFAULT_CSS = """
    CallsByDay { height: auto; }
    CallsByDay > .calls-chart--answered { color: $success; }
    CallsByDay > .calls-chart--missed { color: $error; }
    CallsByDay > .calls-chart--muted { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"calls-chart--answered", "calls-chart--missed", "calls-chart--muted"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.days: list[DayStats] = []

    def show(self, days: list[DayStats]) -> None:
        self.days = days
        self.refresh(layout=True)

    def render(self) -> Text:
        out = Text(no_wrap=True, overflow="crop")
        if not self.days:
            return out
        width = self.size.width or 80
        words = current()
        busiest = max((d.answered + d.missed for d in self.days), default=0)
        room = max(4, width - words.day_width - 3 - 26)
        scale = room / busiest if busiest else 0.0
        answered_style = self.get_component_rich_style("calls-chart--answered")
        missed_style = self.get_component_rich_style("calls-chart--missed")
        muted = self.get_component_rich_style("calls-chart--muted")
        for n, day in enumerate(self.days):
            if n:
                out.append("\n")
            out.append(f"{words.day(day.day):<{words.day_width}}  ")
            bar = block_bar(day.answered, scale)
            out.append(bar, style=answered_style)
            missed = MISSED_GLYPH * (max(1, round(day.missed * scale)) if day.missed else 0)
            out.append(missed, style=missed_style)
            out.append(" " + counted(day.answered, "{n} answered", "{n} answered"),
                       style="bold" if day.answered else muted)
            out.append(" · " + counted(day.missed, "{n} missed", "{n} missed"),
                       style=missed_style if day.missed else muted)
        return out
