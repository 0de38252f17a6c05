from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wallboard.core.clock import ManualClock
from wallboard.factory import create_frozen_demo_app

FROZEN = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def demo_app(calls: int = 24, seed: int = 7, **ui):  # type: ignore[no-untyped-def]
    """The demo call center at a frozen time: the same picture every run."""
    return create_frozen_demo_app(FROZEN, seed=seed, calls=calls, **ui)


async def wait_for_calls(pilot, app) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        table = getattr(app.screen, "table", None)
        if app.state.calls and table is not None and table.rows:
            break
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.fixture
def frozen_clock() -> ManualClock:
    return ManualClock(FROZEN)
