"""The live-call table: one row per active call, rendered line by line.

Only the visible rows are ever rendered. Each update compares what every screen line
shows with what it should show and repaints just the lines that differ; the durations
tick by repainting only their cells. Rows keep their identity: the cursor follows its
call while other calls come, go and move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click, MouseScrollDown, MouseScrollUp, Resize
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from wallboard.core.clock import Clock
from wallboard.core.models import Call, CallStatus
from wallboard.core.state import LiveState
from wallboard.core.view import BoardFilter, SortKey, sort_calls, waiting_first
from wallboard.i18n import N_, _, counted
from wallboard.ui.widgets.columns import (
    COLUMNS,
    GAP,
    STATUS_CLASS,
    CellContext,
    Column,
    Placed,
    hidden_mark,
    is_late,
    layout,
)


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells (cut text ends with an ellipsis)."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else text[:width]
    pad = " " * (width - length)
    return pad + text if right else text + pad


def header_title(title: str, arrow: str, width: int) -> str:
    """``Waiting ▲``; the arrow closer (``Waiting▲``), or left out, rather than the title
    cut: the top line says the order in words anyway."""
    for candidate in (f"{title} {arrow}", f"{title}{arrow}"):
        if arrow and cell_len(candidate) <= width:
            return candidate
    return title


@dataclass(frozen=True, slots=True)
class _Line:
    """What a screen line shows: enough to tell whether it must be repainted."""

    call: Call | None
    cursor: bool
    late: bool


class CallTable(Widget, can_focus=True):
    """The live calls, sorted and filtered, with a row cursor."""

    DEFAULT_CSS = """
    CallTable { height: 1fr; }
    CallTable > .call-table--header { text-style: bold; background: $panel; }
    CallTable > .call-table--cursor { background: $accent 40%; text-style: bold; }
    CallTable > .call-table--ringing { color: $warning; text-style: bold; }
    CallTable > .call-table--talking { color: $success; }
    CallTable > .call-table--on-hold { color: $secondary-lighten-3; text-style: italic; }
    CallTable > .call-table--late { background: $error 30%; }
    CallTable > .call-table--late-cell { background: $error; color: $text; text-style: bold; }
    CallTable > .call-table--empty { color: $text-muted; text-style: italic; }
    CallTable > .call-table--more { background: $panel; text-style: bold; }
    CallTable > .call-table--mark { color: $warning; text-style: bold; }
    """
    COMPONENT_CLASSES = {
        "call-table--header",
        "call-table--cursor",
        "call-table--ringing",
        "call-table--talking",
        "call-table--on-hold",
        "call-table--late",
        "call-table--late-cell",
        "call-table--empty",
        "call-table--more",
        "call-table--mark",
    }
    BINDINGS = [
        Binding("up", "cursor(-1)", N_("Up"), show=False),
        Binding("down", "cursor(1)", N_("Down"), show=False),
        Binding("pageup", "page(-1)", N_("Page up"), show=False),
        Binding("pagedown", "page(1)", N_("Page down"), show=False),
        Binding("home", "cursor(-1000000000)", N_("First"), show=False),
        Binding("end", "cursor(1000000000)", N_("Last"), show=False),
    ]

    class CursorMoved(Message):
        def __init__(self, call_id: str | None) -> None:
            super().__init__()
            self.call_id = call_id

    def __init__(
        self,
        state: LiveState,
        clock: Clock,
        *,
        mask_numbers: bool = False,
        wait_warning: float = 30.0,
        show_cursor: bool = True,
        waiting_first: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.state = state
        self.clock = clock
        self.mask_numbers = mask_numbers
        self.wait_warning = wait_warning
        self.show_cursor = show_cursor
        self.waiting_first = waiting_first
        """When the rows do not fit, waiting calls come first (a wall TV cannot scroll)."""
        self.empty_message = _("No active calls right now.")
        self._waiting = 0
        self.sort_key = SortKey.STARTED
        self.sort_reverse = False
        self.board_filter = BoardFilter()
        self.rows: list[Call] = []
        """The filtered, sorted calls (all of them, not only the visible ones)."""
        self.cursor = 0
        self.cursor_call_id: str | None = None
        self.first_row = 0
        self._index: dict[str, int] = {}
        self._placed: list[Placed] = layout(80)
        self._painted: dict[int, object] = {}
        self._now: datetime = clock.now()
        self._state_version = -1

    # -- public API ----------------------------------------------------------------
    @property
    def page_size(self) -> int:
        """Rows on screen: all lines but the header, and the last when the rows do not fit
        (it says how many more there are)."""
        lines = max(1, self.size.height - 1)
        return lines - 1 if self._overflows(lines) else lines

    def _overflows(self, lines: int) -> bool:
        return len(self.rows) > lines > 1

    @property
    def hidden_columns(self) -> list[Column]:
        """The columns this width has no room for."""
        shown = {p.column.key for p in self._placed}
        return [c for c in COLUMNS if c.key not in shown]

    def set_empty_message(self, message: str) -> None:
        """What the table says when it has no rows (no calls, none matching, connecting)."""
        if message != self.empty_message:
            self.empty_message = message
            self._repaint_changed()

    @property
    def cursor_call(self) -> Call | None:
        if not self.show_cursor or not self.rows:
            return None
        return self.rows[self.cursor]

    def set_sort(self, key: SortKey, reverse: bool) -> None:
        self.sort_key, self.sort_reverse = key, reverse
        self.update_rows(force=True)

    def set_filter(self, board_filter: BoardFilter) -> None:
        self.board_filter = board_filter
        self.update_rows(force=True)

    def update_rows(self, force: bool = False) -> None:
        """Re-read the state (if it changed) and repaint the lines that differ."""
        now = self.clock.now()
        ticking_order = self.sort_key in (SortKey.WAITING, SortKey.TALK)
        if force or self.state.version != self._state_version or ticking_order:
            self._state_version = self.state.version
            self._now = now
            calls = self.board_filter.apply(self.state)
            self.rows = sort_calls(calls, self.sort_key, self.sort_reverse, self.state, now)
            if self.waiting_first and self._overflows(max(1, self.size.height - 1)):
                self.rows = waiting_first(self.rows)
            self._waiting = sum(c.status is CallStatus.RINGING for c in self.rows)
            self._index = {c.id: i for i, c in enumerate(self.rows)}
            self._place_cursor()
        self._now = now
        self._repaint_changed()

    def tick(self) -> None:
        """Once a second: re-sort if needed and repaint the duration cells."""
        self.update_rows()
        ticking = [p for p in self._placed if p.column.ticks]
        if ticking and self.rows:
            x0 = min(p.x for p in ticking)
            x1 = max(p.x + p.width for p in ticking)
            self.refresh(Region(x0, 1, x1 - x0, self.page_size))

    # -- cursor --------------------------------------------------------------------
    def _place_cursor(self) -> None:
        """Keep the cursor on its call; if the call is gone, on the row where it was."""
        if self.cursor_call_id is not None and self.cursor_call_id in self._index:
            self.cursor = self._index[self.cursor_call_id]
        self.cursor = max(0, min(self.cursor, len(self.rows) - 1))
        new_id = self.rows[self.cursor].id if self.rows else None
        if new_id != self.cursor_call_id:
            self.cursor_call_id = new_id
            self.post_message(self.CursorMoved(new_id))
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        page = self.page_size
        if not self.show_cursor:
            self.first_row = min(self.first_row, max(0, len(self.rows) - page))
            return
        if self.cursor < self.first_row:
            self.first_row = self.cursor
        elif self.cursor >= self.first_row + page:
            self.first_row = self.cursor - page + 1
        self.first_row = max(0, min(self.first_row, max(0, len(self.rows) - page)))

    def move_cursor(self, to: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(to, len(self.rows) - 1))
        self.cursor_call_id = self.rows[self.cursor].id
        self.post_message(self.CursorMoved(self.cursor_call_id))
        self._scroll_to_cursor()
        self._repaint_changed()

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta)

    def action_page(self, pages: int) -> None:
        self.move_cursor(self.cursor + pages * self.page_size)

    def on_click(self, event: Click) -> None:
        if event.y >= 1:
            self.move_cursor(self.first_row + event.y - 1)

    def on_mouse_scroll_down(self, event: MouseScrollDown) -> None:
        self._scroll_by(3)

    def on_mouse_scroll_up(self, event: MouseScrollUp) -> None:
        self._scroll_by(-3)

    def _scroll_by(self, lines: int) -> None:
        last_top = max(0, len(self.rows) - self.page_size)
        self.first_row = max(0, min(self.first_row + lines, last_top))
        if self.show_cursor:
            bottom = self.first_row + self.page_size - 1
            self.move_cursor(max(self.first_row, min(self.cursor, bottom)))
        else:
            self._repaint_changed()

    def on_resize(self, event: Resize) -> None:
        self._placed = layout(event.size.width)
        self._painted.clear()
        if self.waiting_first:  # whether the rows fit changed
            self.update_rows(force=True)
        self._scroll_to_cursor()
        self.refresh()

    # -- painting ------------------------------------------------------------------
    def _cell_context(self) -> CellContext:
        return CellContext(self.state, self._now, self.mask_numbers, self.wait_warning)

    def _expected(self, y: int, ctx: CellContext) -> object:
        if y == 0:
            return ("header", self.sort_key, self.sort_reverse)
        if y == self.size.height - 1 and self._overflows(self.size.height - 1):
            return ("more", *self._hidden())
        index = self.first_row + y - 1
        if index >= len(self.rows):
            return ("empty", y == 1 and not self.rows, self.empty_message)
        call = self.rows[index]
        return _Line(call, self.show_cursor and index == self.cursor, is_late(call, ctx))

    def _repaint_changed(self) -> None:
        ctx = self._cell_context()
        width = self.size.width
        for y in range(self.size.height):
            if self._painted.get(y) != self._expected(y, ctx):
                self.refresh(Region(0, y, width, 1))

    def render_line(self, y: int) -> Strip:
        ctx = self._cell_context()
        expected = self._expected(y, ctx)
        self._painted[y] = expected
        width = self.size.width
        if isinstance(expected, _Line):
            return self._render_row(expected, ctx, width)
        if y == 0:
            return self._render_header(width)
        if isinstance(expected, tuple) and expected[0] == "more":
            style = self.get_component_rich_style("call-table--more")
            return Strip([Segment(fit(" " + self._more_text(*expected[1:]), width), style)],
                         width)
        if isinstance(expected, tuple) and expected[1]:  # an empty table says why
            style = self.get_component_rich_style("call-table--empty")
            return Strip([Segment(fit(" " + self.empty_message, width), style)], width)
        return Strip.blank(width, self.rich_style)

    def _hidden(self) -> tuple[int, int, int]:
        """Rows above the screen, rows below it, and waiting calls among them all."""
        page = self.page_size
        shown = self.rows[self.first_row:self.first_row + page]
        waiting = self._waiting - sum(c.status is CallStatus.RINGING for c in shown)
        return self.first_row, max(0, len(self.rows) - self.first_row - page), waiting

    def _more_text(self, above: int, below: int, waiting: int) -> str:
        """``+12 more · 2 waiting`` on a wall TV; ``↑ 3 above · 12 more ↓`` with a cursor."""
        if self.show_cursor:
            parts = ([_("↑ {count} above").format(count=above)] if above else []) + (
                [_("{count} more ↓").format(count=below)] if below else [])
        else:
            parts = [_("+{count} more").format(count=above + below)]
        if waiting:
            parts.append(counted(waiting, "{n} waiting", "{n} waiting"))
        return " · ".join(parts)

    def _render_header(self, width: int) -> Strip:
        style = self.get_component_rich_style("call-table--header")
        arrow = "▼" if self.sort_reverse else "▲"
        segments = [Segment(" " * GAP, style)]
        for p in self._placed:
            title = header_title(_(p.column.title), arrow if p.column.key is self.sort_key
                                 else "", p.width)
            segments.append(Segment(fit(title, p.width, p.column.right), style))
            segments.append(Segment(" " * GAP, style))
        used = sum(p.width + GAP for p in self._placed) + GAP
        mark = hidden_mark(len(self.hidden_columns), width - used)
        if mark:  # columns this width has no room for: help names them
            segments.append(Segment(" " * (width - used - len(mark) - GAP), style))
            segments.append(Segment(mark, style + self.get_component_rich_style(
                "call-table--mark")))
        return Strip(Segment.simplify(segments)).adjust_cell_length(width, style)

    def _render_row(self, line: _Line, ctx: CellContext, width: int) -> Strip:
        call = line.call
        assert call is not None
        base = self.rich_style
        if line.late:
            base = base + self.get_component_rich_style("call-table--late")
        status_style = self.get_component_rich_style(f"call-table--{STATUS_CLASS[call.status]}")
        late_cell = self.get_component_rich_style("call-table--late-cell")
        cursor = self.get_component_rich_style("call-table--cursor") if line.cursor else None
        segments: list[Segment] = []
        for p in self._placed:
            key = p.column.key
            style: Style = base
            if key is SortKey.STATUS:
                style = base + status_style
            elif key is SortKey.WAITING and line.late:
                style = base + late_cell
            segments.append(Segment(" " * GAP, base))
            segments.append(Segment(fit(p.column.text(call, ctx), p.width, p.column.right), style))
        segments.append(Segment(" " * GAP, base))
        # Runs of one style become one segment: each segment costs an escape sequence.
        segments = list(Segment.simplify(segments))
        if cursor is not None:
            segments = list(Segment.apply_style(segments, post_style=cursor))
            base = base + cursor
        return Strip(segments).adjust_cell_length(width, base)
