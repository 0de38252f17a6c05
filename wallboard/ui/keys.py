"""Key bindings: the ids the config's ``[keys]`` table may remap, the actions a screen offers
(for the help screen and the command palette), and key hints in text, built from the active
keymap so that a remapped key shows its new name."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from textual.binding import ActiveBinding, Binding
from textual.screen import Screen

from wallboard.core.listen import KEY_PLACEHOLDER
from wallboard.i18n import N_

if TYPE_CHECKING:
    from textual.app import App

HELP = Binding("question_mark", "app.help", N_("Help"), id="app.help")
QUIT = Binding("q", "app.quit", N_("Quit"), id="app.quit")
APP_KEYS = [HELP, QUIT]
"""Help and quit, for the screens over the board that have no search box: a modal screen
hides the app's own bindings."""
ARROWS = "↑↓"
"""The lists' own navigation keys (Textual's widgets; not remappable)."""


@cache
def default_bindings() -> dict[str, Binding]:
    """Every remappable binding, by id, as the code declares it."""
    from wallboard.ui.app import WallboardApp
    from wallboard.ui.screens.agents import AgentsScreen
    from wallboard.ui.screens.alerts import AlertsScreen
    from wallboard.ui.screens.board import BoardScreen
    from wallboard.ui.screens.call_log import CallLogScreen
    from wallboard.ui.screens.help import HelpScreen
    from wallboard.ui.screens.listen_confirm import ListenConfirmScreen
    from wallboard.ui.screens.managers import ManagersScreen
    from wallboard.ui.screens.pause_confirm import PauseConfirmScreen
    from wallboard.ui.screens.picker import PickerScreen
    from wallboard.ui.screens.profile import ProfileScreen
    from wallboard.ui.screens.queues import QueuesScreen

    return _by_id((WallboardApp, BoardScreen, HelpScreen, PickerScreen,
                   ProfileScreen, CallLogScreen, ManagersScreen, ListenConfirmScreen,
                   QueuesScreen, AgentsScreen, PauseConfirmScreen, AlertsScreen))


@cache
def _board_bindings() -> dict[str, Binding]:
    """The app's and the board's bindings, by id: the keys the first frame names, found
    without importing every other screen (about 20 ms of a 5,000-call first paint). They
    come first in :func:`default_bindings` too, so an id found here is the same binding."""
    from wallboard.ui.app import WallboardApp
    from wallboard.ui.screens.board import BoardScreen

    return _by_id((WallboardApp, BoardScreen))


def _by_id(classes: Iterable[type[App[Any] | Screen[Any]]]) -> dict[str, Binding]:
    found: dict[str, Binding] = {}
    for cls in classes:
        for binding in cls.BINDINGS:
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, binding)
    return found


def _binding(binding_id: str) -> Binding:
    binding = _board_bindings().get(binding_id)
    return binding if binding is not None else default_bindings()[binding_id]


def binding_ids() -> set[str]:
    """Every remappable key's id (config ``[keys]``)."""
    return set(default_bindings())


def key_name(app: App[Any], binding_id: str, keymap: dict[str, str]) -> str:
    """The key that runs ``binding_id`` now, as the footer shows it (``x``, ``^a``, ``esc``).

    ``keymap`` is the config's ``[keys]`` table; a binding with several keys shows its first.
    """
    binding = _binding(binding_id)
    keys = keymap.get(binding_id) or binding.key
    first = keys.split(",")[0].strip()
    display = binding.key_display if binding_id not in keymap else None
    return app.get_key_display(Binding(first, binding.action, key_display=display))


def key_hints(app: App[Any], keymap: dict[str, str],
              hints: Iterable[tuple[str, str]]) -> str:
    """``space toggles · enter applies``: each (binding id, words) with its key; the words
    are given translated."""
    return " · ".join(f"{key_name(app, binding_id, keymap)} {words}"
                      for binding_id, words in hints)


def fill_keys(app: App[Any], keymap: dict[str, str], text: str) -> str:
    """Put the keys into a sentence from ``core``: ``{key:listen.end}`` becomes ``e``."""
    return KEY_PLACEHOLDER.sub(lambda m: key_name(app, m.group(1), keymap), text)


def screen_actions(screen: Screen[object]) -> list[tuple[ActiveBinding, str]]:
    """Each described, enabled action of ``screen`` once, with every key that runs it."""
    app = screen.app
    found: dict[str, tuple[ActiveBinding, list[str]]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or not active.enabled:
            continue
        entry = found.setdefault(binding.action, (active, []))
        key = app.get_key_display(binding)
        if key not in entry[1]:
            entry[1].append(key)
    return [(active, ", ".join(keys)) for active, keys in found.values()]


FOOTER_PRIORITY = (
    "app.help",  # help lists every key, so it is never dropped
    "app.quit",
    "listen.end", "listen.mode", "listen.mute",
    "board.filter_employees", "board.filter_departments", "board.filter_sites",
    "board.clear_filters",
    "board.open_profile", "board.listen", "board.managers",
    "board.queues", "board.agents", "board.alerts", "board.sort_next",
    "board.copy_client", "board.sort_reverse", "board.copy_business",
    "profile.close", "profile.details", "profile.call_log",
    "board.filter_queues",
    "queues.close", "queues.window", "queues.agents",
    "agents.close", "agents.pause", "agents.profile", "agents.filter_queues",
    "agents.filter_sites",
    "alerts.close", "alerts.acknowledge",
)
"""Which keys the footer keeps when not all fit, most important first; the others follow
in their declared order."""
