"""Screens that close once, and search boxes that keep the keys typed before they had focus.

Keys that arrive in one read (a paste, ``tmux send-keys Enter Enter``, a slow SSH link) are
all dispatched before the first one's effect is drawn: a second Enter reaches a dialog the
first Enter has already dismissed. Textual's ``dismiss`` would call the result callback
again and pop whatever screen is on top by then (the board: ``ScreenStackError``).
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList

ResultT = TypeVar("ResultT")
ListT = TypeVar("ListT", bound=OptionList)


class Modal(ModalScreen[ResultT]):
    """A dialog or panel over the board; a second dismiss (the same burst) does nothing."""

    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        if not self.is_active:  # already dismissed, or not on top
            return AwaitComplete.nothing()
        return super().dismiss(result)


class Page(Screen[ResultT]):
    """A full screen pushed over another; a second dismiss does nothing."""

    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        if not self.is_active:
            return AwaitComplete.nothing()
        return super().dismiss(result)


def type_ahead(search: Input, event: events.Key) -> None:
    """Give ``search`` a printable key that reached its screen before the box had focus.

    Keys typed right after the key that opened the screen arrive before the focus does;
    without this they would be lost (``m`` then a name, in one paste).
    """
    if search.has_focus or not event.is_printable or event.character is None:
        return
    search.focus()
    search.insert_text_at_cursor(event.character)
    event.stop()
    event.prevent_default()


def first_highlighted(items: ListT) -> ListT:
    """``items`` with its first option highlighted, set while composing: no ``on_mount``
    query that a screen closed by the same burst of keys could fail."""
    if items.option_count:
        items.set_reactive(OptionList.highlighted, 0)
    return items
