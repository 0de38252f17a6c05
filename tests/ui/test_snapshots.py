"""The board's appearance, at fixed sizes, with a frozen clock and a seeded demo."""

from __future__ import annotations

import pytest

from tests.ui.conftest import demo_app, wait_for_calls


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for_calls(pilot, pilot.app)
    await pilot.pause(0.1)


SIZES = [(80, 24), (120, 35), (160, 45), (200, 60)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_main_screen(snap_compare, size):
    assert snap_compare(demo_app(calls=40), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_kiosk_screen(snap_compare, size):
    app = demo_app(calls=40, kiosk=True, kiosk_pages=["all", "departments"])
    assert snap_compare(app, terminal_size=size, run_before=_settle)


def test_main_screen_filtered_by_department(snap_compare):
    async def filter_sales(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("d", *"Sales", "space", "enter")
        await pilot.pause(0.1)

    assert snap_compare(demo_app(calls=40), terminal_size=(160, 45), run_before=filter_sales)


def test_employee_picker(snap_compare):
    async def open_picker(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("slash", *"an")
        await pilot.pause(0.1)

    app = demo_app(calls=40)
    assert snap_compare(app, terminal_size=(120, 35), run_before=open_picker)


# -- manager profile (SPEC 4) --------------------------------------------------------------
async def _open_profile(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    await _settle(pilot)
    await pilot.press("p")
    screen = pilot.app.screen
    for _ in range(100):
        if getattr(screen, "profile", None) is not None:
            break
        await pilot.pause(0.02)
    if keys:
        await pilot.press(*keys)
    await pilot.pause(0.1)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_profile_panel(snap_compare, size):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_profile(pilot, "3")

    assert snap_compare(demo_app(calls=40), terminal_size=size, run_before=run_before)


def test_profile_panel_interval_details(snap_compare):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_profile(pilot, "3", "up", "t", *["down"] * 4)

    assert snap_compare(demo_app(calls=40), terminal_size=(160, 45), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_call_log(snap_compare, size):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_profile(pilot, "2", "g")
        for _ in range(100):
            if getattr(pilot.app.screen, "calls", None):
                break
            await pilot.pause(0.02)
        await pilot.pause(0.1)

    assert snap_compare(demo_app(calls=40), terminal_size=size, run_before=run_before)
