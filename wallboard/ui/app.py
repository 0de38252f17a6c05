"""The Textual application: wires the source, the state and the screens together."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.driver import Driver
from textual.screen import Screen

from wallboard.config import Config
from wallboard.core.alerts import AlertEngine
from wallboard.core.clock import Clock, ReplayClock
from wallboard.core.events import Event
from wallboard.core.metrics import MetricsView
from wallboard.heap import settle
from wallboard.i18n import N_, _, say
from wallboard.service import Actor, WallboardService
from wallboard.ui.driver import quiet
from wallboard.ui.keys import fill_keys, key_hints, key_name, screen_actions
from wallboard.ui.messages import StateChanged
from wallboard.ui.screens.board import BoardScreen
from wallboard.ui.tty import plain_line_feeds

NO_RULES = AlertEngine([])


SETTLE_SECONDS = 1.0
"""After the first picture came in, when the collector is set for the long run (it is
drawn by then): see wallboard/heap.py."""


class WallboardApp(App[None]):
    CSS_PATH = Path(__file__).with_name("wallboard.tcss")
    TITLE = "wallboard"
    BINDINGS = [
        Binding("question_mark", "help", N_("Help"), id="app.help"),
        Binding("q", "quit", N_("Quit"), id="app.quit"),
        # -- replay only (wallboard replay) --
        Binding("space", "replay_pause", N_("Pause/play"), id="replay.pause"),
        Binding("left", "replay_seek(-60)", N_("Back 1 min"), id="replay.back"),
        Binding("right", "replay_seek(60)", N_("On 1 min"), id="replay.forward"),
        Binding("left_square_bracket", "replay_speed(-1)", N_("Slower"), id="replay.slower"),
        Binding("right_square_bracket", "replay_speed(1)", N_("Faster"), id="replay.faster"),
    ]
    REPLAY_ACTIONS = frozenset({"replay_pause", "replay_seek", "replay_speed"})

    def __init__(self, config: Config, service: WallboardService, clock: Clock,
                 actor: Actor | None = None, replay: ReplayClock | None = None) -> None:
        super().__init__()
        self.config = config
        self.service = service
        self.source = service.source
        self.clock = clock
        self.state = service.state
        self.actor = actor or Actor("board")
        """Who sits at this board, as the audit log names them."""
        self.replay = replay
        """The replayed moment, when this board plays a recorded period back."""
        self._settling = False
        """The collector is set for the long run once the first picture is drawn."""
        self.zone: tzinfo | None = ZoneInfo(config.ui.timezone) if config.ui.timezone else None
        self.mask_numbers = config.ui.masked
        self.kiosk = config.ui.kiosk
        if self.kiosk:
            self.use_command_palette = False
        self.stale_after: float | None = getattr(config.source, "stale_after_seconds", None)
        self.supervisor = service.listen.supervisor()
        service.on_notice(self._notice)
        service.subscribe(self._on_events)
        self.keymap: dict[str, str] = dict(config.keys)
        """The config's ``[keys]``: binding id -> key(s)."""
        if config.keys:
            self.set_keymap(config.keys)
        from wallboard.ui.terminal_alerts import TerminalAlerts

        self.terminal_alerts = TerminalAlerts(self, config.notifications)
        """The bell and desktop notifications of the ``[[alerts]]`` rules."""
        if config.ui.kiosk and config.ui.kiosk_unlock_key:
            self.bind(config.ui.kiosk_unlock_key, "unlock", description=N_("Unlock"),
                      show=False)

    # -- queues ------------------------------------------------------------------------------
    def queue_view(self, now: datetime) -> MetricsView:
        """Every queue's figures at ``now`` (one reading per frame)."""
        return self.state.metrics.view(now, self.state.queues)

    @property
    def alert_engine(self) -> AlertEngine:
        """The rules that colour the figures (the defaults without ``[[alerts]]``)."""
        desk = self.service.alerts
        return desk.engine if desk is not None else NO_RULES

    # -- key names in text, from the active keymap -----------------------------------------
    def key(self, binding_id: str) -> str:
        """The key that runs ``binding_id`` (``x``, or what ``[keys]`` remapped it to)."""
        return key_name(self, binding_id, self.keymap)

    def key_hints(self, *hints: tuple[str, str]) -> str:
        """``enter applies · esc cancels``: (binding id, words) pairs with their keys."""
        return key_hints(self, self.keymap, hints)

    def fill_keys(self, text: str) -> str:
        """A sentence from ``core`` or the service, translated, with its ``{key:...}``
        placeholders filled in."""
        return fill_keys(self, self.keymap, say(text))

    def get_key_display(self, binding: Binding) -> str:
        """As Textual shows keys, but ``enter`` in words (its ⏎ glyph is easily missed)."""
        if not binding.key_display and binding.key == "enter":
            return "enter"
        return super().get_key_display(binding)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal, with an input thread that sleeps while
        nobody types (ui/driver.py)."""
        return quiet(super().get_driver_class())

    def get_default_screen(self) -> Screen[None]:
        self.board = BoardScreen()
        if self.kiosk:
            from wallboard.ui.screens.kiosk import KioskScreen

            return KioskScreen()
        return self.board

    def notify_state_changed(self) -> None:
        """Tell every screen on the stack that shows; the live ones redraw, the others
        ignore it.

        A live screen under a full screen is not woken (it catches up when it is back on
        top). A screen with an update already due is not told again: that update reads the
        state as it is then (a source may send several batches a second, a screen redraws
        at most every ``refresh_seconds``)."""
        for screen in self.screen_stack:
            if not (getattr(screen, "update_pending", False)
                    or getattr(screen, "covered", False)):
                screen.post_message(StateChanged())

    def action_unlock(self) -> None:
        """Leave kiosk mode for the interactive board (the configured unlock key)."""
        if self.kiosk:
            self.kiosk = False
            self.use_command_palette = True
            self.push_screen(self.board)
            self.notify(_("Kiosk mode unlocked: the board is interactive."), timeout=4)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In kiosk mode nothing but quit (and the unlock key) works; the replay keys
        exist only in a replay."""
        if action in self.REPLAY_ACTIONS and self.replay is None:
            return False
        if self.kiosk and action not in ("quit", "unlock"):
            return False
        return True

    # -- replay --------------------------------------------------------------------------
    def action_replay_pause(self) -> None:
        if self.replay is not None:
            self.replay.toggle_pause()
            self.notify_state_changed()

    def action_replay_seek(self, seconds: int) -> None:
        if self.replay is not None:
            self.replay.seek(seconds)
            self.notify_state_changed()

    def action_replay_speed(self, steps: int) -> None:
        if self.replay is not None:
            self.replay.faster(steps)
            self.notify_state_changed()

    def on_mount(self) -> None:
        self.run_worker(self.service.run(), name="source", exit_on_error=False)
        self.terminal_alerts.attach()
        plain_line_feeds(self._driver)

    def _on_events(self, effective: list[Event]) -> None:
        self.notify_state_changed()
        if not self._settling and self.state.synced and not self.is_headless:
            self._settling = True  # once the first picture is drawn
            self.set_timer(SETTLE_SECONDS, settle)

    def _notice(self, message: str, severity: str) -> None:
        self.notify(self.fill_keys(message), severity=severity,  # type: ignore[arg-type]
                    timeout=10 if severity == "error" else 8)

    async def on_unmount(self) -> None:
        await self.service.aclose()

    def action_help(self) -> None:
        from wallboard.ui.screens.help import HelpScreen  # not needed for the first frame

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        """Textual's palette, with its search box's placeholder translated."""
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CommandPalette(placeholder=_("Search for commands…"),
                                            id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands (translated), then every key's action as a command."""
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))
        for active, keys in screen_actions(screen):
            binding = active.binding
            description = _(binding.description)
            yield SystemCommand(
                description,
                _("{action} (key: {keys})").format(action=description, keys=keys),
                lambda node=active.node, action=binding.action: self.run_action(action, node),
            )
