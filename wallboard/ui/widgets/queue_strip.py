"""The queues strip on the board: one compact line per queue.

Each line is the queue's name and its figures as ``label value`` pairs, most important
first; what does not fit the width is dropped whole (never cut mid-word). When not every
queue fits the strip's share of the screen, the queues that need someone come first
(alerts, then callers waiting) and the last line says how many more there are; while they
all fit, queues keep their lines.

Each column of figures is a widget of its own, from a value to the next value (its gap
and the next field's label come with it): a terminal line is rewritten from the left edge
of the widget that changed up to the change, so a new wait time costs its own figure, not
the line nor a label.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import islice
from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.events import Resize
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from wallboard.core.alerts import AlertEngine, Level
from wallboard.core.metrics import MetricsView, QueueFigures
from wallboard.i18n import counted
from wallboard.ui.widgets.plain import PlainLines
from wallboard.ui.widgets.queue_look import (
    FIELDS,
    Field,
    field_level,
    field_width,
    fit_fields,
    fit_text,
    waiting_no_agent_level,
    worst,
)

GAP = 2
NAME_MAX = 18
SHARE = 5
PLAIN_BACKGROUND = frozenset({"name", "label", "value", "warning"})
"""Styles whose spaces look like the strip's own: a gap after them takes their style."""
"""The strip takes at most a fifth of the screen's lines."""


class _Cell(NamedTuple):
    """A tuple (compared and made in C: a strip line holds two dozen, made every second)."""

    x: int
    text: str
    style: str
    """A component class: name, label, value, warning, critical."""


def _level_class(level: Level | None, base: str) -> str:
    return base if level is None else level.value


class _Column(PlainLines):
    """The part of every line of the strip between two x positions."""

    DEFAULT_CSS = "_Column { height: 100%; width: 0; }"

    def __init__(self, strip: QueueStrip) -> None:
        super().__init__()
        self.strip = strip
        self.x0 = self.x1 = 0

    def place(self, x0: int, x1: int) -> None:
        if (x0, x1) != (self.x0, self.x1):
            self.x0, self.x1 = x0, x1
            self.styles.width = x1 - x0
            self.refresh()

    def render_line(self, y: int) -> Strip:
        return self.strip.column_strip(y, self.x0, self.x1)


class QueueStrip(Widget):
    DEFAULT_CSS = """
    QueueStrip { height: 0; background: $surface; layout: horizontal; }
    QueueStrip > .queue-strip--name { text-style: bold; }
    QueueStrip > .queue-strip--label { color: $text-muted; }
    QueueStrip > .queue-strip--value { text-style: bold; }
    QueueStrip > .queue-strip--warning { color: $warning; text-style: bold; }
    QueueStrip > .queue-strip--critical { background: $error; color: $text; text-style: bold; }
    QueueStrip > .queue-strip--more { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {"queue-strip--name", "queue-strip--label", "queue-strip--value",
                         "queue-strip--warning", "queue-strip--critical", "queue-strip--more"}

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[tuple[_Cell, ...]] = []
        """What each line shows now."""
        self.shown: list[str] = []
        """The queue ids on the lines, in order."""
        self.more = 0
        self._view: MetricsView | None = None
        self._engine = AlertEngine([])
        self._hint = ""
        self._ids: list[str] | None = None
        self._columns = [_Column(self) for _ in range(len(FIELDS) + 1)]
        self._strips: dict[int, tuple[Strip, list[int]]] = {}
        """Each line as drawn, until it changes, with where each of its segments begins."""
        self._styles: dict[str, Style] = {}
        """The rich style of each component class, looked up once per redraw."""

    def compose(self) -> ComposeResult:
        yield from self._columns

    def show(self, view: MetricsView | None, engine: AlertEngine, hint: str = "",
             queue_ids: list[str] | None = None) -> None:
        """Show these queues' figures (``queue_ids`` None: every queue of the view);
        ``hint`` ends the line that says more queues exist (e.g. which key shows them)."""
        self._view, self._engine, self._hint = view, engine, hint
        self._ids = queue_ids
        self._relayout()

    @property
    def queue_ids(self) -> list[str] | None:
        """The queues it was last asked to show."""
        return self._ids

    def _cap(self) -> int:
        height = self.screen.size.height if self.is_attached else 24
        return max(1, height // SHARE)

    def _relayout(self) -> None:
        self._styles = {}  # an ancestor's style may have changed: the lines drawn now see it
        view = self._view
        queues = [] if view is None else [
            q for q in view.queues.values()
            if self._ids is None or q.queue_id in self._ids]
        cap = self._cap()
        if len(queues) > cap:  # the most urgent first
            order = sorted(range(len(queues)), key=lambda i: self._urgency(queues[i], i))
            keep = order[: max(0, cap - 1)]
            self.more = len(queues) - len(keep)
        else:
            keep, self.more = list(range(len(queues))), 0
        chosen = [queues[i] for i in keep]
        width = self.size.width or (self.app.size.width if self.is_attached else 80)
        shape = self._shape(chosen, width) if chosen else (0, [])
        lines = self._lines(chosen, shape)
        if self.more:
            text = " " + counted(self.more, "+{n} more queue", "+{n} more queues") + (
                f" · {self._hint}" if self._hint else "")
            lines.append((_Cell(0, text if cell_len(text) <= width else f" +{self.more}",
                                "more"),))
        height = len(lines) + (1 if lines else 0)  # and the border under them
        if self.styles.height is None or self.styles.height.value != height:
            self.styles.height = height
        self.shown = [q.queue_id or "" for q in chosen]
        self._place(chosen, shape, width)
        self._repaint(lines, width)

    def _place(self, queues: list[QueueFigures], shape: tuple[int, list[Field]],
               width: int) -> None:
        """Column edges where each field's value begins (the same on every line): the
        first column holds the name and the first label."""
        edges = [0]
        if queues:
            name_width, fields = shape
            x = 1 + name_width + GAP
            for field in fields:
                edges.append(x + cell_len(field.shown_label) + 1)
                x += field_width(field, True) + GAP
        edges.append(width)
        for n, column in enumerate(self._columns):
            if n + 1 < len(edges):
                column.place(edges[n], edges[n + 1])
            else:
                column.place(width, width)

    def _urgency(self, queue: QueueFigures, index: int) -> tuple[int, int, int]:
        levels = [field_level(self._engine, f, queue, queue.recent) for f in FIELDS]
        levels.append(waiting_no_agent_level(self._engine, queue))
        level = worst(levels)
        return (-(level.rank if level else 0), -queue.waiting, index)

    @staticmethod
    def _shape(queues: list[QueueFigures], width: int) -> tuple[int, list[Field]]:
        """The names' width and the fields that fit after them."""
        longest = max(cell_len(q.name) for q in queues)
        name_width = min(NAME_MAX, longest)
        fields = fit_fields(width - 1, name_width, GAP, labelled=True)
        # the room the figures leave goes to the names, so a long one is cut only when
        # there is none (names are data: cut with an ellipsis, labels never)
        spare = width - 1 - name_width - GAP - sum(field_width(f, True) + GAP for f in fields)
        return name_width + max(0, min(spare, longest - name_width)), fields

    def _lines(self, queues: list[QueueFigures],
               shape: tuple[int, list[Field]]) -> list[tuple[_Cell, ...]]:
        if not queues:
            return []
        name_width, fields = shape
        # Where each field's label and value go, the same on every line: worked out once.
        placed = []
        x = 1 + name_width + GAP
        for field in fields:
            label = field.shown_label + " "
            placed.append((field, _Cell(x, label, "label"), x + cell_len(label)))
            x += field_width(field, True) + GAP
        engine = self._engine
        out = []
        for queue in queues:
            name_level = waiting_no_agent_level(engine, queue)
            cells = [_Cell(1, fit_text(queue.name, name_width),
                           _level_class(name_level, "name"))]
            recent = queue.recent
            for field, label_cell, value_x in placed:
                level = field_level(engine, field, queue, recent)
                cells.append(label_cell)
                cells.append(_Cell(value_x,
                                   fit_text(field.value(queue, recent), field.width, right=True),
                                   _level_class(level, "value")))
            out.append(tuple(cells))
        return out

    def _repaint(self, lines: list[tuple[_Cell, ...]], width: int) -> None:
        old = self.lines
        self.lines = lines
        dirty: list[list[Region]] = [[] for _ in self._columns]
        for y in range(max(len(lines), len(old))):
            line = lines[y] if y < len(lines) else None
            before = old[y] if y < len(old) else None
            if line == before:
                continue
            self._strips.pop(y, None)
            if line is None or before is None or len(before) != len(line):
                spans = [(0, width)]
            else:  # only the cells that changed, up to the end of their text
                spans = [(min(a.x, b.x), max(a.x + cell_len(a.text), b.x + cell_len(b.text)))
                         for a, b in zip(before, line, strict=True) if a != b]
            for column, regions in zip(self._columns, dirty, strict=True):
                x0, x1 = column.x0, column.x1
                ends = [min(end, x1) for start, end in spans if start < x1 and x0 < end]
                if ends:  # from the column's left edge (where a terminal update begins)
                    regions.append(Region(0, y, max(ends) - x0, 1))
        for column, regions in zip(self._columns, dirty, strict=True):
            if regions:  # one refresh a column: Textual's refresh costs more than a region
                column.refresh(*regions)

    def notify_style_update(self) -> None:
        """The CSS changed (theme, a class): look the styles up again."""
        super().notify_style_update()
        self._styles = {}

    def _style(self, name: str) -> Style:
        """The rich style of a component class ("": the strip's own), once per redraw."""
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.rich_style + (
                self.get_component_rich_style(f"queue-strip--{name}") if name else Style())
        return style

    def on_resize(self, event: Resize) -> None:
        self.lines = []
        self._strips = {}
        self._relayout()
        for column in self._columns:
            column.refresh()

    def line_strip(self, y: int) -> Strip:
        """Line ``y`` of the strip, the whole width (the columns show their parts)."""
        return self._line(y)[0]

    def column_strip(self, y: int, x0: int, x1: int) -> Strip:
        """The part of line ``y`` from ``x0`` to ``x1``. A column's edges are where a value
        begins, so they fall between the line's segments: the column takes its segments
        whole (a segment across an edge, such as the "more" line, is cut)."""
        strip, starts = self._line(y)
        if x1 <= x0:
            return Strip([], 0)
        first, last = bisect_left(starts, x0), bisect_left(starts, x1)
        if first < len(starts) and starts[first] == x0 and (
                last == len(starts) or starts[last] == x1):
            return Strip(islice(strip, first, last), x1 - x0)
        return strip.crop(x0, x1)

    def _line(self, y: int) -> tuple[Strip, list[int]]:
        found = self._strips.get(y)
        if found is None:
            found = self._strips[y] = self._line_strip(y)
        return found

    def _line_strip(self, y: int) -> tuple[Strip, list[int]]:
        """The line's strip (its length known: no segment is measured again) and where
        each of its segments begins."""
        width = self.size.width
        base = self._style("")
        if y >= len(self.lines):
            return Strip.blank(width, base), []  # a column crops it
        segments: list[Segment] = []
        starts: list[int] = []
        x = 0
        last = ""
        for cell in self.lines[y]:
            if cell.x > x:
                gap = " " * (cell.x - x)
                if segments and last in PLAIN_BACKGROUND:  # fewer style changes to send
                    segments[-1] = Segment(segments[-1].text + gap, segments[-1].style)
                else:
                    starts.append(x)
                    segments.append(Segment(gap, base))
            starts.append(cell.x)
            segments.append(Segment(cell.text, self._style(cell.style)))
            x = cell.x + cell_len(cell.text)
            last = cell.style
        if x < width:
            starts.append(x)
            segments.append(Segment(" " * (width - x), base))
        elif x > width:
            return Strip(segments).crop(0, width), []  # cut: a column crops it
        return Strip(segments, width), starts
