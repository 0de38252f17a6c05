"""Time in statuses by day: a timeline bar per day with hour ticks, a day cursor, and a
details mode whose cursor walks the selected day's intervals one by one."""

from __future__ import annotations

from datetime import date, tzinfo

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from wallboard.core.models import AgentStatus
from wallboard.core.profile import DayStats, hour_marks, proportion_cells, status_cells
from wallboard.core.status import Interval
from wallboard.i18n import N_, _, counted, current
from wallboard.ui.widgets.status_look import (
    STATUS_GLYPH,
    STATUS_ORDER,
    interval_text,
    status_name,
    totals_text,
)

DETAIL_ROWS = 7
"""Intervals listed around the cursor in details mode."""
TOTALS_ONLY = N_("totals only")
"""Closes the bar of a day the source knows only as totals (drawn as proportions)."""
_CLASS = {s: f"timeline--{s.value}" for s in AgentStatus}


def day_label(day: date) -> str:
    """``Thu 26.11``, ``czw. 26.11``: the locale's weekday (Babel's CLDR data)."""
    return current().day(day)


def label_width() -> int:
    """``▶ Thu 26.11 `` before each bar: as wide as the language's widest day."""
    return current().day_width + 3


class StatusTimeline(Widget, can_focus=True):
    """The days of a profile, newest last; ``show()`` replaces them, keeping the cursors."""

    DEFAULT_CSS = """
    StatusTimeline { height: auto; }
    StatusTimeline > .timeline--talking { color: $accent; }
    StatusTimeline > .timeline--online { color: $success; }
    StatusTimeline > .timeline--dnd { color: $warning; }
    StatusTimeline > .timeline--offline { color: $text-muted; }
    StatusTimeline > .timeline--unknown { color: $secondary; text-style: italic; }
    StatusTimeline > .timeline--ruler { color: $text-muted; }
    StatusTimeline > .timeline--cursor { background: $accent 30%; text-style: bold; }
    StatusTimeline:focus > .timeline--cursor { background: $accent 50%; }
    StatusTimeline > .timeline--mark { color: $accent; text-style: bold; }
    """
    COMPONENT_CLASSES = {*_CLASS.values(), "timeline--ruler", "timeline--cursor",
                         "timeline--mark"}
    BINDINGS = [
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("down", "move(1)", "Next", show=False),
        Binding("left", "move(-1)", "Previous", show=False),
        Binding("right", "move(1)", "Next", show=False),
        Binding("home", "move(-100000)", "First", show=False),
        Binding("end", "move(100000)", "Last", show=False),
    ]

    class CursorMoved(Message):
        """The selected day or interval moved; ``line`` is its line in the widget."""

        def __init__(self, line: int) -> None:
            super().__init__()
            self.line = line

    def __init__(self, *, id: str | None = None, close_hint: str = "") -> None:
        super().__init__(id=id)
        self.close_hint = close_hint
        """How to walk and close the details, with the keys as mapped (``t closes``)."""
        self.days: list[DayStats] = []
        self.zone: tzinfo | None = None
        self.cursor = 0
        """The selected day."""
        self.details = False
        self.interval = 0
        """The selected interval of the selected day, in details mode."""
        self.cursor_line = 0
        self._details_top = 0
        self._styles_now: dict[str, Style] = {}
        self._rendered: tuple[object, Text] | None = None
        """Where the selected day (or interval, in details mode) was last drawn."""

    # -- state -------------------------------------------------------------------------------
    def show(self, days: list[DayStats], zone: tzinfo | None) -> None:
        selected = self.days[self.cursor].day if self.days else None
        self.days, self.zone = days, zone
        dates = [d.day for d in days]
        self.cursor = dates.index(selected) if selected in dates else max(0, len(days) - 1)
        self.interval = min(self.interval, max(0, len(self.intervals) - 1))
        self.refresh(layout=True)

    def clear(self) -> None:
        """No days, cursors back at the start (another manager is coming)."""
        self.days = []
        self.cursor = self.interval = 0
        self.details = False
        self.refresh(layout=True)

    @property
    def day(self) -> DayStats | None:
        return self.days[self.cursor] if self.days else None

    @property
    def intervals(self) -> list[Interval]:
        return self.day.timeline if self.day else []

    @property
    def selected_interval(self) -> Interval | None:
        intervals = self.intervals
        return intervals[self.interval] if self.details and intervals else None

    def toggle_details(self) -> None:
        self.details = not self.details
        self.interval = 0
        self._moved()

    def _moved(self) -> None:
        self.refresh(layout=True)
        self.call_after_refresh(lambda: self.post_message(self.CursorMoved(self.cursor_line)))

    def action_move(self, delta: int) -> None:
        if self.details:
            self.interval = max(0, min(len(self.intervals) - 1, self.interval + delta))
        elif self.days:
            self.cursor = max(0, min(len(self.days) - 1, self.cursor + delta))
        self._moved()

    # -- drawing -----------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        style = self._styles_now.get(name)
        if style is None:
            style = self._styles_now[name] = self.get_component_rich_style(name)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rendered = None

    def render(self) -> Text:
        """Drawn once per change: layout asks for the height, then for the lines."""
        key = (id(self.days), self.size.width, self.cursor, self.details, self.interval,
               self.has_focus)
        if self._rendered is None or self._rendered[0] != key:
            self._styles_now = {}
            self._rendered = (key, self._draw())
        return self._rendered[1]

    def _draw(self) -> Text:
        if not self.days:
            return Text("")
        label = label_width()
        width = max(label + 25, self.size.width or 80)
        per_hour = max(1, (width - label - 1) // 25)
        out = Text(no_wrap=True, overflow="crop")
        reference = self.days[0].day
        out.append_text(self._ruler(reference, per_hour, labels=True))
        for index, day in enumerate(self.days):
            out.append("\n")
            if index == self.cursor:
                self.cursor_line = out.plain.count("\n")
            out.append_text(self._bar(index, day, per_hour))
            marks = hour_marks(day.day, self.zone)
            if [m.hour for m in marks] != list(range(24)):  # a daylight-saving day
                out.append(f"\n{'':{label}}")
                out.append_text(self._ticks(day.day, per_hour, labels=True))
            if self.details and index == self.cursor:
                out.append(f"\n{'':{label}}")
                out.append_text(self._caret(day, per_hour))
                for account, intervals in sorted(day.accounts.items()):
                    out.append("\n")
                    out.append_text(self._account_bar(account, intervals, day, per_hour))
        out.append("\n")
        out.append_text(self._legend())
        day = self.days[self.cursor]
        out.append(f"\n{day_label(day.day)}: {totals_text(day.totals)}")
        if day.totals_only:
            out.append(f" ({_(TOTALS_ONLY)})", style=self._style("timeline--ruler"))
        if self.details:
            self._details_top = out.plain.count("\n")
            out.append_text(self._details(day))
        return out

    def _ruler(self, day: date, per_hour: int, labels: bool) -> Text:
        text = Text(f"{'':{label_width()}}")
        text.append_text(self._ticks(day, per_hour, labels))
        return text

    def _ticks(self, day: date, per_hour: int, labels: bool) -> Text:
        """Hour labels over tick marks, placed by real elapsed time (DST-true)."""
        marks = hour_marks(day, self.zone)
        every = 1 if per_hour >= 3 else 3 if per_hour == 2 else 6
        cells = round(marks[-1].seconds / 3600 * per_hour) + per_hour if marks else 0
        line = [" "] * (cells + 2)
        last_end = -1
        for mark in marks:
            pos = round(mark.seconds / 3600 * per_hour)
            label = f"{mark.hour:02d}"
            if labels and pos > last_end and (mark.hour % every == 0 or per_hour >= 3):
                line[pos:pos + 2] = list(label)
                last_end = pos + 2
            elif line[pos] == " ":
                line[pos] = "╷"
        return Text("".join(line).rstrip(), style=self._style("timeline--ruler"))

    def _bar(self, index: int, day: DayStats, per_hour: int) -> Text:
        cursor = index == self.cursor
        label = f"{'▶' if cursor else ' '} {day_label(day.day):<{label_width() - 3}} "
        text = Text(label, style=self._style("timeline--cursor") if cursor else Style())
        cells = round(day.hours * per_hour)
        closing = f" {_(TOTALS_ONLY)}"
        if day.totals_only:  # no intervals to place: the day's shares, said as such
            statuses: list[AgentStatus | None] = list(
                proportion_cells(day.totals, cells - len(closing)))
        else:
            statuses = status_cells(day.timeline, day.start, 3600 / per_hour, cells)
        run: list[str] = []
        current: AgentStatus | None = None
        for status in [*statuses, "end"]:
            if status != current and run:
                style = self._style(_CLASS[current]) if current else Style()
                text.append("".join(run), style=style)
                run = []
            if status == "end":
                break
            current = status  # type: ignore[assignment]
            run.append(STATUS_GLYPH[status] if status else " ")  # type: ignore[index]
        if day.totals_only:
            text.append(closing, style=self._style("timeline--ruler"))
        return text

    def _account_bar(self, account: str, intervals: list[Interval], day: DayStats,
                     per_hour: int) -> Text:
        """One SIP account's own bar under the merged one: ``  └ 1001 ▆▆▆░░···``."""
        name = account.rpartition("/")[2]
        width = label_width() - 5
        if len(name) > width:  # a long endpoint name: its end tells accounts apart
            name = "…" + name[-(width - 1):]
        text = Text(f"  └ {name:<{width}} ", style=self._style("timeline--ruler"))
        cells = round(day.hours * per_hour)
        statuses = status_cells(intervals, day.start, 3600 / per_hour, cells)
        for status in statuses:
            if status is None:
                text.append(" ")
            else:
                text.append(STATUS_GLYPH[status], style=self._style(_CLASS[status]))
        return text

    def _caret(self, day: DayStats, per_hour: int) -> Text:
        """``^^^`` under the selected interval's span on the day's bar."""
        iv = self.selected_interval
        if iv is None:
            return Text("")
        per_second = per_hour / 3600
        a = int((iv.start - day.start).total_seconds() * per_second)
        b = max(a + 1, round((iv.end - day.start).total_seconds() * per_second))
        return Text(" " * a + "^" * (b - a), style=self._style("timeline--mark"))

    def _legend(self) -> Text:
        text = Text(_("Legend:") + " ")
        unknown = any(d.totals.get(AgentStatus.UNKNOWN) for d in self.days)
        for status in STATUS_ORDER + ((AgentStatus.UNKNOWN,) if unknown else ()):
            text.append(STATUS_GLYPH[status] * 2, style=self._style(_CLASS[status]))
            text.append(f" {status_name(status)}   ")
        return text

    def _details(self, day: DayStats) -> Text:
        intervals = day.timeline
        text = Text()
        hint = f" ({self.close_hint})" if self.close_hint else ""
        if day.totals_only:
            text.append("\n" + _("Details of {day}: the source gave totals only, no "
                                 "intervals").format(day=day_label(day.day)) + hint,
                        style="bold")
            return text
        text.append("\n" + _("Details of {day}: {intervals}").format(
            day=day_label(day.day),
            intervals=counted(len(intervals), "{n} interval", "{n} intervals")) + hint,
                    style="bold")
        if not intervals:
            return text
        first = max(0, min(self.interval - DETAIL_ROWS // 2, len(intervals) - DETAIL_ROWS))
        for n in range(first, min(len(intervals), first + DETAIL_ROWS)):
            iv = intervals[n]
            selected = n == self.interval
            style = self._style("timeline--cursor") if selected else Style()
            text.append("\n")
            if selected:
                self.cursor_line = self._details_top + text.plain.count("\n")
            text.append(f"{'▶' if selected else ' '} {n + 1:>3}. ", style=style)
            text.append(STATUS_GLYPH[iv.status] * 2, style=self._style(_CLASS[iv.status]))
            text.append(" " + interval_text(iv, self.zone, day.end), style=style)
        return text

    def span_text(self) -> str:
        """The selected interval in words (for tests and screen readers)."""
        iv = self.selected_interval
        day = self.day
        return interval_text(iv, self.zone, day.end) if iv and day else ""

