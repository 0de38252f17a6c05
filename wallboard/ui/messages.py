"""Messages that cross from the source's task into the screens."""

from __future__ import annotations

from textual.message import Message


class StateChanged(Message, bubble=False):
    """The LiveState changed. A burst of these collapses into one in the queue.

    Each screen is told directly; it does not bubble up to the app, which has nothing to do
    with it."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StateChanged)
