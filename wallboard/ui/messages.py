"""Messages that cross from the source's task into the screens."""

from __future__ import annotations

from textual.message import Message


class StateChanged(Message):
    """The LiveState changed. A burst of these collapses into one in the queue."""

    bubble = False  # each screen is told directly; the app has nothing to do with it

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StateChanged)
