"""The live table's columns: titles, widths, which to drop first, and each cell's text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from wallboard.core.format import format_duration, mask_number
from wallboard.core.models import Call, CallStatus, CallType
from wallboard.core.state import LiveState
from wallboard.core.view import SortKey

TYPE_TEXT = {
    CallType.INCOMING: "↘ in",
    CallType.OUTGOING: "↗ out",
    CallType.CALLBACK: "↻ callback",
}
STATUS_TEXT = {
    CallStatus.RINGING: "◔ ringing",
    CallStatus.TALKING: "● talking",
    CallStatus.ON_HOLD: "‖ on hold",
}
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
    width: int
    drop_order: int
    """Columns with a higher number are dropped first on narrow screens."""
    text: Callable[[Call, CellContext], str]
    grow: int = 0
    """Share of any spare width."""
    right: bool = False
    ticks: bool = False
    """The cell changes every second (durations)."""


def _employee(call: Call, ctx: CellContext) -> str:
    employee = ctx.state.employees.get(call.employee_id) if call.employee_id else None
    if employee is not None:
        return employee.name
    return "(queue)" if call.employee_id is None else call.employee_id


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
# updates), so durations on the left keep a ticking board to a few bytes per row.
COLUMNS: tuple[Column, ...] = (
    Column(SortKey.WAITING, "Waiting", 8, 0, _waiting, right=True, ticks=True),
    Column(SortKey.TALK, "Talk", 8, 2, _talk, right=True, ticks=True),
    Column(SortKey.STATUS, "Status", 10, 0, lambda c, _: STATUS_TEXT[c.status]),
    Column(SortKey.TYPE, "Type", 10, 3, lambda c, _: TYPE_TEXT[c.type]),
    Column(SortKey.EMPLOYEE, "Employee", 18, 0, _employee, grow=3),
    Column(SortKey.DEPARTMENT, "Department", 11, 5, lambda c, x: x.state.department_of(c) or "–",
           grow=1),
    Column(SortKey.CLIENT, "Client", 16, 1, lambda c, x: _number(c.client_number, x), grow=1),
    # the business number is the company's own: never masked
    Column(SortKey.BUSINESS, "Business no.", 16, 6, lambda c, _: c.business_number, grow=1),
    Column(SortKey.ROUTING, "Routing scheme", 14, 4, lambda c, _: c.routing_scheme or "–", grow=2),
)
GAP = 1


@dataclass(frozen=True)
class Placed:
    column: Column
    x: int
    width: int


MARK_ROOM = (len("+9 hidden") + GAP, len("+9") + GAP)
"""Room kept at the header's right end for the hidden-columns mark: the long form when
there is room to spare, else the short one."""


def _kept(total_width: int, columns: tuple[Column, ...]) -> list[Column]:
    kept = list(columns)
    while kept:
        needed = sum(c.width for c in kept) + GAP * (len(kept) + 1)
        if needed <= total_width or len(kept) == 1:
            break
        kept.remove(max(kept, key=lambda c: c.drop_order))
    return kept


def layout(total_width: int, columns: tuple[Column, ...] = COLUMNS) -> list[Placed]:
    """Fit the columns into ``total_width``: drop by priority, then share the spare room.

    When columns are dropped, room is kept at the right end for a mark saying how many
    (:func:`hidden_mark`).
    """
    kept = _kept(total_width, columns)
    reserve = 0
    if len(kept) < len(columns):
        kept = _kept(total_width - MARK_ROOM[1], columns)
        spare = total_width - sum(c.width for c in kept) - GAP * (len(kept) + 1)
        reserve = MARK_ROOM[0] if spare >= MARK_ROOM[0] else MARK_ROOM[1]
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
    long = f"+{hidden} hidden"
    return long if len(long) + GAP <= room else f"+{hidden}"
