"""Every manager, with their status now: type to search, enter opens the profile.

The statuses follow the live state while the list is open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from wallboard.core.models import Employee
from wallboard.i18n import N_, _
from wallboard.ui.messages import StateChanged
from wallboard.ui.screens.modal import Modal, first_highlighted, type_ahead
from wallboard.ui.widgets.status_look import status_markup

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


def manager_line(employee: Employee) -> str:
    department = employee.department or _("no department")
    return f"{employee.name:<28} {department:<14} {status_markup(employee.status)}"


class ManagersScreen(Modal[None]):
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="managers.close"),
        Binding("up", "move(-1)", N_("Up"), show=False),
        Binding("down", "move(1)", N_("Down"), show=False),
        Binding("enter", "open", N_("Open profile"), id="managers.open", priority=True),
    ]

    AUTO_FOCUS = "#managers-search"
    app: WallboardApp

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self._state_version = -1

    def compose(self) -> ComposeResult:
        with Vertical(id="managers"):
            yield Label(_("Managers"), id="managers-title")
            yield Input(placeholder=_("type to search by name or department"),
                        id="managers-search")
            yield first_highlighted(OptionList(*self._options(), id="managers-list"))
            yield Label(self.app.key_hints(("managers.open", _("opens the profile")),
                                           ("managers.close", _("closes"))), id="managers-hint")

    def on_key(self, event: events.Key) -> None:
        for search in self.query(Input):  # none once the screen is being closed
            type_ahead(search, event)

    def _options(self) -> list[Option]:
        """The managers matching the search, by name, as they are now."""
        self._state_version = self.app.state.version
        words = self.query_text.casefold().split()
        employees = sorted(self.app.state.employees.values(), key=lambda e: e.name.casefold())
        nobody = _("no department")
        return [Option(manager_line(e), id=e.id) for e in employees
                if all(w in f"{e.name} {e.department or nobody}".casefold() for w in words)]

    def _show(self) -> None:
        """Redraw the list, keeping the highlighted manager; only changed lines if the
        managers shown are the same (a status changed)."""
        items = self.query_one(OptionList)
        options = self._options()
        if [o.id for o in options] == [o.id for o in items.options]:
            for new, old in zip(options, items.options, strict=True):
                if str(new.prompt) != str(old.prompt) and new.id:
                    items.replace_option_prompt(new.id, new.prompt)
            return
        current = items.highlighted_option
        items.set_options(options)
        ids = [o.id for o in options]
        if current is not None and current.id in ids:
            items.highlighted = ids.index(current.id)
        elif options:
            items.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._show()

    def on_state_changed(self, message: StateChanged) -> None:
        """Statuses change live; the list follows (posted to every screen on the stack)."""
        if self.app.state.version != self._state_version:
            self._show()

    def action_move(self, delta: int) -> None:
        items = self.query_one(OptionList)
        if items.option_count:
            current = items.highlighted if items.highlighted is not None else 0
            items.highlighted = max(0, min(items.option_count - 1, current + delta))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._open(event.option.id)

    def action_open(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is not None and option.id:
            self._open(option.id)

    def _open(self, employee_id: str) -> None:
        from wallboard.ui.screens.profile import open_profile

        if self.is_active:  # not twice from one burst of enters
            open_profile(self.app, employee_id)

    def action_close(self) -> None:
        self.dismiss(None)
