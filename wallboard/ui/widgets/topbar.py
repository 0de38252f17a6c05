"""The top line: what the board shows, the connection's health and the clock."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget

from wallboard.core.clock import ReplayClock
from wallboard.core.events import Link
from wallboard.core.state import Connection, stale_since


def connection_text(conn: Connection, now: datetime, zone: tzinfo | None,
                    stale_after: float | None) -> tuple[str, str]:
    """The connection as words, and a style class: live / reconnecting in N s / stale since."""
    if conn.link is Link.LIVE:
        stale = stale_since(conn, now, stale_after)
        if stale is not None:
            return f"⚠ stale since {stale.astimezone(zone).strftime('%H:%M:%S')}", "stale"
        if conn.malformed:
            return f"● live · {conn.malformed} malformed skipped", "live"
        return "● live", "live"
    if conn.link is Link.RECONNECTING:
        text = "↻ reconnecting"
        if conn.retry_at is not None:
            text += f" in {max(0, round((conn.retry_at - now).total_seconds()))} s"
        if conn.message:
            text += f" — {conn.message}"
        return text, "reconnecting"
    if conn.link is Link.FAILED:
        return f"✖ {conn.message or 'disconnected'}", "failed"
    return "◌ connecting…", "connecting"


def replay_text(replay: ReplayClock, zone: tzinfo | None) -> str:
    """``REPLAY 08:14:32 ×10``, ``‖ REPLAY 08:14:32 paused``, ``… end of the recording``."""
    moment = replay.now().astimezone(zone).strftime("%H:%M:%S")
    speed = f"×{replay.speed:g}"
    if replay.at_end:
        return f"■ REPLAY {moment} — end of the recording"
    if replay.paused:
        return f"‖ REPLAY {moment} paused ({speed})"
    return f"▶ REPLAY {moment} {speed}"


class TopBar(Widget):
    """`` 10:42:17  ☎ wallboard · Demo call center · oldest first          ● live``"""

    DEFAULT_CSS = """
    TopBar { height: 1; }
    """

    def __init__(self, title: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.status = ""
        self.status_class = "connecting"
        self.clock_text = ""
        self.note = ""

    def show(self, status: str, status_class: str, clock_text: str, note: str = "") -> None:
        old = (self.status, self.status_class, self.clock_text, self.note)
        new = (status, status_class, clock_text, note)
        if new == old:
            return
        self.status, self.status_class, self.clock_text, self.note = new
        if new[:2] + new[3:] == old[:2] + old[3:] and len(clock_text) == len(old[2]):
            # only the clock ticked: repaint its cells, not the whole line
            self.refresh(Region(0, 0, 1 + len(clock_text), 1))
            return
        for name in ("live", "stale", "reconnecting", "failed", "connecting"):
            self.set_class(name == status_class, f"-{name}")
        self.refresh()

    def render(self) -> Text:
        # The clock leads: it changes every second, and a terminal update rewrites a line
        # from its left edge up to the change.
        left = Text.assemble(" ", (self.clock_text, "bold"), "  ", ("☎ wallboard", "bold"),
                             " · ", self.title)
        if self.note:
            left.append(f" · {self.note}", "italic")
        right = Text.assemble((self.status, "bold"), " ")
        width = self.size.width
        if left.cell_len + right.cell_len + 1 > width:
            # a long status (an error sentence) gives way first, but keeps 20 cells;
            # the clock and the title are cut last
            keep_left = min(left.cell_len, max(12, width - min(20, right.cell_len) - 1))
            right.truncate(max(1, width - keep_left - 1), overflow="ellipsis")
            left.truncate(max(0, width - right.cell_len - 1), overflow="ellipsis")
        room = max(1, width - left.cell_len - right.cell_len)
        return Text.assemble(left, " " * room, right)
