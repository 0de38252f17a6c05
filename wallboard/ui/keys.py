"""The ids of every remappable key binding (the config's ``[keys]`` table)."""

from __future__ import annotations

from textual.binding import Binding


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
