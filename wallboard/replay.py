"""``wallboard replay``: a recorded period played back on the real board.

The times given are local (``ui.timezone``, else the system's) unless they carry a zone;
the store is ``--store``, else the config's ``[store] url`` (``auto``: the user data
directory's file). A period outside the recording, or no recording at all, is one sentence
and exit 2.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from wallboard.config import Config
from wallboard.core.clock import SPEEDS, ReplayClock


def parse_moment(text: str, zone: tzinfo | None, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a time like 2026-11-30T08:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone) if zone else moment.astimezone()
    return moment


def replay_store(config: Config, store: str | None) -> str:
    url = (store or config.store.url).strip()
    if url in ("auto", "off", "memory"):
        from wallboard.store import default_path

        return str(default_path())
    return url


def replay_main(config: Config, *, start: str, end: str | None, speed: float, store: str | None,
                run: Callable[[Any], Coroutine[Any, Any, None]]) -> int:
    zone = ZoneInfo(config.ui.timezone) if config.ui.timezone else None
    url = replay_store(config, store)
    try:
        first = parse_moment(start, zone, "--from")
        last = parse_moment(end, zone, "--to") if end else None
        if not 0 < speed <= SPEEDS[-1]:
            raise ValueError(f"--speed must be above 0 and at most {SPEEDS[-1]:g}")
        recorded = _recorded(url)
    except ValueError as exc:
        print(f"wallboard replay: {exc}.", file=sys.stderr)
        return 2
    if recorded is None:
        print(f"wallboard replay: nothing is recorded in {url}; run the board or "
              "`wallboard serve` with a [store] first.", file=sys.stderr)
        return 2
    begins, ends = recorded
    last = min(last or ends, ends)
    if first >= ends or last <= max(first, begins):
        shown = (f"{begins.astimezone(zone):%Y-%m-%d %H:%M:%S} – "
                 f"{ends.astimezone(zone):%Y-%m-%d %H:%M:%S}")
        print(f"wallboard replay: the recording covers {shown}; ask for a period that "
              "overlaps it (--from before --to).", file=sys.stderr)
        return 2
    first = max(first, begins)  # nothing was recorded before
    from wallboard.factory import create_app
    from wallboard.sources.replay import ReplaySource

    clock = ReplayClock(first, last, speed=speed)
    settings = config.model_copy(update={
        "ui": config.ui.model_copy(update={"read_only": True}),
        "store": config.store.model_copy(update={"url": "off"})})
    app = create_app(settings, source=ReplaySource(url, clock), clock=clock, replay=clock)
    asyncio.run(run(app))
    return app.return_code or 0


def _recorded(url: str) -> tuple[datetime, datetime] | None:
    """The recorded span, or None; a store that cannot be opened raises ValueError."""
    from wallboard.store import StoreError, open_store, queries

    if "://" not in url and not Path(url).expanduser().exists():
        return None
    try:
        store = open_store(url)
    except StoreError as exc:
        raise ValueError(str(exc).rstrip(".")) from None
    try:
        return store.run(queries.recorded_range)
    finally:
        store.close()
