"""Choose several items from a long list: type to search, space toggles, enter applies."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, SelectionList


class SearchInput(Input):
    """A search box that leaves the space key to the list (space toggles an item)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key != "space" and super().check_consume_key(key, character)


class PickerScreen(ModalScreen[frozenset[str] | None]):
    """Returns the chosen values (empty: no filter), or None when cancelled."""

    BINDINGS = [
        Binding("space", "toggle_item", "Toggle", priority=True, id="picker.toggle"),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("ctrl+a", "clear", "None", id="picker.clear"),
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
    ]

    def __init__(
        self, title: str, options: Sequence[tuple[str, str]], selected: frozenset[str]
    ) -> None:
        """``options`` are (label, value) pairs."""
        super().__init__()
        self.title_text = title
        self.options = list(options)
        self.selected: set[str] = set(selected)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(self.title_text, id="picker-title")
            yield SearchInput(placeholder="type to search", id="picker-search")
            yield SelectionList[str](id="picker-list")
            yield Label(
                "space toggles · enter applies · ctrl+a clears · escape cancels",
                id="picker-hint",
            )

    def on_mount(self) -> None:
        self._show("")
        self.query_one(Input).focus()

    def _show(self, query: str) -> None:
        words = query.casefold().split()
        items = self.query_one(SelectionList)
        items.clear_options()
        items.add_options(
            (label, value, value in self.selected)
            for label, value in self.options
            if all(w in label.casefold() for w in words)
        )
        if items.option_count:
            items.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(frozenset(self.selected))

    def on_selection_list_selection_toggled(
        self, event: SelectionList.SelectionToggled[str]
    ) -> None:
        """A click or enter on the list itself."""
        value = event.selection.value
        if value in event.selection_list.selected:
            self.selected.add(value)
        else:
            self.selected.discard(value)

    def action_toggle_item(self) -> None:
        items = self.query_one(SelectionList)
        if items.highlighted is None:
            return
        value = items.get_option_at_index(items.highlighted).value
        self.selected.symmetric_difference_update({value})
        items.toggle(value)

    def action_move(self, delta: int) -> None:
        items = self.query_one(SelectionList)
        if items.option_count:
            current = items.highlighted if items.highlighted is not None else 0
            items.highlighted = max(0, min(items.option_count - 1, current + delta))

    def action_clear(self) -> None:
        self.selected.clear()
        self.query_one(SelectionList).deselect_all()

    def action_cancel(self) -> None:
        self.dismiss(None)
