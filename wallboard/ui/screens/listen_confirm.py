"""Confirm joining a call (SPEC 6.4): who, which client, how long, and in which mode."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from wallboard.core.clock import Clock
from wallboard.core.format import format_duration
from wallboard.core.listen import MODE_HINTS, MODE_NAMES, ListenMode
from wallboard.core.models import Call, Employee
from wallboard.i18n import N_, _, say
from wallboard.ui.keys import APP_KEYS, ARROWS
from wallboard.ui.screens.modal import Modal

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


class ListenConfirmScreen(Modal[ListenMode | None]):
    """Returns the chosen mode (enter), or None (escape)."""

    BINDINGS = [
        Binding("enter", "start", N_("Join"), id="listen_confirm.start"),
        Binding("escape", "cancel", N_("Cancel"), id="listen_confirm.cancel"),
        *APP_KEYS,
    ]

    app: WallboardApp

    def __init__(
        self,
        call: Call,
        employee: Employee,
        client: str,
        clock: Clock,
        *,
        supervisor: str,
        modes: Collection[ListenMode],
        default: ListenMode,
        source_title: str,
    ) -> None:
        super().__init__()
        self.call = call
        self.employee = employee
        self.client = client
        self.clock = clock
        self.supervisor = supervisor
        self.modes = modes
        self.default = default if default in modes else next(m for m in ListenMode if m in modes)
        self.source_title = source_title

    def compose(self) -> ComposeResult:
        with Vertical(id="listen-confirm"):
            yield Label(_("Join this call?"), id="listen-confirm-title")
            yield Static(self._details(), id="listen-confirm-details")
            yield OptionList(
                *(
                    Option(self._mode_text(mode), id=mode.value, disabled=mode not in self.modes)
                    for mode in ListenMode
                ),
                id="listen-confirm-modes",
            )
            hints = self.app.key_hints(("listen_confirm.start", _("joins")),
                                       ("listen_confirm.cancel", _("cancels")))
            yield Label(_("{arrows} mode · {keys}").format(arrows=ARROWS, keys=hints),
                        id="listen-confirm-hint")

    def _mode_text(self, mode: ListenMode) -> Text:
        width = max(len(_(name)) for name in MODE_NAMES.values()) + 1
        text = Text.assemble((f"{_(MODE_NAMES[mode]):<{width}}", "bold"),
                             f" {_(MODE_HINTS[mode])}")
        if mode not in self.modes:
            text.append(" " + _("(not available with {source})").format(
                source=say(self.source_title)), "italic")
        return text

    def _details(self) -> Text:
        employee = self.employee
        manager = employee.name + (f" · {employee.department}" if employee.department else "")
        talk = format_duration(self.call.talk_seconds(self.clock.now()))
        rows = (
            (_("Manager"), manager),
            (_("Client"), self.client or _("unknown")),
            (_("Talking for"), talk),
            (_("You"), self.supervisor),
        )
        width = max(12, *(len(label) + 1 for label, _value in rows))
        text = Text()
        for i, (label, value) in enumerate(rows):
            text.append(f"{label:<{width}}", "dim")
            text.append(value, "bold")
            if i < len(rows) - 1:
                text.append("\n")
        return text

    def on_mount(self) -> None:
        modes = self.query_one(OptionList)
        modes.highlighted = list(ListenMode).index(self.default)
        modes.focus()
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        self.query_one("#listen-confirm-details", Static).update(self._details())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(ListenMode(str(event.option.id)))

    def action_start(self) -> None:
        modes = self.query_one(OptionList)
        if modes.highlighted is not None:
            option = modes.get_option_at_index(modes.highlighted)
            if not option.disabled:
                self.dismiss(ListenMode(str(option.id)))

    def action_cancel(self) -> None:
        self.dismiss(None)
