"""The agents grid: a cell per manager — time in state, state glyph and colour, name, pause
reason — as many columns as the width holds, with a cell cursor.

Each column of cells is a widget of its own, drawn line by line (only the visible lines
are rendered). A terminal update rewrites a line from the widget's left edge up to the
change (Textual's partial updates), so a cell starts with its time in state, and a tick
repaints just those four characters at its column's left edge: 200 agents ticking cost a
few bytes a second per changing cell, not a line each. The time ticks every second only
in a state's first ten minutes.
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from wallboard.core.agents import AgentRow, time_in_state_text
from wallboard.core.alerts import AlertEngine, Level, Metric
from wallboard.core.clock import Clock
from wallboard.core.queues import AgentState
from wallboard.i18n import N_, _, counted
from wallboard.ui.widgets.queue_look import STATE_CLASS, STATE_GLYPH, fit_text, pause_reason

CELL = 26
"""The narrowest cell; the width is shared out among as many as fit."""
CELL_MAX = 40
GAP = 1
TIME = 4
MAX_COLUMNS = 16


def short_name(name: str, width: int) -> str:
    """The name, else first name and initial (``Anna N.``), else cut with an ellipsis."""
    if cell_len(name) <= width:
        return name
    parts = name.split()
    if len(parts) > 1:
        short = f"{parts[0]} {parts[-1][0]}."
        if cell_len(short) <= width:
            return short
    return fit_text(name, width).rstrip()


class AgentColumn(Widget):
    """One column of cells; the grid says what each line shows."""

    DEFAULT_CSS = "AgentColumn { height: 1fr; width: 27; }"

    def __init__(self, grid: AgentsGrid, index: int) -> None:
        super().__init__()
        self.grid = grid
        self.index = index

    def render_line(self, y: int) -> Strip:
        return self.grid.render_cell(self.index, y, self.size.width)

    def on_click(self, event: Click) -> None:
        self.grid.move_to((self.grid.first_line + event.y) * self.grid.columns + self.index)


class AgentsGrid(Widget, can_focus=True):
    DEFAULT_CSS = """
    AgentsGrid { height: 1fr; layout: vertical; }
    AgentsGrid > #agents-columns { height: 1fr; layout: horizontal; }
    AgentsGrid > #agents-more { height: 1; display: none; background: $panel;
                                text-style: bold; }
    AgentsGrid > .agents-grid--time { color: $text-muted; }
    AgentsGrid > .agents-grid--available { color: $success; text-style: bold; }
    AgentsGrid > .agents-grid--ringing { color: $warning; text-style: bold; }
    AgentsGrid > .agents-grid--on-call { color: $primary-lighten-3; }
    AgentsGrid > .agents-grid--wrap-up { color: $secondary-lighten-2; text-style: italic; }
    AgentsGrid > .agents-grid--paused { color: $accent; }
    AgentsGrid > .agents-grid--dnd { color: $error-lighten-1; }
    AgentsGrid > .agents-grid--offline { color: $text-muted; }
    AgentsGrid > .agents-grid--unknown { color: $secondary; }
    AgentsGrid > .agents-grid--reason { color: $text-muted; text-style: italic; }
    AgentsGrid > .agents-grid--cursor { background: $accent 40%; }
    AgentsGrid > .agents-grid--warning { background: $warning 30%; }
    AgentsGrid > .agents-grid--critical { background: $error 55%; }
    AgentsGrid > .agents-grid--empty { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {f"agents-grid--{name}" for name in (
        "time", "available", "ringing", "on-call", "wrap-up", "paused", "dnd", "offline",
        "unknown", "reason", "cursor", "warning", "critical", "empty")}
    BINDINGS = [
        Binding("up", "move(0, -1)", N_("Up"), show=False),
        Binding("down", "move(0, 1)", N_("Down"), show=False),
        Binding("left", "move(-1, 0)", N_("Left"), show=False),
        Binding("right", "move(1, 0)", N_("Right"), show=False),
        Binding("pageup", "page(-1)", N_("Page up"), show=False),
        Binding("pagedown", "page(1)", N_("Page down"), show=False),
    ]

    class Moved(Message):
        def __init__(self, employee_id: str | None) -> None:
            super().__init__()
            self.employee_id = employee_id

    def __init__(self, clock: Clock, *, show_cursor: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.show_cursor = show_cursor
        self.rows: list[AgentRow] = []
        self.cursor = 0
        self.cursor_id: str | None = None
        self.first_line = 0
        self.empty_message = _("No agents.")
        self.engine = AlertEngine([])
        self.columns = 1
        self._cell = CELL
        self._painted: dict[tuple[int, int], object] = {}
        """(column, line) -> what it shows (its time aside)."""
        self._times: dict[tuple[int, int], str] = {}
        self._more = ""

    def compose(self) -> ComposeResult:
        with Widget(id="agents-columns"):
            for index in range(MAX_COLUMNS):
                yield AgentColumn(self, index)
        yield Static("", id="agents-more")

    @property
    def _column_widgets(self) -> list[AgentColumn]:
        return list(self.query(AgentColumn))

    # -- data ------------------------------------------------------------------------------
    def show(self, rows: list[AgentRow], engine: AlertEngine) -> None:
        self.rows, self.engine = rows, engine
        ids = [r.employee.id for r in rows]
        if self.cursor_id in ids:
            self.cursor = ids.index(self.cursor_id)
        self.cursor = max(0, min(self.cursor, len(rows) - 1))
        self.cursor_id = ids[self.cursor] if rows else None
        self._scroll_to_cursor()
        self._repaint_changed()

    @property
    def selected(self) -> AgentRow | None:
        return self.rows[self.cursor] if self.rows and self.show_cursor else None

    @property
    def lines_needed(self) -> int:
        return -(-len(self.rows) // self.columns)

    def _visible_lines(self) -> int:
        lines = max(1, self.size.height)
        return lines - 1 if self.lines_needed > lines else lines

    # -- one cell ---------------------------------------------------------------------------
    def _cell_parts(self, row: AgentRow, now: datetime) -> tuple[str, tuple[str, ...]]:
        """The time text, and the rest of the cell."""
        agent = row.agent
        seconds = row.seconds(now)
        time = time_in_state_text(seconds).rjust(TIME)
        reason = pause_reason(agent.reason) if agent.state is AgentState.PAUSED else ""
        if agent.state is AgentState.WRAP_UP and agent.until is not None:
            # its planned length (the ✎ glyph says wrap-up)
            reason = "/" + time_in_state_text((agent.until - agent.since).total_seconds())
        name_room = self._cell - TIME - 3 - (cell_len(reason) + 1 if reason else 0)
        if name_room < 6 and reason:
            reason, name_room = "", self._cell - TIME - 3
        name = fit_text(short_name(row.employee.name, name_room), name_room)
        return time, (STATE_GLYPH[agent.state], STATE_CLASS[agent.state], name, reason,
                      self._level(row, seconds) or "")

    def _level(self, row: AgentRow, seconds: float) -> str | None:
        metric = {AgentState.PAUSED: Metric.PAUSE, AgentState.WRAP_UP: Metric.WRAP_UP}.get(
            row.agent.state)
        if metric is None:
            return None
        level: Level | None = self.engine.level(metric, None, seconds)
        return level.value if level else None

    def _index(self, column: int, y: int) -> int | None:
        if y >= self._visible_lines() or column >= self.columns:
            return None
        index = (self.first_line + y) * self.columns + column
        return index if index < len(self.rows) else None

    def _expected(self, column: int, y: int, now: datetime) -> object:
        if not self.rows:
            return ("empty", column == 0 and y == 0, self.empty_message)
        index = self._index(column, y)
        if index is None:
            return None
        _time, rest = self._cell_parts(self.rows[index], now)
        cursor = self.show_cursor and index == self.cursor and self.has_focus
        return (self.rows[index].employee.id, rest, cursor)

    # -- painting ---------------------------------------------------------------------------
    def _repaint_changed(self) -> None:
        now = self.clock.now()
        for column in self._column_widgets[: self.columns]:
            width = column.size.width
            for y in range(self.size.height):
                if self._painted.get((column.index, y)) != self._expected(column.index, y, now):
                    column.refresh(Region(0, y, width, 1))
        self._show_more()

    def tick(self) -> None:
        """Once a second: repaint the cells that changed, and the time of each cell whose
        time changed (four characters at its column's left edge)."""
        self._repaint_changed()
        now = self.clock.now()
        for column in self._column_widgets[: self.columns]:
            for y in range(self._visible_lines()):
                index = self._index(column.index, y)
                if index is None:
                    break
                time, _rest = self._cell_parts(self.rows[index], now)
                if self._times.get((column.index, y)) != time:
                    column.refresh(Region(0, y, TIME, 1))

    def render_cell(self, column: int, y: int, width: int) -> Strip:
        now = self.clock.now()
        expected = self._expected(column, y, now)
        self._painted[(column, y)] = expected
        base = self.rich_style
        if isinstance(expected, tuple) and expected[0] == "empty":
            if expected[1]:
                style = base + self.get_component_rich_style("agents-grid--empty")
                return Strip([Segment(fit_text(" " + self.empty_message, width), style)], width)
            return Strip.blank(width, base)
        index = self._index(column, y)
        if index is None:
            return Strip.blank(width, base)
        return Strip(self._render_cell(index, column, y, now)).adjust_cell_length(width, base)

    def _render_cell(self, index: int, column: int, y: int, now: datetime) -> list[Segment]:
        row = self.rows[index]
        time, (glyph, state_class, name, reason, level) = self._cell_parts(row, now)
        self._times[(column, y)] = time
        style = self.rich_style
        state = style + self.get_component_rich_style(f"agents-grid--{state_class}")
        segments = [
            Segment(time, style + self.get_component_rich_style("agents-grid--time")),
            Segment(" ", style),
            Segment(glyph, state),
            Segment(" ", style),
            Segment(name, state),
        ]
        if reason:
            segments.append(Segment(" ", style))
            segments.append(Segment(reason, style + self.get_component_rich_style(
                "agents-grid--reason")))
        used = TIME + 3 + cell_len(name) + (cell_len(reason) + 1 if reason else 0)
        if used < self._cell:
            segments.append(Segment(" " * (self._cell - used), style))
        over = None
        if level:  # a pause (or wrap-up) too long: the whole cell in the level's colour
            over = self.get_component_rich_style(f"agents-grid--{level}")
        if self.show_cursor and index == self.cursor and self.has_focus:
            cursor = self.get_component_rich_style("agents-grid--cursor")
            over = over + cursor if over is not None else cursor
        if over is not None:
            segments = list(Segment.apply_style(segments, post_style=over))
        return segments

    def _show_more(self) -> None:
        visible = self._visible_lines()
        more = ""
        if self.rows and self.lines_needed > visible:
            above = self.first_line
            below = self.lines_needed - self.first_line - visible
            parts = ([counted(above, "↑ {n} line above", "↑ {n} lines above")] if above
                     else []) + (
                [counted(below, "{n} more line ↓", "{n} more lines ↓")] if below else [])
            more = " " + " · ".join(parts)
        if more != self._more:
            self._more = more
            line = self.query_one("#agents-more", Static)
            line.update(more)
            line.display = bool(more)

    # -- the cursor and scrolling --------------------------------------------------------------
    def _scroll_to_cursor(self) -> None:
        visible = self._visible_lines()
        line = self.cursor // self.columns
        if not self.show_cursor:
            self.first_line = min(self.first_line, max(0, self.lines_needed - visible))
            return
        if line < self.first_line:
            self.first_line = line
        elif line >= self.first_line + visible:
            self.first_line = line - visible + 1
        self.first_line = max(0, min(self.first_line, max(0, self.lines_needed - visible)))

    def move_to(self, index: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(index, len(self.rows) - 1))
        self.cursor_id = self.rows[self.cursor].employee.id
        self.post_message(self.Moved(self.cursor_id))
        self._scroll_to_cursor()
        self._repaint_changed()

    def action_move(self, dx: int, dy: int) -> None:
        self.move_to(self.cursor + dx + dy * self.columns)

    def action_page(self, pages: int) -> None:
        self.move_to(self.cursor + pages * self._visible_lines() * self.columns)

    def on_resize(self, event: Resize) -> None:
        width = max(1, event.size.width)
        self.columns = max(1, min(MAX_COLUMNS, (width + GAP) // (CELL + GAP)))
        self._cell = min(CELL_MAX, (width - GAP * (self.columns - 1)) // self.columns)
        for column in self._column_widgets:
            column.display = column.index < self.columns
            column.styles.width = self._cell + (GAP if column.index < self.columns - 1 else 0)
        self._painted.clear()
        self._times.clear()
        self._scroll_to_cursor()
        self._show_more()
        for column in self._column_widgets:
            column.refresh()

    def on_focus(self) -> None:
        self._repaint_changed()

    def on_blur(self) -> None:
        self._repaint_changed()
