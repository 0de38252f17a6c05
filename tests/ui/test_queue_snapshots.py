"""The queues screen, the agents grid and the kiosk's queue and agent pages, at fixed sizes
with a frozen clock and a seeded demo (the queues strip is in the board's own snapshots,
test_snapshots.py, at 80x24, 120x35, 160x45 and 200x60)."""

from __future__ import annotations

import pytest

from tests.ui.conftest import demo_app, wait_for_calls
from wallboard.ui.widgets.agents_grid import AgentsGrid

SIZES = [(80, 24), (160, 45), (200, 60)]
AGENT_SIZES = [(80, 24, 40), (160, 45, 48), (200, 60, 160)]
"""The 48-call demo has 63 agents, the 160-call one 208."""


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for_calls(pilot, pilot.app)
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_queues_screen(snap_compare, size):
    async def open_queues(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("Q", "down", "down")  # the third queue's every figure below
        await pilot.pause(0.1)

    assert snap_compare(demo_app(calls=40), terminal_size=size, run_before=open_queues)


@pytest.mark.parametrize(("width", "height", "calls"), AGENT_SIZES,
                         ids=[f"{w}x{h}" for w, h, _ in AGENT_SIZES])
def test_agents_grid(snap_compare, width, height, calls):
    async def open_agents(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("a")
        await pilot.pause(0.1)
        grid = pilot.app.screen.query_one(AgentsGrid)
        if width >= 160:  # every agent on one screen: 60+ at 160x45, 200+ at 200x60
            assert len(grid.rows) >= (200 if width == 200 else 60)
            assert grid.lines_needed <= grid.size.height
        await pilot.press("right", "down")
        await pilot.pause(0.1)

    assert snap_compare(demo_app(calls=calls), terminal_size=(width, height),
                        run_before=open_agents)


def test_agents_grid_filtered_by_queue(snap_compare):
    async def filter_queue(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("a", "k", *"Billing", "space", "enter")
        await pilot.pause(0.2)

    assert snap_compare(demo_app(calls=40), terminal_size=(120, 35), run_before=filter_queue)


@pytest.mark.parametrize("page", ["queues", "agents"])
def test_kiosk_page(snap_compare, page):
    app = demo_app(calls=40, kiosk=True, kiosk_pages=[page])
    assert snap_compare(app, terminal_size=(160, 45), run_before=_settle)
