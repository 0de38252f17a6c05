"""Key bindings: the ids the config's ``[keys]`` table may remap, and the actions a screen
offers (for the help screen and the command palette)."""

from __future__ import annotations

from textual.binding import ActiveBinding, Binding
from textual.screen import Screen


def binding_ids() -> set[str]:
    """Every remappable key's id (config ``[keys]``)."""
    from wallboard.ui.app import WallboardApp
    from wallboard.ui.screens.board import BoardScreen
    from wallboard.ui.screens.call_log import CallLogScreen
    from wallboard.ui.screens.help import HelpScreen
    from wallboard.ui.screens.listen_confirm import ListenConfirmScreen
    from wallboard.ui.screens.managers import ManagersScreen
    from wallboard.ui.screens.picker import PickerScreen
    from wallboard.ui.screens.profile import ProfileScreen

    ids: set[str] = set()
    for cls in (WallboardApp, BoardScreen, HelpScreen, PickerScreen,
                ProfileScreen, CallLogScreen, ManagersScreen, ListenConfirmScreen):
        for binding in cls.BINDINGS:
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


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
