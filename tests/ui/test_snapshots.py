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
