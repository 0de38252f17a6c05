"""Joining a call, as it looks: the confirmation and the running session's bar."""

from __future__ import annotations

from tests.ui.conftest import demo_app, wait_for_calls
from tests.ui.listen_helpers import advance, select_row, settle, talking_row, until


async def _on_a_talking_call(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for_calls(pilot, pilot.app)
    await select_row(pilot, talking_row(pilot.app))


async def _without_toasts(pilot) -> None:  # type: ignore[no-untyped-def]
    """Toasts expire in real time: whether one is still up is a race, so none is shown."""
    pilot.app.clear_notifications()
    await pilot.pause()


def test_listen_confirmation(snap_compare):
    async def confirm(pilot) -> None:  # type: ignore[no-untyped-def]
        await _on_a_talking_call(pilot)
        await pilot.press("l")
        await pilot.pause(0.1)

    app = demo_app(calls=40, mask_numbers=True)
    assert snap_compare(app, terminal_size=(120, 35), run_before=confirm)


def test_listen_session_bar_coaching_muted(snap_compare):
    async def coach(pilot) -> None:  # type: ignore[no-untyped-def]
        await _on_a_talking_call(pilot)
        app = pilot.app
        await pilot.press("l", "down", "enter")
        await until(pilot, app.state.active_listen)
        await advance(pilot, app, 2)
        await until(pilot, lambda: app.state.active_listen().state.value == "active")
        await advance(pilot, app, 40)
        await pilot.press("u")
        await until(pilot, lambda: app.state.active_listen().muted)
        await settle(pilot, app)
        await _without_toasts(pilot)

    app = demo_app(calls=40, mask_numbers=True)
    assert snap_compare(app, terminal_size=(120, 35), run_before=coach)


def test_listen_session_bar_after_the_call_ended(snap_compare):
    async def ended(pilot) -> None:  # type: ignore[no-untyped-def]
        await _on_a_talking_call(pilot)
        app = pilot.app
        call = app.board.table.cursor_call
        await pilot.press("l", "enter")
        await until(pilot, app.state.active_listen)
        await advance(pilot, app, 2)
        await until(pilot, lambda: app.state.active_listen().state.value == "active")
        center = app.source.center
        center.schedule(center.now, "hangup", call.id)
        await advance(pilot, app, 1)
        await until(pilot, lambda: app.state.active_listen() is None)
        await settle(pilot, app)
        await _without_toasts(pilot)

    assert snap_compare(demo_app(calls=40), terminal_size=(80, 24), run_before=ended)
