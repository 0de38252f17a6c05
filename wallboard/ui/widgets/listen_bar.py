"""The running listen session, one line above the footer (SPEC 6.4).

``🎧 COACH · ● active · 0:42 · Anna Nowak ↔ +48 *** *** 123 · muted``. The elapsed time
is computed at render time from the session's timestamps and the injected clock.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widget import Widget

from wallboard.core.format import format_duration
from wallboard.core.listen import MODE_NAMES, ListenSession, ListenState

STATE_TEXT = {
    ListenState.CONNECTING: "◌ connecting…",
    ListenState.ACTIVE: "● active",
    ListenState.ENDED: "■ ended",
    ListenState.FAILED: "✖ failed",
}


def listen_text(session: ListenSession, now: datetime, manager: str, client: str) -> Text:
    end = session.ended_at or now
    elapsed = format_duration((end - session.started_at).total_seconds())
    text = Text.assemble(
        " 🎧 ",
        (MODE_NAMES[session.mode].upper(), "bold"),
        " · ",
        (STATE_TEXT[session.state], "bold"),
        f" · {elapsed} · ",
        (manager, "bold"),
        f" ↔ {client}",
    )
    if session.muted and not session.state.finished:
        text.append(" · ")
        text.append("muted", "bold reverse")
    if session.message and session.state.finished:
        text.append(f" — {session.message}")
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
        self._clients: dict[str, str] = {}
        """The client of each session, remembered: its call leaves the state when it ends."""

    def show(self, session: ListenSession | None, now: datetime, manager: str = "",
             client: str | None = None) -> None:
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
        if text.plain != self.text.plain:
            self.text = text
            self.refresh()

    def render(self) -> Text:
        return self.text
