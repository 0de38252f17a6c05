"""Regenerate screenshots/*.svg from the frozen, seeded demo: `python scripts/screenshots.py`."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wallboard.factory import create_frozen_demo_app  # noqa: E402

AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
OUT = ROOT / "screenshots"

# name, terminal size, keys to press after the board has its calls
SHOTS: list[tuple[str, tuple[int, int], list[str], dict]] = [
    ("board-160x45", (160, 45), [], {"calls": 40}),
    ("board-80x24", (80, 24), [], {"calls": 40}),
    ("board-filtered", (160, 45), ["d", *"Sales", "space", "enter"], {"calls": 40}),
    ("employee-picker", (120, 35), ["slash", *"an"], {"calls": 40}),
    ("help", (120, 35), ["question_mark"], {"calls": 40}),
    ("kiosk-160x45", (160, 45), [], {"calls": 40, "kiosk": True}),
    ("kiosk-80x24", (80, 24), [], {"calls": 40, "kiosk": True}),
    ("profile-160x45", (160, 45), ["p", "WAIT", "3"], {"calls": 40}),
    ("profile-80x24", (80, 24), ["p", "WAIT", "3"], {"calls": 40}),
    ("profile-details", (160, 45), ["p", "WAIT", "3", "up", "t", *["down"] * 4], {"calls": 40}),
    ("call-log", (160, 45), ["p", "WAIT", "2", "g", "WAIT"], {"calls": 40}),
    ("managers", (120, 35), ["m", *"ann"], {"calls": 40}),
    # listen: the first row of the seeded demo is a long talking call
    ("listen-confirm", (120, 35), ["home", "l"], {"calls": 40, "mask_numbers": True}),
    ("listen-session", (120, 35), ["home", "l", "down", "enter", "+2", "+40", "u"],
     {"calls": 40, "mask_numbers": True}),
    # queues, agents and alerts (docs/queues.md)
    ("queues-160x45", (160, 45), ["Q", "down", "down"], {"calls": 40}),
    ("agents-160x45", (160, 45), ["a"], {"calls": 48}),
    ("agents-200x60", (200, 60), ["a"], {"calls": 160}),
    ("kiosk-queues", (160, 45), [], {"calls": 40, "kiosk": True, "kiosk_pages": ["queues"]}),
    ("kiosk-agents", (160, 45), [], {"calls": 40, "kiosk": True, "kiosk_pages": ["agents"]}),
    # two queues with callers and nobody free (critical), a wait over 30 s (warning); the
    # first acknowledged
    ("alerts", (120, 35), ["ALERTS", "exclamation_mark", "enter", "CLEAR"],
     {"calls": 40, "alerts": [{"metric": "waiting_no_agent", "critical": 1},
                              {"metric": "longest_wait", "warning": 30, "critical": 60}]}),
    ("pause-confirm", (120, 35), ["a", "right", "right", "P"], {"calls": 40}),
    # the queues screen and the agents grid in Polish and Ukrainian (docs/i18n.md)
    ("queues-pl-120x35", (120, 35), ["Q", "down", "down"], {"calls": 40, "language": "pl"}),
    ("agents-uk-120x35", (120, 35), ["a"], {"calls": 40, "language": "uk"}),
]


async def shoot(name: str, size: tuple[int, int], keys: list[str], options: dict) -> None:
    app = create_frozen_demo_app(AT, **options)
    async with app.run_test(size=size) as pilot:
        for _ in range(100):
            if app.state.calls:
                break
            await pilot.pause(0.02)
        await pilot.pause(0.1)
        for key in keys:
            if key == "WAIT":  # let a worker (history, call log) deliver first
                await pilot.pause(0.3)
            elif key == "ALERTS":  # the alert desk judged its rules (once a second)
                for _ in range(100):
                    if app.service.alerts.engine.active:
                        break
                    await pilot.pause(0.05)
                await pilot.pause(0.1)
            elif key == "CLEAR":  # the toasts of the alerts fired
                app.clear_notifications()
                await pilot.pause(0.1)
            elif key.startswith("+"):  # "+N": the frozen clock moves N seconds on
                app.clock.advance(float(key[1:]))
                await pilot.pause(0.5)
            else:
                await pilot.press(key)
                await pilot.pause(0.05)
        if keys:
            if hasattr(app.screen, "update_view"):  # draw now, durations included, at the
                app.screen.next_frame()  # frozen clock (a tick may or may not have read it)
                app.screen.update_view()
                app.screen.tick()
            await pilot.pause(0.2)
            await pilot.wait_for_scheduled_animations()
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    print(f"screenshots/{name}.svg")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    for shot in SHOTS:
        await shoot(*shot)


if __name__ == "__main__":
    asyncio.run(main())
