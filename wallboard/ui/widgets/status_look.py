"""How each manager status looks everywhere: a name, a glyph and a colour.

Glyphs differ as well as colours, so the charts read on a monochrome wall TV and for
colour-blind supervisors.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from wallboard.core.format import format_duration
from wallboard.core.models import AgentStatus
from wallboard.core.status import Interval
from wallboard.i18n import N_, _, current

STATUS_ORDER = (AgentStatus.TALKING, AgentStatus.ONLINE, AgentStatus.DND, AgentStatus.OFFLINE)
"""The statuses of SPEC 5; ``unknown`` (a gap in the record) is shown only where it occurs."""
STATUS_NAME = {
    AgentStatus.TALKING: N_("talking"),
    AgentStatus.ONLINE: N_("online"),
    AgentStatus.DND: N_("DND"),
    AgentStatus.OFFLINE: N_("offline"),
    AgentStatus.UNKNOWN: N_("unknown"),
}
"""The employee's statuses (SPEC 5), in English, marked; :func:`status_name` says them."""
STATUS_GLYPH = {
    AgentStatus.TALKING: "█",
    AgentStatus.ONLINE: "▆",
    AgentStatus.DND: "░",
    AgentStatus.OFFLINE: "·",
    AgentStatus.UNKNOWN: "?",
}
STATUS_VARIABLE = {
    AgentStatus.TALKING: "$accent",
    AgentStatus.ONLINE: "$success",
    AgentStatus.DND: "$warning",
    AgentStatus.OFFLINE: "$text-muted",
    AgentStatus.UNKNOWN: "$secondary",
}


def status_name(status: AgentStatus) -> str:
    """``online``, ``nie przeszkadzać``: the status in the active language."""
    return _(STATUS_NAME[status])


def status_markup(status: AgentStatus) -> str:
    """``▆ online`` in the status colour, as Textual content markup."""
    return f"[{STATUS_VARIABLE[status]}]{STATUS_GLYPH[status]} {status_name(status)}[/]"


def shown_statuses(totals: dict[AgentStatus, float]) -> tuple[AgentStatus, ...]:
    """SPEC 5's four, and ``unknown`` when some time is unknown."""
    return STATUS_ORDER + ((AgentStatus.UNKNOWN,) if totals.get(AgentStatus.UNKNOWN) else ())


def totals_text(totals: dict[AgentStatus, float]) -> str:
    hours = current().hours
    return " · ".join(f"{status_name(s)} {hours(totals.get(s, 0.0))}"
                      for s in shown_statuses(totals))


def clock_text(moment: datetime, zone: tzinfo | None, day_end: datetime | None = None) -> str:
    """``13:25``; the end of a day is ``24:00``, not the next day's ``00:00``."""
    if day_end is not None and moment >= day_end:
        return "24:00"
    return moment.astimezone(zone).strftime("%H:%M")


def interval_text(iv: Interval, zone: tzinfo | None, day_end: datetime | None = None) -> str:
    """``online 12:34–13:25 (51:00)``."""
    return (f"{status_name(iv.status)} {clock_text(iv.start, zone)}–"
            f"{clock_text(iv.end, zone, day_end)} ({format_duration(iv.seconds)})")
