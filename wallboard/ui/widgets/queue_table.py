"""The queues screen's table: a row per queue and one for all of them, every figure a
column (dropped by priority when the screen is narrow, never cut), coloured by level."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from wallboard.core.alerts import AlertEngine, Level
from wallboard.core.metrics import MetricsView, QueueFigures
from wallboard.i18n import _, say
from wallboard.ui.widgets.queue_look import (
    Field,
    field_level,
    field_width,
    fit_fields,
    fit_text,
    waiting_no_agent_level,
)

GAP = 2
Cell = tuple[str, str]
"""(text, component class)"""


class QueueTable(Widget, can_focus=True):
    DEFAULT_CSS = """
    QueueTable { height: auto; max-height: 60%; }
    QueueTable > .queue-table--header { text-style: bold; background: $panel; }
    QueueTable > .queue-table--name { text-style: bold; }
    QueueTable > .queue-table--value { }
    QueueTable > .queue-table--total { text-style: bold; background: $panel 50%; }
    QueueTable > .queue-table--cursor { background: $accent 40%; }
    QueueTable > .queue-table--warning { color: $warning; text-style: bold; }
    QueueTable > .queue-table--critical { background: $error; color: $text; text-style: bold; }
    QueueTable > .queue-table--empty { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {"queue-table--header", "queue-table--name", "queue-table--value",
                         "queue-table--total", "queue-table--cursor", "queue-table--warning",
                         "queue-table--critical", "queue-table--empty"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
    ]

    class Selected(Message):
        def __init__(self, queue_id: str | None) -> None:
            super().__init__()
            self.queue_id = queue_id

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.queues: list[QueueFigures] = []
        """The rows: the queues, then all of them (queue_id None)."""
        self.cursor = 0
        self.day = True
        """The counted figures of the day (else of the recent window)."""
        self.empty_message = _("No queues.")
        self._engine = AlertEngine([])
        self._lines: list[tuple[Cell, ...]] = []
        self._fields: list[Field] = []
        self._name_width = 12

    @property
    def selected(self) -> QueueFigures | None:
        return self.queues[self.cursor] if self.queues else None

    def show(self, view: MetricsView | None, engine: AlertEngine, day: bool,
             queue_ids: list[str] | None = None) -> None:
        self._engine, self.day = engine, day
        if view is None:
            self.queues = []
        else:
            rows = [q for q in view.queues.values() if queue_ids is None or q.queue_id in
                    queue_ids]
            self.queues = [*rows, view.total] if rows else []
        self.cursor = max(0, min(self.cursor, len(self.queues) - 1))
        height = max(2, len(self.queues) + 1)
        if self.styles.height is None or self.styles.height.value != height:
            self.styles.height = height
        self._relayout()

    def _relayout(self) -> None:
        width = self.size.width or 80
        self._name_width = min(22, max([cell_len(queue_name(q)) for q in self.queues]
                                       + [cell_len(self._title())]))
        self._fields = fit_fields(width - 1, self._name_width, GAP, labelled=False)
        lines = [self._header()] + [self._row(q, n) for n, q in enumerate(self.queues)]
        for y, line in enumerate(lines):
            if y >= len(self._lines) or self._lines[y] != line:
                self.refresh(Region(0, y, width, 1))
        if len(lines) < len(self._lines):
            self.refresh()
        self._lines = lines

    def _title(self) -> str:
        """The first column's title, whole: it names the window of the counted figures."""
        return _("Queue · today") if self.day else _("Queue · 30 min")

    def _header(self) -> tuple[Cell, ...]:
        cells: list[Cell] = [(" " + fit_text(self._title(), self._name_width), "header")]
        for field in self._fields:
            cells.append((" " * GAP + fit_text(field.shown_title, field_width(field, False),
                                              right=True), "header"))
        return tuple(cells)

    def _row(self, queue: QueueFigures, index: int) -> tuple[Cell, ...]:
        figures = queue.day if self.day else queue.recent
        total = queue.queue_id is None
        name_level = None if total else waiting_no_agent_level(self._engine, queue)
        cells: list[Cell] = [(" ", "total" if total else "value"),
                             (fit_text(queue_name(queue), self._name_width),
                              _cls(name_level, "total" if total else "name"))]
        for field in self._fields:
            level = None if total else field_level(self._engine, field, queue, figures)
            text = fit_text(field.value(queue, figures), field_width(field, False), right=True)
            cells.append((" " * GAP, "total" if total else "value"))
            cells.append((text, _cls(level, "total" if total else "value")))
        cursor = "cursor" if index == self.cursor and self.has_focus else ""
        return (*cells, ("", cursor))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y >= len(self._lines):
            if y == 1 and not self.queues:
                style = base + self.get_component_rich_style("queue-table--empty")
                return Strip([Segment(fit_text(" " + self.empty_message, width), style)], width)
            return Strip.blank(width, base)
        line = self._lines[y]
        marker = line[-1][1] if y > 0 else ""
        extra = self.get_component_rich_style("queue-table--cursor") if marker else None
        segments = []
        for text, cls in line[:-1] if y > 0 else line:
            style = base + self.get_component_rich_style(f"queue-table--{cls}")
            segments.append(Segment(text, style + extra if extra else style))
        fill = base + extra if extra else base
        if y == 0:
            fill = base + self.get_component_rich_style("queue-table--header")
        elif y == len(self.queues):  # all queues
            fill = base + self.get_component_rich_style("queue-table--total")
        return Strip(segments).adjust_cell_length(width, fill)

    # -- cursor ---------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        if not self.queues:
            return
        self.cursor = max(0, min(len(self.queues) - 1, self.cursor + delta))
        self._relayout()
        self.post_message(self.Selected(self.queues[self.cursor].queue_id))

    def on_click(self, event: Click) -> None:
        if 1 <= event.y <= len(self.queues):
            self.cursor = event.y - 1
            self._relayout()
            self.post_message(self.Selected(self.queues[self.cursor].queue_id))

    def on_focus(self) -> None:
        self._relayout()

    def on_blur(self) -> None:
        self._relayout()

    def on_resize(self, event: Resize) -> None:
        self._lines = []
        self._relayout()
        self.refresh()


def queue_name(queue: QueueFigures) -> str:
    """The queue's name (the PBX's); the row of all queues in the active language."""
    return say(queue.name) if queue.queue_id is None else queue.name


def _cls(level: Level | None, base: str) -> str:
    return base if level is None else level.value
