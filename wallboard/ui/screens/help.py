"""The help screen: every key of the screen underneath, as remapped by the config."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label

from wallboard.i18n import N_, _, counted, current, say
from wallboard.ui.keys import QUIT, screen_actions
from wallboard.ui.screens.modal import Modal
from wallboard.ui.widgets.call_table import CallTable

ABOUT = N_(
    "Counters: total active calls; waiting = not answered yet (…incoming among them); "
    "talking = in conversation, on hold included (…incoming among them).\n"
    "Status: ◔ ringing · ● talking · ‖ on hold. A red '!' marks a call waiting "
    "longer than the warning threshold."
)

LINK_WORDS = {
    "connecting": N_("connecting"),
    "live": N_("live"),
    "reconnecting": N_("reconnecting"),
    "failed": N_("failed"),
}
"""The link's state in words (``Link``'s values)."""


class HelpScreen(Modal[None]):
    BINDINGS = [
        Binding("escape,question_mark", "dismiss", N_("Close"), id="help.close"),
        QUIT,
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Label("[b]" + _("Keys") + "[/b]", id="help-title")
            yield DataTable(id="help-keys", cursor_type="none", zebra_stripes=True)
            yield Label(_(ABOUT), id="help-about")
            yield Label("", id="help-columns")
            yield Label("", id="help-connection")

    def on_mount(self) -> None:
        conn = self.app.state.connection  # type: ignore[attr-defined]
        source = self.app.source.title  # type: ignore[attr-defined]
        details = [_("[b]Source[/b]: {source} — {link}.").format(
            source=say(source), link=_(LINK_WORDS.get(conn.link.value, conn.link.value)))]
        if conn.message:
            details.append(say(conn.message))
        if conn.malformed:
            details.append(_("Malformed payloads skipped: {count}.").format(
                count=current().number(conn.malformed)))
        self.query_one("#help-connection", Label).update(" ".join(details))
        columns = self.query_one("#help-columns", Label)
        hidden = hidden_columns_text(self.under)
        columns.display = hidden is not None
        columns.update(hidden or "")
        table = self.query_one(DataTable)
        table.add_columns(_("Key"), _("Action"))
        for active, keys in screen_actions(self.under):
            table.add_row(keys, _(active.binding.description))


def hidden_columns_text(screen: Screen) -> str | None:
    """Which of the table's columns this width has no room for, or None (all shown)."""
    tables = screen.query(CallTable)
    hidden = tables.first().hidden_columns if tables else []
    if not hidden:
        return None
    names = ", ".join(_(c.title) for c in hidden)
    return _("[b]Hidden at this width[/b] ({width}; the table's header says +{hidden}): "
             "{names}. A wider terminal shows them.").format(
        width=counted(screen.size.width, "{n} column", "{n} columns"), hidden=len(hidden),
        names=names)
