"""The board's looks that the seeded demo never shows, drawn from the scripted call center
(tests/ui/scripted.py) at fixed sizes with the clock stopped: a late call, the link being
lost, filtered counters with calls waiting, a kiosk department page, a manager on DND, a
board over two sites (its Site column, then filtered to one site)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from tests.ui.conftest import FROZEN, wait_for_calls
from tests.ui.scripted import scripted_app, two_site_app
from tests.ui.test_board import pick
from wallboard.core.events import ConnectionChanged, Link
from wallboard.ui.widgets.topbar import TopBar


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for_calls(pilot, pilot.app)
    await pilot.pause(0.1)


async def _until(pilot, ready: Callable[[], bool]) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        if ready():
            break
        await pilot.pause(0.05)
    assert ready()
    await pilot.pause(0.1)


def test_a_call_waiting_too_long_is_red_with_a_mark(snap_compare):
    # c101 has waited 40 s, past the 30 s warning: its row is red, its wait reads "! 0:40"
    app, _ = scripted_app()
    assert snap_compare(app, terminal_size=(120, 30), run_before=_settle)


def test_the_top_line_while_reconnecting(snap_compare):
    app, source = scripted_app()

    async def lose_the_link(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        source.push(ConnectionChanged(link=Link.RECONNECTING, at=FROZEN,
                                      retry_at=FROZEN + timedelta(seconds=5),
                                      message="connection refused"))
        topbar = pilot.app.board.query_one(TopBar)
        await _until(pilot, lambda: topbar.status_class == "reconnecting")

    assert snap_compare(app, terminal_size=(120, 30), run_before=lose_the_link)


def test_filtered_counters_with_calls_waiting(snap_compare):
    # Sales: 4 calls, 1 waiting (incoming), 3 talking (2 incoming), longest wait 0:25
    async def sales(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pick(pilot, "d", "Sales")
        await pilot.pause(0.1)

    app, _ = scripted_app()
    assert snap_compare(app, terminal_size=(160, 45), run_before=sales)


def test_kiosk_department_page(snap_compare):
    app, _ = scripted_app(kiosk=True, kiosk_pages=["all", "departments"])

    async def next_page(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        pilot.app.screen.next_page()  # what the page timer does: "All calls" -> "Sales"
        await _until(pilot, lambda: pilot.app.screen.page.title == "Sales")

    assert snap_compare(app, terminal_size=(160, 45), run_before=next_page)


def test_managers_list_with_a_manager_on_dnd(snap_compare):
    # Dora Quist: one account on DND, one offline -> DND
    async def managers(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("m")
        await pilot.pause(0.2)

    app, _ = scripted_app()
    assert snap_compare(app, terminal_size=(120, 35), run_before=managers)


def test_a_board_over_two_sites(snap_compare):
    # the Site column after the employee: warsaw, kyiv, kyiv, kyiv, warsaw (oldest first);
    # counters of both sites: 5 calls, 2 waiting (2 incoming), 3 talking, longest 0:20
    app, _ = two_site_app()
    assert snap_compare(app, terminal_size=(160, 45), run_before=_settle)


def test_a_board_over_two_sites_filtered_to_one(snap_compare):
    # warsaw only: c302 (Piotr Wójcik, talking 4:00) and c301 (Anna Nowak, ringing 0:12);
    # counters 2, 1 waiting (1 incoming), 1 talking, longest 0:12; "sites: warsaw"
    async def warsaw(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pick(pilot, "o", "warsaw")
        await pilot.pause(0.1)

    app, _ = two_site_app()
    assert snap_compare(app, terminal_size=(80, 24), run_before=warsaw)
