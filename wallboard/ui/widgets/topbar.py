"""The top line: what the board shows, the connection's health and the clock."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from wallboard.core.clock import ReplayClock
from wallboard.core.events import Link
from wallboard.core.state import Connection, stale_since
from wallboard.i18n import _, say


def connection_text(conn: Connection, now: datetime, zone: tzinfo | None,
                    stale_after: float | None) -> tuple[str, str]:
    """The connection as words, and a style class: live / reconnecting in N s / stale since."""
    if conn.link is Link.LIVE:
        stale = stale_since(conn, now, stale_after)
        if stale is not None:
            return _("⚠ stale since {time}").format(
                time=stale.astimezone(zone).strftime("%H:%M:%S")), "stale"
        if conn.malformed:
            return _("● live · {count} malformed skipped").format(count=conn.malformed), "live"
        return _("● live"), "live"
    if conn.link is Link.RECONNECTING:
        if conn.retry_at is not None:
            text = _("↻ reconnecting in {seconds} s").format(
                seconds=max(0, round((conn.retry_at - now).total_seconds())))
        else:
            text = _("↻ reconnecting")
        if conn.message:
            text += f" — {say(conn.message)}"
        return text, "reconnecting"
    if conn.link is Link.FAILED:
        problem = say(conn.message) if conn.message else _("disconnected")
        return f"✖ {problem}", "failed"
    return _("◌ connecting…"), "connecting"


def replay_text(replay: ReplayClock, zone: tzinfo | None) -> str:
    """``REPLAY 08:14:32 ×10``, ``‖ REPLAY 08:14:32 paused``, ``… end of the recording``."""
    moment = replay.now().astimezone(zone).strftime("%H:%M:%S")
    speed = f"×{replay.speed:g}"
    if replay.at_end:
        return _("■ REPLAY {time} — end of the recording").format(time=moment)
    if replay.paused:
        return _("‖ REPLAY {time} paused ({speed})").format(time=moment, speed=speed)
    return _("▶ REPLAY {time} {speed}").format(time=moment, speed=speed)


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
        self._drawn: tuple[tuple[object, ...], Strip] | None = None
        """The line as last drawn, and what it was drawn from."""

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

    def render_line(self, y: int) -> Strip:
        """The line as :meth:`render` words it, drawn with the bar's style: a line-API
        widget, so the clock's tick costs a strip, not Textual's text layout."""
        width = self.size.width
        base = self.rich_style  # a -stale class or the theme changes it
        key = (self.status, self.clock_text, self.note, self.title, width, base)
        if self._drawn is None or self._drawn[0] != key:
            segments = [Segment(span.text, base + span.style) for span in
                        self.render().render(self.app.console) if span.text]
            self._drawn = key, Strip(segments).adjust_cell_length(width, base)
        return self._drawn[1] if y == 0 else Strip.blank(width, base)

    def render(self) -> Text:
        # The clock leads: it changes every second, and a terminal update rewrites a line
        # from its left edge up to the change. The space before it is bold too, so the
        # tick sends one run of one style (one escape sequence, not two).
        width = self.size.width
        head = Text.assemble((f" {self.clock_text}", "bold"), "  ", ("☎ wallboard", "bold"),
                             " · ")
        title, note, status = say(self.title), self.note, self.status
        def left_len() -> int:
            return head.cell_len + cell_len(title) + (cell_len(note) + 3 if note else 0)

        if left_len() + cell_len(status) + 2 > width:
            # a long status (an error sentence) gives way first, but keeps 20 cells; then
            # the note, then the title: each shortened by whole words, never cut mid-word
            keep_left = min(left_len(), max(12, width - min(20, cell_len(status) + 1) - 1))
            status = clip_words(status, max(1, width - keep_left - 2))
            room = width - cell_len(status) - 2 - head.cell_len
            note = clip_words(note, room - cell_len(title) - 3) if note else ""
            title = clip_words(title, room - (cell_len(note) + 3 if note else 0))
        left = Text.assemble(head, title)
        if note:
            left.append(f" · {note}", "italic")
        right = Text.assemble((status, "bold"), " ")
        room = max(1, width - left.cell_len - right.cell_len)
        return Text.assemble(left, " " * room, right)


def clip_words(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` cells, else its longest run of whole words that
    fits with an ellipsis (``Wszystkie…``), else nothing: a word is never cut."""
    if cell_len(text) <= width:
        return text
    words = text.split(" ")
    for n in range(len(words) - 1, 0, -1):
        shorter = " ".join(words[:n]).rstrip(" ·—-:,") + "…"
        if cell_len(shorter) <= width:
            return shorter
    return ""
