"""The running listen session, one line above the footer (SPEC 6.4).

``◎ COACH ● active  muted  · 0:42 · Anna Nowak ↔ +48 *** *** 123   w listen · u unmute · e end``.
The elapsed time is computed at render time from the session's timestamps and the clock.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from wallboard.core.format import format_duration
from wallboard.core.listen import MODE_NAMES, ListenSession, ListenState
from wallboard.i18n import N_, _, say

STATE_TEXT = {
    ListenState.CONNECTING: N_("◌ connecting…"),
    ListenState.ACTIVE: N_("● active"),
    ListenState.ENDED: N_("■ ended"),
    ListenState.FAILED: N_("✖ failed"),
}


def listen_text(session: ListenSession, now: datetime, manager: str, client: str) -> Text:
    """State first, so a narrow terminal still shows what matters."""
    end = session.ended_at or now
    elapsed = format_duration((end - session.started_at).total_seconds())
    text = Text.assemble(
        " ◎ ",
        (_(MODE_NAMES[session.mode]).upper(), "bold"),
        " ",
        (_(STATE_TEXT[session.state]), "bold"),
    )
    if session.state.finished and session.message:
        text.append(f": {say(session.message)}")
    if session.muted and not session.state.finished:
        text.append(" ")
        text.append(" " + _("muted") + " ", "bold reverse")
    text.append(f" · {elapsed} · ")
    text.append(manager, "bold")
    if client:
        text.append(f" ↔ {client}")
    return text


class ListenBar(Widget):
    """Hidden when no session is running or has just finished."""

    DEFAULT_CSS = """
    ListenBar { height: 1; display: none; }
    ListenBar.-shown { display: block; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: ListenSession | None = None
        self.text = Text()
        self.hints = ""
        """The keys that steer the session, e.g. ``w coach · u mute · e end``."""
        self._clients: dict[str, str] = {}
        """The client of each session, remembered: its call leaves the state when it ends."""

    def show(self, session: ListenSession | None, now: datetime, manager: str = "",
             client: str | None = None, hints: str = "") -> None:
        """``client`` None: the number shown for this session before (its call is gone)."""
        self.set_class(session is not None, "-shown")
        self.session = session
        if session is None:
            return
        if client is None:
            client = self._clients.get(session.id, "")
        else:
            self._clients = {session.id: client}
        for state in ListenState:
            self.set_class(state is session.state, f"-{state.value}")
        text = listen_text(session, now, manager, client)
        if text.plain != self.text.plain or hints != self.hints:
            self.text, self.hints = text, hints
            self.refresh()

    def render(self) -> Text:
        """The session on the left, its keys on the right (dropped first when narrow)."""
        width = self.size.width
        right = Text(f"{self.hints} ", "dim") if self.hints else Text()
        if self.text.cell_len + right.cell_len + 1 > width:
            right = Text()
        left = self.text.copy()
        if left.cell_len > width:
            left.truncate(max(0, width), overflow="ellipsis")
        return Text.assemble(left, " " * max(0, width - left.cell_len - right.cell_len), right)
