"""The agents grid: a cell per manager — time in state, state glyph and colour, name, pause
reason — as many columns as the width holds, with a cell cursor.

Drawn line by line; only the visible lines are rendered. Each cell starts with its time in
state, in a segment of its own: a tick repaints just the four characters of the cells
whose time changed (the time ticks every second only in the first ten minutes of a
state), so a grid of 200 agents costs a few bytes a second per changing cell.
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.segment import Segment
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from wallboard.core.agents import AgentRow, time_in_state_text
from wallboard.core.alerts import AlertEngine, Level, Metric
from wallboard.core.clock import Clock
from wallboard.core.queues import AgentState
from wallboard.ui.widgets.queue_look import STATE_CLASS, STATE_GLYPH, fit_text

CELL = 26
"""The narrowest cell; the width is shared out among as many as fit."""
CELL_MAX = 40
GAP = 1
TIME = 4


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


class AgentsGrid(Widget, can_focus=True):
    DEFAULT_CSS = """
    AgentsGrid { height: 1fr; }
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
    AgentsGrid > .agents-grid--more { background: $panel; text-style: bold; }
    """
    COMPONENT_CLASSES = {f"agents-grid--{name}" for name in (
        "time", "available", "ringing", "on-call", "wrap-up", "paused", "dnd", "offline",
        "unknown", "reason", "cursor", "warning", "critical", "empty", "more")}
    BINDINGS = [
        Binding("up", "move(0, -1)", "Up", show=False),
        Binding("down", "move(0, 1)", "Down", show=False),
        Binding("left", "move(-1, 0)", "Left", show=False),
        Binding("right", "move(1, 0)", "Right", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
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
        self.empty_message = "No agents."
        self.engine = AlertEngine([])
        self._columns = 1
        self._cell = CELL
        self._painted: dict[int, object] = {}
        self._times: dict[int, str] = {}
        """Cell index -> the time shown (the ticking part)."""

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
        return -(-len(self.rows) // self._columns)

    def _visible_lines(self) -> int:
        lines = max(1, self.size.height)
        return lines - 1 if self.lines_needed > lines else lines

    # -- painting ---------------------------------------------------------------------------
    def _cell_parts(self, row: AgentRow, now: datetime) -> tuple[str, tuple[str, ...]]:
        """The time text, and the rest of the cell as (text, class) pairs flattened."""
        agent = row.agent
        seconds = row.seconds(now)
        time = time_in_state_text(seconds).rjust(TIME)
        reason = agent.reason if agent.state is AgentState.PAUSED else ""
        if agent.state is AgentState.WRAP_UP and agent.until is not None:
            reason = "wrap " + time_in_state_text((agent.until - agent.since).total_seconds())
        name_room = self._cell - TIME - 3 - (cell_len(reason) + 1 if reason else 0)
        if name_room < 6 and reason:
            reason, name_room = "", self._cell - TIME - 3
        name = fit_text(short_name(row.employee.name, name_room), name_room)
        level = self._level(row, seconds)
        return time, (STATE_GLYPH[agent.state], STATE_CLASS[agent.state], name,
                      reason, level or "")

    def _level(self, row: AgentRow, seconds: float) -> str | None:
        metric = {AgentState.PAUSED: Metric.PAUSE, AgentState.WRAP_UP: Metric.WRAP_UP}.get(
            row.agent.state)
        if metric is None:
            return None
        level: Level | None = self.engine.level(metric, None, seconds)
        return level.value if level else None

    def _expected(self, y: int, now: datetime) -> object:
        if not self.rows:
            return ("empty", y == 0, self.empty_message)
        visible = self._visible_lines()
        if y == visible and self.lines_needed > visible:
            return ("more", self.first_line, self.lines_needed - self.first_line - visible)
        line = self.first_line + y
        start = line * self._columns
        cells = []
        for index in range(start, min(start + self._columns, len(self.rows))):
            _, rest = self._cell_parts(self.rows[index], now)
            cells.append((self.rows[index].employee.id, rest,
                          self.show_cursor and index == self.cursor and self.has_focus))
        return ("cells", self._cell, tuple(cells))

    def _layout(self) -> None:
        width = max(1, self.size.width)
        self._columns = max(1, (width + GAP) // (CELL + GAP))
        self._cell = min(CELL_MAX, (width - GAP * (self._columns - 1)) // self._columns)

    def _repaint_changed(self) -> None:
        now = self.clock.now()
        width = self.size.width
        for y in range(self.size.height):
            if self._painted.get(y) != self._expected(y, now):
                self.refresh(Region(0, y, width, 1))

    def tick(self) -> None:
        """Once a second: repaint the lines whose cells changed, and the time of each cell
        whose time changed (nothing else)."""
        self._repaint_changed()
        now = self.clock.now()
        visible = self._visible_lines()
        for y in range(min(visible, self.lines_needed - self.first_line)):
            start = (self.first_line + y) * self._columns
            for column in range(self._columns):
                index = start + column
                if index >= len(self.rows):
                    break
                time, _ = self._cell_parts(self.rows[index], now)
                if self._times.get(index) != time:
                    x = column * (self._cell + GAP)
                    self.refresh(Region(x, y, TIME, 1))

    def render_line(self, y: int) -> Strip:
        now = self.clock.now()
        expected = self._expected(y, now)
        self._painted[y] = expected
        width = self.size.width
        base = self.rich_style
        kind = expected[0]  # type: ignore[index]
        if kind == "empty":
            if expected[1]:  # type: ignore[index]
                style = base + self.get_component_rich_style("agents-grid--empty")
                return Strip([Segment(fit_text(" " + self.empty_message, width), style)], width)
            return Strip.blank(width, base)
        if kind == "more":
            above, below = expected[1], expected[2]  # type: ignore[index]
            parts = ([f"↑ {above} lines above"] if above else []) + (
                [f"{below} more lines ↓"] if below else [])
            style = base + self.get_component_rich_style("agents-grid--more")
            return Strip([Segment(fit_text(" " + " · ".join(parts), width), style)], width)
        segments: list[Segment] = []
        start = (self.first_line + y) * self._columns
        for column in range(self._columns):
            index = start + column
            if index >= len(self.rows):
                break
            if column:
                segments.append(Segment(" " * GAP, base))
            segments.extend(self._render_cell(index, now))
        return Strip(segments).adjust_cell_length(width, base)

    def _render_cell(self, index: int, now: datetime) -> list[Segment]:
        row = self.rows[index]
        time, (glyph, state_class, name, reason, level) = self._cell_parts(row, now)
        self._times[index] = time
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

    # -- the cursor and scrolling --------------------------------------------------------------
    def _scroll_to_cursor(self) -> None:
        visible = self._visible_lines()
        line = self.cursor // self._columns
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
        self.move_to(self.cursor + dx + dy * self._columns)

    def action_page(self, pages: int) -> None:
        self.move_to(self.cursor + pages * self._visible_lines() * self._columns)

    def on_click(self, event: Click) -> None:
        column = min(self._columns - 1, event.x // (self._cell + GAP))
        self.move_to((self.first_line + event.y) * self._columns + column)

    def on_resize(self, event: Resize) -> None:
        self._layout()
        self._painted.clear()
        self._times.clear()
        self._scroll_to_cursor()
        self.refresh()

    def on_focus(self) -> None:
        self._repaint_changed()

    def on_blur(self) -> None:
        self._repaint_changed()
