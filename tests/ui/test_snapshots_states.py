"""How the board looks in the states of issue 11: rows and columns that do not fit, a feed
not reached yet, a link that went down. Scripted calls, a frozen clock, fixed sizes."""

from __future__ import annotations

from datetime import timedelta

from tests.support.sources import ScriptedSource
from tests.ui.conftest import FROZEN, wait_for_calls
from tests.ui.test_overflow import ANN, calls
from wallboard.config import Config, UiConfig
from wallboard.core.clock import ManualClock
from wallboard.core.events import ConnectionChanged, Link, Snapshot
from wallboard.factory import create_app

WARSAW = {"timezone": "Europe/Warsaw"}


def scripted(source: ScriptedSource, **ui):  # type: ignore[no-untyped-def]
    return create_app(Config(ui=UiConfig(**WARSAW, **ui)), source=source,
                      clock=ManualClock(FROZEN))


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for_calls(pilot, pilot.app)
    await pilot.pause(0.1)


def test_kiosk_waiting_calls_first_and_more(snap_compare):
    source = ScriptedSource(Snapshot(calls=calls(12, 3), employees=(ANN,)))
    app = scripted(source, kiosk=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_board_more_rows_below_and_hidden_columns(snap_compare):
    source = ScriptedSource(Snapshot(calls=calls(27, 3), employees=(ANN,)))
    assert snap_compare(scripted(source), terminal_size=(80, 24), run_before=_settle)


def test_help_names_the_hidden_columns(snap_compare):
    async def help_open(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.1)

    source = ScriptedSource(Snapshot(calls=calls(5, 1), employees=(ANN,)))
    assert snap_compare(scripted(source), terminal_size=(100, 40), run_before=help_open)


def test_board_connecting_shows_no_figures(snap_compare):
    async def connecting(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause(0.3)
        pilot.app.board.update_view()
        await pilot.pause(0.1)

    source = ScriptedSource(first=[ConnectionChanged(
        link=Link.RECONNECTING, at=FROZEN, retry_at=FROZEN + timedelta(seconds=4),
        message="Cannot reach the feed at http://127.0.0.1:8765: connection refused. "
                "Retrying in 4 s.")])
    assert snap_compare(scripted(source), terminal_size=(100, 24), run_before=connecting)


def test_board_reconnecting_holds_and_fades_its_figures(snap_compare):
    async def link_down(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        app = pilot.app
        app.clock.advance(5)
        source.push(ConnectionChanged(link=Link.RECONNECTING, at=app.clock.now(),
                                      retry_at=app.clock.now() + timedelta(seconds=30),
                                      message="The feed closed the stream."))
        for _ in range(50):
            if app.state.connection.link is Link.RECONNECTING:
                break
            await pilot.pause(0.02)
        app.clock.advance(20)
        app.board.next_frame()
        app.board.update_view()
        await pilot.pause(0.1)

    source = ScriptedSource(Snapshot(calls=calls(4, 2), employees=(ANN,)))
    assert snap_compare(scripted(source), terminal_size=(100, 24), run_before=link_down)


def test_picker_marks_the_chosen_items(snap_compare):
    async def choose(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause(0.1)
        await pilot.press("d", "space", "down", "down", "space", "down")
        await pilot.pause(0.1)

    from tests.ui.conftest import demo_app

    assert snap_compare(demo_app(calls=40), terminal_size=(100, 30), run_before=choose)
