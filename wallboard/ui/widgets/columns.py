"""The live table's columns: titles, widths, which to drop first, and each cell's text."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from rich.cells import cell_len

from wallboard.core.format import format_duration, mask_number
from wallboard.core.models import Call, CallStatus, CallType
from wallboard.core.state import LiveState
from wallboard.core.view import SortKey
from wallboard.i18n import N_, _, counted, current

TYPE_TEXT = {
    CallType.INCOMING: N_("↘ in"),
    CallType.OUTGOING: N_("↗ out"),
    CallType.CALLBACK: N_("↻ callback"),
}
STATUS_TEXT = {
    CallStatus.RINGING: N_("◔ ringing"),
    CallStatus.TALKING: N_("● talking"),
    CallStatus.ON_HOLD: N_("‖ on hold"),
}
"""English, marked for the catalog; cells show them translated."""
STATUS_CLASS = {
    CallStatus.RINGING: "ringing",
    CallStatus.TALKING: "talking",
    CallStatus.ON_HOLD: "on-hold",
}


@dataclass(frozen=True)
class CellContext:
    state: LiveState
    now: datetime
    mask_numbers: bool
    wait_warning: float


@dataclass(frozen=True)
class Column:
    key: SortKey
    title: str
    """English, marked for the catalog; the header shows it translated."""
    width: int
    drop_order: int
    """Columns with a higher number are dropped first on narrow screens."""
    text: Callable[[Call, CellContext], str]
    grow: int = 0
    """Share of any spare width."""
    right: bool = False
    ticks: bool = False
    """The cell changes every second (durations)."""
    words: Collection[str] = ()
    """Every text the cell can show, when it is one of a few (statuses, types): the column
    is made as wide as the longest in the language shown."""


def _employee(call: Call, ctx: CellContext) -> str:
    employee = ctx.state.employees.get(call.employee_id) if call.employee_id else None
    if employee is not None:
        return employee.name
    return _("(queue)") if call.employee_id is None else call.employee_id


def _number(number: str, ctx: CellContext) -> str:
    return mask_number(number) if ctx.mask_numbers else number


def _waiting(call: Call, ctx: CellContext) -> str:
    text = format_duration(call.waiting_seconds(ctx.now))
    return f"! {text}" if is_late(call, ctx) else text


def _talk(call: Call, ctx: CellContext) -> str:
    return format_duration(call.talk_seconds(ctx.now)) if call.answered_at else "–"


def is_late(call: Call, ctx: CellContext) -> bool:
    """An unanswered call waiting longer than the warning threshold."""
    return (
        call.status is CallStatus.RINGING
        and ctx.wait_warning > 0
        and call.waiting_seconds(ctx.now) > ctx.wait_warning
    )


# The durations come first: they tick every second, and a terminal update of a cell
# rewrites the line from the widget's left edge up to that cell (Textual's partial
# updates), so durations on the left keep a ticking board to a few bytes per row. The talk
# time comes first of the two: most calls on a busy board are in conversation, and theirs
# is the cell that ticks (a ringing call's wait ticks, behind a blank talk time).
COLUMNS: tuple[Column, ...] = (
    Column(SortKey.TALK, N_("Talk"), 8, 2, _talk, right=True, ticks=True),
    Column(SortKey.WAITING, N_("Waiting"), 8, 0, _waiting, right=True, ticks=True),
    Column(SortKey.STATUS, N_("Status"), 10, 0, lambda c, x: _(STATUS_TEXT[c.status]),
           words=tuple(STATUS_TEXT.values())),
    Column(SortKey.TYPE, N_("Type"), 10, 3, lambda c, x: _(TYPE_TEXT[c.type]),
           words=tuple(TYPE_TEXT.values())),
    Column(SortKey.EMPLOYEE, N_("Employee"), 18, 0, _employee, grow=3),
    Column(SortKey.DEPARTMENT, N_("Department"), 11, 5,
           lambda c, x: x.state.department_of(c) or "–", grow=1),
    Column(SortKey.CLIENT, N_("Client"), 16, 1, lambda c, x: _number(c.client_number, x), grow=1),
    # the business number is the company's own: never masked
    Column(SortKey.BUSINESS, N_("Business no."), 16, 6, lambda c, x: c.business_number, grow=1),
    Column(SortKey.ROUTING, N_("Routing scheme"), 14, 4, lambda c, x: c.routing_scheme or "–",
           grow=2),
)
SITE = Column(SortKey.SITE, N_("Site"), 8, 2, lambda c, x: c.site or "–", grow=1)
"""The site (PBX) of a call, on a board over several sites only; kept before the talk time
when room is short (on such a board, where a call is matters more)."""
WITH_SITE: tuple[Column, ...] = (*COLUMNS[:5], SITE, *COLUMNS[5:])
"""The columns of a board over several sites: the site after the employee."""
GAP = 1


def columns_for(sites: bool) -> tuple[Column, ...]:
    """The table's columns: with the site's when some call or manager carries one (a board
    over several sites); a single-site board's are the same as ever."""
    return WITH_SITE if sites else COLUMNS


def localized(columns: tuple[Column, ...] = COLUMNS) -> tuple[Column, ...]:
    """The columns as the active language shows them: each at least as wide as its title
    and as its longest fixed word (``‖ wstrzymane``), so neither is ever cut."""
    return _localized(current().language, columns)


@cache
def _localized(language: str, columns: tuple[Column, ...]) -> tuple[Column, ...]:
    def width(c: Column) -> int:
        return max(c.width, cell_len(_(c.title)), *(cell_len(_(w)) for w in c.words))

    return tuple(replace(c, width=width(c)) for c in columns)


@dataclass(frozen=True)
class Placed:
    column: Column
    x: int
    width: int


def mark_room() -> tuple[int, int]:
    """Room kept at the header's right end for the hidden-columns mark: the long form when
    there is room to spare, else the short one."""
    longest = max(cell_len(hidden_words(n)) for n in range(1, 10))
    return longest + GAP, len("+9") + GAP


def hidden_words(hidden: int) -> str:
    """``+3 hidden``, ``+3 ukryte``, ``+5 ukrytych``."""
    return counted(hidden, "+{n} hidden", "+{n} hidden")


def _kept(total_width: int, columns: tuple[Column, ...]) -> list[Column]:
    kept = list(columns)
    while kept:
        needed = sum(c.width for c in kept) + GAP * (len(kept) + 1)
        if needed <= total_width or len(kept) == 1:
            break
        kept.remove(max(kept, key=lambda c: c.drop_order))
    return kept


def layout(total_width: int, columns: tuple[Column, ...] | None = None) -> list[Placed]:
    """Fit the columns into ``total_width``: drop by priority, then share the spare room.

    ``columns``: :func:`localized` ones by default. When columns are dropped, room is kept
    at the right end for a mark saying how many (:func:`hidden_mark`).
    """
    columns = localized() if columns is None else columns
    kept = _kept(total_width, columns)
    reserve = 0
    if len(kept) < len(columns):
        room = mark_room()
        kept = _kept(total_width - room[1], columns)
        spare = total_width - sum(c.width for c in kept) - GAP * (len(kept) + 1)
        reserve = room[0] if spare >= room[0] else room[1]
    spare = max(0, total_width - reserve - sum(c.width for c in kept) - GAP * (len(kept) + 1))
    grow_total = sum(c.grow for c in kept)
    widths = {c.key: c.width for c in kept}
    if grow_total:
        given = 0
        growers = [c for c in kept if c.grow]
        for c in growers:
            share = spare * c.grow // grow_total
            widths[c.key] += share
            given += share
        widths[growers[0].key] += spare - given
    placed, x = [], GAP
    for c in kept:
        placed.append(Placed(c, x, widths[c.key]))
        x += widths[c.key] + GAP
    return placed


def hidden_mark(hidden: int, room: int) -> str:
    """``+3 hidden`` (or ``+3`` when narrow) for the header's right end; help names them."""
    if not hidden:
        return ""
    long = hidden_words(hidden)
    return long if cell_len(long) + GAP <= room else f"+{hidden}"
