"""The Textual application: wires the source, the state and the screens together."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from wallboard.audit import AuditLog
from wallboard.config import Config
from wallboard.core.clock import Clock
from wallboard.core.events import ConnectionChanged, Event, Link, ListenChanged
from wallboard.core.listen import ListenState
from wallboard.core.state import LiveState
from wallboard.sources.base import Source, SourceError
from wallboard.ui.keys import screen_actions
from wallboard.ui.messages import StateChanged
from wallboard.ui.screens.board import BoardScreen
from wallboard.ui.screens.listen_actions import resolve_supervisor

log = logging.getLogger(__name__)


class WallboardApp(App[None]):
    CSS_PATH = Path(__file__).with_name("wallboard.tcss")
    TITLE = "wallboard"
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, config: Config, source: Source, clock: Clock,
                 state: LiveState | None = None) -> None:
        super().__init__()
        self.config = config
        self.source = source
        self.clock = clock
        self.state = state or LiveState()
        self.zone: tzinfo | None = ZoneInfo(config.ui.timezone) if config.ui.timezone else None
        self.mask_numbers = config.ui.masked
        self.kiosk = config.ui.kiosk
        if self.kiosk:
            self.use_command_palette = False
        self.stale_after: float | None = getattr(config.source, "stale_after_seconds", None)
        self.supervisor = resolve_supervisor(config.supervisor, source.default_supervisor)
        self.audit = AuditLog(config.supervisor.audit_log, clock, mask_numbers=self.mask_numbers)
        if config.keys:
            self.set_keymap(config.keys)
        if config.ui.kiosk and config.ui.kiosk_unlock_key:
            self.bind(config.ui.kiosk_unlock_key, "unlock", description="Unlock", show=False)

    def get_default_screen(self) -> Screen[None]:
        self.board = BoardScreen()
        if self.kiosk:
            from wallboard.ui.screens.kiosk import KioskScreen

            return KioskScreen()
        return self.board

    def notify_state_changed(self) -> None:
        """Tell every screen on the stack; the live ones redraw, the others ignore it.

        A screen with an update already due is not told again: that update reads the
        state as it is then (a feed sends a batch every 0.2 s, a screen redraws at most
        every ``refresh_seconds``)."""
        for screen in self.screen_stack:
            if not getattr(screen, "update_pending", False):
                screen.post_message(StateChanged())

    def action_unlock(self) -> None:
        """Leave kiosk mode for the interactive board (the configured unlock key)."""
        if self.kiosk:
            self.kiosk = False
            self.use_command_palette = True
            self.push_screen(self.board)
            self.notify("Kiosk mode unlocked: the board is interactive.", timeout=4)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In kiosk mode nothing but quit (and the unlock key) works."""
        if self.kiosk and action not in ("quit", "unlock"):
            return False
        return True

    def on_mount(self) -> None:
        self.run_worker(self._follow_source(), name="source", exit_on_error=False)

    async def _follow_source(self) -> None:
        """Apply the source's event batches to the state; tell the board."""
        try:
            async for batch in self.source.events():
                self._audit_listen(batch)
                self.state.apply_all(batch)
                self.state.mark_data(self.clock.now())
                self.notify_state_changed()
        except SourceError as exc:
            self._source_failed(str(exc))
        except Exception as exc:  # the board must outlive any backend bug
            log.exception("source failed")
            self._source_failed(f"The source stopped unexpectedly ({type(exc).__name__}).")

    def _audit_listen(self, batch: list[Event]) -> None:
        """Log each listen session's steps; say why one failed."""
        for event in batch:
            if not isinstance(event, ListenChanged):
                continue
            session = event.session
            known = self.state.listen_sessions.get(session.id)
            self.audit.observe(session, self.state.calls.get(session.call_id),
                               self.state.employees.get(session.employee_id or ""))
            if session.state is ListenState.FAILED and (known is None or not known.state.finished):
                self.notify(session.message or "Joining the call failed.", severity="error",
                            timeout=8)
        if self.audit.failed:
            self.notify(self.audit.failed, severity="warning", timeout=8)
            self.audit.failed = None

    def _source_failed(self, message: str) -> None:
        self.state.apply(ConnectionChanged(link=Link.FAILED, message=message, at=self.clock.now()))
        self.notify_state_changed()
        self.notify(message, severity="error", timeout=10)

    async def on_unmount(self) -> None:
        await self.source.aclose()

    def action_help(self) -> None:
        from wallboard.ui.screens.help import HelpScreen  # not needed for the first frame

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key's action is also a command in the palette."""
        yield from super().get_system_commands(screen)
        for active, keys in screen_actions(screen):
            binding = active.binding
            yield SystemCommand(
                binding.description,
                f"{binding.description} (key: {keys})",
                lambda node=active.node, action=binding.action: self.run_action(action, node),
            )
