"""What every live screen shares: redraws folded to a few per second, a one-second tick, and
one clock reading per frame (held while the data may be dead)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.screen import ModalScreen, Screen
from textual.timer import Timer

from wallboard.core.clock import FrameClock
from wallboard.core.state import held_at
from wallboard.i18n import _, say
from wallboard.ui.messages import StateChanged
from wallboard.ui.widgets.topbar import TopBar, connection_text, replay_text

if TYPE_CHECKING:
    from wallboard.ui.app import WallboardApp


TICK = 1.0
"""Durations tick once a second."""
TICK_SLACK = 0.05
"""An update due this close before the tick is drawn by the tick."""


class LiveScreen(Screen[None]):
    """A screen that follows the LiveState.

    Subclasses implement ``update_view`` (new events) and ``tick`` (the clock moved on).
    """

    app: WallboardApp

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._last_update = 0.0
        self._pending: Timer | None = None
        self._frame: FrameClock | None = None
        self._ticker: Timer | None = None
        self._next_tick: float | None = None
        """When the running tick comes next (monotonic); None while it sleeps."""
        self._tick_draws = False
        """New events are left for the next tick to draw."""

    @property
    def frame(self) -> FrameClock:
        """The clock every widget of this screen reads: one reading per frame."""
        if self._frame is None:
            self._frame = FrameClock(self.app.clock)
        return self._frame

    def next_frame(self) -> None:
        """Read the clock for the frame about to be drawn. While the link is down or the
        data stale, durations and counters stop at the moment the data may have died."""
        app = self.app
        self.frame.next_frame(lambda now: held_at(app.state.connection, now, app.stale_after))

    def on_mount(self) -> None:
        # Textual calls the on_mount of every class in the MRO: the board must not tick
        # twice a second.
        if self._ticker is None:
            self._ticker = self.set_interval(TICK, self._on_tick)
            self._next_tick = time.monotonic() + TICK

    @property
    def covered(self) -> bool:
        """Another full screen is on top (the queues, the agents): nothing of this one shows,
        so it neither draws nor wakes up. Textual counts the screen right under the top one
        as a background screen, and repaints the whole top screen each time that one
        wakes up with anything to draw: a board ticking under the agents grid would cost a
        full repaint of the grid every second."""
        top = self.app.screen
        return top is not self and not isinstance(top, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back on top (or uncovered): the clock ticks again, and the screen catches up."""
        if self._ticker is not None:
            self._ticker.resume()
            self._next_tick = time.monotonic() + TICK
        if self.is_mounted:
            self._update()

    @property
    def update_pending(self) -> bool:
        """An update is already due: it will read whatever the state holds by then."""
        return self._pending is not None or self._tick_draws

    def on_state_changed(self, _: StateChanged) -> None:
        """Fold bursts of events into at most one update per ``refresh_seconds``; an
        update the tick would draw as soon (or sooner) is left to the tick: one frame a
        second, not two, when events flow all the time."""
        if self.covered:
            return
        now = time.monotonic()
        wait = self.app.config.ui.refresh_seconds - (now - self._last_update)
        if wait <= 0:
            self._update()
        elif self._pending is None:
            if self._next_tick is not None and self._next_tick - now <= wait + TICK_SLACK:
                self._tick_draws = True
                return
            self._pending = self.set_timer(wait, self._update)

    def _update(self) -> None:
        self._pending = None
        self._tick_draws = False
        self._last_update = time.monotonic()
        self.next_frame()
        self.update_view()

    def _on_tick(self) -> None:
        """Once a second: durations tick; pending events are drawn in the same frame."""
        if self.covered:  # asleep until resumed
            if self._ticker is not None:
                self._ticker.pause()
            self._next_tick = None
            self._tick_draws = False
            return
        self._next_tick = time.monotonic() + TICK
        self._tick_draws = False
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        self._last_update = time.monotonic()
        self.next_frame()
        self.tick()

    def update_view(self) -> None:
        raise NotImplementedError

    def tick(self) -> None:
        raise NotImplementedError

    def show_topbar(self, note: str) -> str:
        """Draw the top line; returns the connection's style class (live, stale, ...).

        The screen fades its figures while they are held (``-held``).
        """
        app = self.app
        wall = self.frame.wall
        if app.replay is not None:
            status, status_class = replay_text(app.replay, app.zone), "live"
        else:
            status, status_class = connection_text(app.state.connection, wall, app.zone,
                                                   app.stale_after)
        self.query_one(TopBar).show(status, status_class,
                                    wall.astimezone(app.zone).strftime("%H:%M:%S"), note=note)
        held = self.frame.held and app.state.synced
        if self.has_class("-held") != held:
            self.set_class(held, "-held")
        return status_class

    def not_synced_text(self) -> str | None:
        """What the board says instead of figures before the first snapshot; None after."""
        app = self.app
        if app.state.synced:
            return None
        message = app.state.connection.message
        if message:
            return say(message)
        return _("Connecting to {source}…").format(source=say(app.source.title))
