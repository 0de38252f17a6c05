"""The help screen: every key of the screen underneath, as remapped by the config."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label

from wallboard.ui.keys import QUIT, screen_actions
from wallboard.ui.screens.modal import Modal
from wallboard.ui.widgets.call_table import CallTable

ABOUT = (
    "Counters: total active calls; waiting = not answered yet (…incoming among them); "
    "talking = in conversation, on hold included (…incoming among them).\n"
    "Status: ◔ ringing · ● talking · ‖ on hold. A red '!' marks a call waiting "
    "longer than the warning threshold."
)


class HelpScreen(Modal[None]):
    BINDINGS = [
        Binding("escape,question_mark", "dismiss", "Close", id="help.close"),
        QUIT,
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Label("[b]Keys[/b]", id="help-title")
            yield DataTable(id="help-keys", cursor_type="none", zebra_stripes=True)
            yield Label(ABOUT, id="help-about")
            yield Label("", id="help-columns")
            yield Label("", id="help-connection")

    def on_mount(self) -> None:
        conn = self.app.state.connection  # type: ignore[attr-defined]
        source = self.app.source.title  # type: ignore[attr-defined]
        details = [f"[b]Source[/b]: {source} — {conn.link.value}."]
        if conn.message:
            details.append(conn.message)
        if conn.malformed:
            details.append(f"Malformed payloads skipped: {conn.malformed}.")
        self.query_one("#help-connection", Label).update(" ".join(details))
        columns = self.query_one("#help-columns", Label)
        hidden = hidden_columns_text(self.under)
        columns.display = hidden is not None
        columns.update(hidden or "")
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action")
        for active, keys in screen_actions(self.under):
            table.add_row(keys, active.binding.description)


def hidden_columns_text(screen: Screen) -> str | None:
    """Which of the table's columns this width has no room for, or None (all shown)."""
    tables = screen.query(CallTable)
    hidden = tables.first().hidden_columns if tables else []
    if not hidden:
        return None
    names = ", ".join(c.title for c in hidden)
    return (f"[b]Hidden at this width[/b] ({screen.size.width} columns; the table's header "
            f"says +{len(hidden)}): {names}. A wider terminal shows them.")
