"""Choose several items from a long list: type to search, space toggles, enter applies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.strip import Strip
from textual.widgets import Checkbox, Input, Label, OptionList, SelectionList

from wallboard.i18n import N_, _
from wallboard.ui.screens.modal import Modal, first_highlighted, type_ahead

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp

CHOSEN = "✓"
"""The mark in a chosen item's box: chosen and not chosen differ by more than colour, so
the list reads on a monochrome wall TV and for colour-blind supervisors."""


class SearchInput(Input):
    """A search box that leaves the space key to the list (space toggles an item)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key != "space" and super().check_consume_key(key, character)


class MarkedSelectionList(SelectionList[str]):
    """Textual's selection list draws the same ``X`` in every box, chosen or not, and tells
    them apart by colour only; here a chosen box shows a check mark, the others stay empty."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 2 or segments[1].text != Checkbox.BUTTON_INNER:  # the box's inside
            return strip
        index = self.scroll_offset.y + y
        chosen = self.get_option_at_index(index).value in self.selected
        segments[1] = Segment(CHOSEN if chosen else " ", segments[1].style)
        return Strip(segments, strip.cell_length)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """A highlight can be stale: typing fast empties the list (no match) before the
        message is handled, and the selection list would look up an option that is gone."""
        if event.option_index >= self.option_count:
            event.prevent_default()
            event.stop()


class PickerScreen(Modal[frozenset[str] | None]):
    """Returns the chosen values (empty: no filter), or None when cancelled."""

    BINDINGS = [
        Binding("space", "toggle_item", N_("Toggle"), priority=True, id="picker.toggle"),
        Binding("enter", "apply", N_("Apply"), priority=True, id="picker.apply"),
        Binding("up", "move(-1)", N_("Up"), show=False),
        Binding("down", "move(1)", N_("Down"), show=False),
        # priority: the search box has a ctrl+a of its own (to the start of the line)
        Binding("ctrl+a", "clear", N_("None"), priority=True, id="picker.clear"),
        Binding("escape", "cancel", N_("Cancel"), id="picker.cancel"),
    ]

    AUTO_FOCUS = "#picker-search"
    app: WallboardApp

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
            yield SearchInput(placeholder=_("type to search"), id="picker-search")
            yield first_highlighted(MarkedSelectionList(*self._matching(""), id="picker-list"))
            yield Label(self.app.key_hints(
                ("picker.toggle", _("toggles")), ("picker.apply", _("applies")),
                ("picker.clear", _("clears")), ("picker.cancel", _("cancels")),
            ), id="picker-hint")

    def on_key(self, event: events.Key) -> None:
        for search in self.query(Input):  # none once the screen is being closed
            type_ahead(search, event)

    def _matching(self, query: str) -> list[tuple[str, str, bool]]:
        words = query.casefold().split()
        return [(label, value, value in self.selected) for label, value in self.options
                if all(w in label.casefold() for w in words)]

    def on_input_changed(self, event: Input.Changed) -> None:
        items = self.query_one(SelectionList)
        items.clear_options()
        items.add_options(self._matching(event.value))
        if items.option_count:
            items.highlighted = 0

    def on_selection_list_selection_toggled(
        self, event: SelectionList.SelectionToggled[str]
    ) -> None:
        """A click on the list itself."""
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

    def action_apply(self) -> None:
        self.dismiss(frozenset(self.selected))

    def action_clear(self) -> None:
        self.selected.clear()
        self.query_one(SelectionList).deselect_all()

    def action_cancel(self) -> None:
        self.dismiss(None)
