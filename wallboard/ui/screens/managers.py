"""Every manager, with their status now: type to search, enter opens the profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from wallboard.ui.widgets.status_look import status_markup

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


class ManagersScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="managers.close"),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("enter", "open", "Open profile", id="managers.open", priority=True),
    ]

    app: WallboardApp

    def compose(self) -> ComposeResult:
        with Vertical(id="managers"):
            yield Label("Managers", id="managers-title")
            yield Input(placeholder="type to search by name or department", id="managers-search")
            yield OptionList(id="managers-list")
            yield Label("enter opens the profile · escape closes", id="managers-hint")

    def on_mount(self) -> None:
        self._show("")
        self.query_one(Input).focus()

    def _show(self, query: str) -> None:
        words = query.casefold().split()
        employees = sorted(self.app.state.employees.values(), key=lambda e: e.name.casefold())
        items = self.query_one(OptionList)
        items.clear_options()
        for employee in employees:
            department = employee.department or "no department"
            haystack = f"{employee.name} {department}".casefold()
            if all(w in haystack for w in words):
                items.add_option(Option(
                    f"{employee.name:<28} {department:<14} {status_markup(employee.status)}",
                    id=employee.id))
        if items.option_count:
            items.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

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

        open_profile(self.app, employee_id)

    def action_close(self) -> None:
        self.dismiss(None)
