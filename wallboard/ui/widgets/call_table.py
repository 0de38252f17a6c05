"""The live-call table: one row per active call, rendered line by line.

Only the visible rows are ever rendered. Each update compares what every screen line
shows with what it should show and repaints just the lines that differ; the durations
tick by repainting only the cells whose text changed, and such a line reuses the rest of
the row as it was drawn. Rows keep their identity: the cursor follows its call while
other calls come, go and move.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click, MouseScrollDown, MouseScrollUp, Resize
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip

from wallboard.core.clock import Clock
from wallboard.core.models import Call, CallStatus, Employee
from wallboard.core.state import LiveState
from wallboard.core.view import BoardFilter, SortKey, sort_calls, waiting_first
from wallboard.i18n import N_, _, counted
from wallboard.ui.widgets.columns import (
    GAP,
    STATUS_CLASS,
    CellContext,
    Column,
    Placed,
    columns_for,
    hidden_mark,
    is_late,
    layout,
    localized,
)
from wallboard.ui.widgets.plain import PlainLines


def fit(text: str, width: int, right: bool = False, words: bool = True) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells. Cut text ends with an ellipsis after
    its last whole word that fits ("Cancellations…", never "Cancellations (overflo…"); a
    single word too long for the cell is cut where it must be, and so is any text with
    ``words`` False (a person's name: "Anastasiia Bilotser…" says more than
    "Anastasiia…")."""
    length = cell_len(text)
    if length > width:
        if width <= 1:
            return text[:width]
        head = set_cell_size(text, width - 1)
        if words and len(parts := head.rstrip().rsplit(" ", 1)) == 2 and parts[0] and \
                text[len(head):len(head) + 1] not in ("", " "):
            head = parts[0].rstrip(" (-–·,")  # the word the cut fell in goes whole
        cut = head + "…"
        return cut + " " * (width - cell_len(cut)) if not right else \
            " " * (width - cell_len(cut)) + cut
    pad = " " * (width - length)
    return pad + text if right else text + pad


def header_title(title: str, arrow: str, width: int) -> str:
    """``Waiting ▲``; the arrow closer (``Waiting▲``), or left out, rather than the title
    cut: the top line says the order in words anyway."""
    for candidate in (f"{title} {arrow}", f"{title}{arrow}"):
        if arrow and cell_len(candidate) <= width:
            return candidate
    return title


def ringing(calls: list[Call]) -> int:
    """How many of ``calls`` still wait for an answer (counted in C: a thousand rows a
    frame)."""
    return list(map(_status, calls)).count(CallStatus.RINGING)


_status = attrgetter("status")


@dataclass(frozen=True, slots=True)
class _Line:
    """What a screen line shows: enough to tell whether it must be repainted."""

    call: Call | None
    employee: Employee | None
    """The call's manager as the state knows it: a renamed manager repaints the row."""
    cursor: bool
    late: bool


@dataclass(frozen=True, slots=True)
class _RowStyles:
    """The rich styles a row is drawn with, looked up once rather than for every line."""

    base: Style
    late: Style
    late_cell: Style
    cursor: Style
    status: dict[str, Style]


class CallTable(PlainLines, can_focus=True):
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
        self._placed: list[Placed] = []
        self._width = 0
        self._split = 0
        self._fills = False
        self.sites = False
        """Some call or manager carries a site (a board over several): the Site column."""
        self._set_layout(80)
        self._painted: dict[int, object] = {}
        self._ticks_painted: dict[int, tuple[str, ...]] = {}
        """The duration texts each row line shows, by screen line."""
        self._tails: dict[str, tuple[_Line, _RowStyles, list[Segment]]] = {}
        """The drawn cells right of the durations, by call id, reused when the durations
        tick or when the row moves up or down a line (a call above it ended)."""
        self._styles: _RowStyles | None = None
        self._styles_checked = False
        """Styles are looked up again at every update and tick (an ancestor's style may
        change); while they stay equal the same object is kept, so the rows drawn with
        them stay valid."""
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
        return [c for c in columns_for(self.sites) if c.key not in shown]

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

    def update_rows(self, force: bool = False) -> set[int]:
        """Re-read the state (if it changed) and repaint the lines that differ.

        Returns the screen lines repainted whole.
        """
        now = self.clock.now()
        ticking_order = self.sort_key in (SortKey.WAITING, SortKey.TALK)
        if force or self.state.version != self._state_version or ticking_order:
            self._state_version = self.state.version
            self._now = now
            self._check_sites()
            calls = self.board_filter.apply(self.state)
            self.rows = sort_calls(calls, self.sort_key, self.sort_reverse, self.state, now)
            if self.waiting_first and self._overflows(max(1, self.size.height - 1)):
                self.rows = waiting_first(self.rows)
            self._waiting = ringing(self.rows)
            self._place_cursor()
        self._now = now
        self._styles_checked = False
        return self._repaint_changed()

    def tick(self) -> None:
        """Once a second: re-sort if needed; repaint the duration cells whose text changed.

        A row ticks one cell (the wait while it rings, the talk time once answered), not
        the whole duration column; a line that is repainted whole anyway (another call
        moved there) is left to ``update_rows``.
        """
        whole = self.update_rows()
        ticking = self._placed[: self._split]
        ctx = self._cell_context()
        regions = []
        for y, painted in self._ticks_painted.items():
            line = self._painted.get(y)
            if y in whole or not isinstance(line, _Line) or line.call is None:
                continue
            changed = [p for p, before in zip(ticking, painted, strict=True)
                       if p.column.ticks and p.column.text(line.call, ctx) != before]
            if changed:
                x0 = min(p.x for p in changed)
                regions.append(Region(x0, y, max(p.x + p.width for p in changed) - x0, 1))
        if regions:
            self.refresh(*regions)

    # -- cursor --------------------------------------------------------------------
    def _place_cursor(self) -> None:
        """Keep the cursor on its call; if the call is gone, on the row where it was."""
        if self.cursor_call_id is not None:
            rows, cursor_id = self.rows, self.cursor_call_id
            if not (self.cursor < len(rows) and rows[self.cursor].id == cursor_id):
                found = next((i for i, c in enumerate(rows) if c.id == cursor_id), None)
                self.cursor = self.cursor if found is None else found
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

    def _check_sites(self) -> None:
        sites = self.state.has_sites()
        if sites != self.sites:  # the Site column comes (or goes): lay the columns out again
            self.sites = sites
            self._set_layout(self._width)
            self._painted.clear()
            self._ticks_painted.clear()
            self._tails.clear()
            self.refresh()

    def _set_layout(self, width: int) -> None:
        self._placed = layout(width, localized(columns_for(self.sites)))
        self._width = width
        """The width the columns were laid out for (the widget's, since the last resize)."""
        self._split = max((i + 1 for i, p in enumerate(self._placed) if p.column.ticks),
                          default=0)
        """How many columns, from the left, up to the last one that ticks."""
        self._fills = sum(p.width + GAP for p in self._placed) + GAP == width

    def on_resize(self, event: Resize) -> None:
        self._set_layout(event.size.width)
        self._painted.clear()
        self._ticks_painted.clear()
        self._tails.clear()
        if self.waiting_first:  # whether the rows fit changed
            self.update_rows(force=True)
        self._scroll_to_cursor()
        self.refresh()

    # -- painting ------------------------------------------------------------------
    def notify_style_update(self) -> None:
        """The CSS changed (theme, focus, a class): look the styles up again."""
        super().notify_style_update()
        self._styles_checked = False

    def _row_styles(self) -> _RowStyles:
        if self._styles is None or not self._styles_checked:
            style = self.get_component_rich_style
            styles = _RowStyles(
                base=self.rich_style,
                late=style("call-table--late"),
                late_cell=style("call-table--late-cell"),
                cursor=style("call-table--cursor"),
                status={name: style(f"call-table--{name}") for name in STATUS_CLASS.values()},
            )
            if styles != self._styles:
                self._styles = styles
            self._styles_checked = True
        assert self._styles is not None
        return self._styles

    def _cell_context(self) -> CellContext:
        return CellContext(self.state, self._now, self.mask_numbers, self.wait_warning)

    def _expected(self, y: int, ctx: CellContext, height: int | None = None) -> object:
        """What line ``y`` should show (``height``: the widget's, if the caller has it)."""
        if y == 0:
            return ("header", self.sort_key, self.sort_reverse)
        if height is None:
            height = self.size.height
        if y == height - 1 and self._overflows(height - 1):
            return ("more", *self._hidden())
        index = self.first_row + y - 1
        if index >= len(self.rows):
            return ("empty", y == 1 and not self.rows, self.empty_message)
        call = self.rows[index]
        employee = self.state.employees.get(call.employee_id) if call.employee_id else None
        return _Line(call, employee, self.show_cursor and index == self.cursor,
                     is_late(call, ctx))

    def _repaint_changed(self) -> set[int]:
        """Repaint the lines that should show something else; returns them."""
        ctx = self._cell_context()
        height = self.size.height
        expected = {y: self._expected(y, ctx, height) for y in range(height)}
        changed = {y for y, now in expected.items() if self._painted.get(y) != now}
        if changed:
            width = self.size.width
            self.refresh(*(Region(0, y, self._changed_width(self._painted.get(y), expected[y],
                                                           width, ctx), 1) for y in changed))
        if len(self._tails) > 2 * self.page_size:  # keep the drawn rows of the shown calls
            shown = {c.id for c in self.rows[self.first_row:self.first_row + self.page_size]}
            self._tails = {i: t for i, t in self._tails.items() if i in shown}
        return changed

    def _changed_width(self, before: object, now: object, width: int,
                       ctx: CellContext) -> int:
        """How much of a changed line to send: only as far as the longer text of the two
        (the rest is blank either way) — a "more" line that stays one, and a plain row
        that becomes another (a call below one that ended moves up a line)."""
        if (isinstance(before, tuple) and isinstance(now, tuple)
                and before[0] == now[0] == "more"):
            texts = (self._more_text(*before[1:]), self._more_text(*now[1:]))
            return min(width, max(cell_len(t) for t in texts) + 2)
        return max(1, min(width, max(self._ink_end(before, ctx, width),
                                     self._ink_end(now, ctx, width))))

    def _ink_end(self, line: object, ctx: CellContext, width: int) -> int:
        """Where the text of a line ends: past it, the line is blank in the rows' base
        style. The whole width for anything but a plain row or a blank line."""
        if isinstance(line, tuple) and line[0] == "empty" and not line[1]:
            return 0
        if not isinstance(line, _Line) or line.call is None or line.cursor or line.late:
            return width
        end = 0
        for p in self._placed:
            text = p.column.text(line.call, ctx)
            if text.strip():
                end = p.x + (p.width if p.column.right
                             else min(p.width, cell_len(text.rstrip())))
        return end

    def render_line(self, y: int) -> Strip:
        ctx = self._cell_context()
        expected = self._expected(y, ctx)
        self._painted[y] = expected
        if isinstance(expected, _Line):
            return self._render_row(y, expected, ctx, self._width)
        width = self.size.width
        self._ticks_painted.pop(y, None)
        if y == 0:
            return self._render_header(width)
        if isinstance(expected, tuple) and expected[0] == "more":
            style = self.get_component_rich_style("call-table--more")
            return Strip([Segment(fit(" " + self._more_text(*expected[1:]), width), style)],
                         width)
        if isinstance(expected, tuple) and expected[1]:  # an empty table says why
            style = self.get_component_rich_style("call-table--empty")
            return Strip([Segment(fit(" " + self.empty_message, width), style)], width)
        return Strip.blank(width, self._row_styles().base)

    def _hidden(self) -> tuple[int, int, int]:
        """Rows above the screen, rows below it, and waiting calls among them all."""
        page = self.page_size
        shown = self.rows[self.first_row:self.first_row + page]
        waiting = self._waiting - ringing(shown)
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

    def _render_row(self, y: int, line: _Line, ctx: CellContext, width: int) -> Strip:
        """The durations are drawn afresh; the cells right of them come from the last
        drawing of this line if it showed the same call the same way."""
        call = line.call
        assert call is not None
        styles = self._row_styles()
        base = styles.base + styles.late if line.late else styles.base
        split = self._split
        placed = self._placed[:split]
        texts = tuple(p.column.text(call, ctx) for p in placed)
        self._ticks_painted[y] = texts
        head = self._finish(self._cells(line, placed, texts, styles, base), line, styles)
        memo = self._tails.get(call.id)
        if memo is not None and memo[0] == line and memo[1] is styles:
            tail = memo[2]
        else:
            placed = self._placed[split:]
            cells = self._cells(line, placed, [p.column.text(call, ctx) for p in placed],
                                styles, base)
            tail = self._finish(cells + [Segment(" " * GAP, base)], line, styles)
            self._tails[call.id] = (line, styles, tail)
        if head and tail and head[-1].style == tail[0].style:  # one escape sequence, not two
            head[-1] = Segment(head[-1].text + tail[0].text, head[-1].style)
            tail = tail[1:]
        if self._fills:  # the cells make up the whole line
            return Strip(head + tail, width)
        if line.cursor:
            base = base + styles.cursor
        return Strip(head + tail).adjust_cell_length(width, base)

    @staticmethod
    def _cells(line: _Line, placed: list[Placed], texts: Sequence[str], styles: _RowStyles,
               base: Style) -> list[Segment]:
        """A gap and a cell for each column."""
        call = line.call
        assert call is not None
        segments: list[Segment] = []
        for p, text in zip(placed, texts, strict=True):
            key = p.column.key
            style: Style = base
            if key is SortKey.STATUS:
                style = base + styles.status[STATUS_CLASS[call.status]]
            elif key is SortKey.WAITING and line.late:
                style = base + styles.late_cell
            segments.append(Segment(" " * GAP, base))
            segments.append(Segment(fit(text, p.width, p.column.right,
                                        words=p.column.key is not SortKey.EMPLOYEE), style))
        return segments

    @staticmethod
    def _finish(segments: list[Segment], line: _Line, styles: _RowStyles) -> list[Segment]:
        # Runs of one style become one segment: each segment costs an escape sequence.
        segments = list(Segment.simplify(segments))
        if line.cursor:
            segments = list(Segment.apply_style(segments, post_style=styles.cursor))
        return segments
