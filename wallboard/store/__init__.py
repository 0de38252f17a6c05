"""The history store: a recorder for every source, on SQLite by default and PostgreSQL when
shared (SQLAlchemy Core, one code path). Imported only when a store is opened: SQLAlchemy
costs a fifth of a second to import, which the first frame never pays."""

from __future__ import annotations

from collections.abc import Callable

from wallboard.core.clock import Clock
from wallboard.core.events import Snapshot
from wallboard.store.db import Store, StoreError, default_path
from wallboard.store.recorder import Recorder, run_recorder

__all__ = ["Recorder", "Store", "StoreError", "default_path", "open_recorder", "open_store",
           "run_recorder"]


def open_store(url: str) -> Store:
    """Open (and create or upgrade) the store at ``url``; StoreError says why not."""
    store = Store(url)
    try:
        store.prepare()
    except StoreError:
        store.close()
        raise
    return store


def open_recorder(url: str, clock: Clock, live: Callable[[], Snapshot], *, keep_days: int,
                  notify: Callable[[str, str], None]) -> Recorder:
    return Recorder(open_store(url), clock, live, keep_days=keep_days, notify=notify)
