"""The cyclic garbage collector, set for a process that runs for weeks.

Start-up makes objects that stay (the command line pauses the collector meanwhile and
freezes what it made). Once the first picture is in and drawn, :func:`settle` collects
once, freezes what the app and the first state made too, and lets the young generation
grow to :data:`YOUNG` objects before it is scanned. :func:`paused` keeps the collector
out of a burst of objects that all die when it ends (the recorder's minute of rows).

Why: Textual caches results on a line's strip that include the strip itself (a strip
divided at no cut is its own single part), so every line drawn is a small cycle that only
the collector frees. At the default threshold (700) those strips are scanned while still
on screen, survive into the older generations and bring on full collections. Measured on
the live board (1,000 calls, 20 call events/s, 160x45; gc callbacks over 65 s): 209 ms of
collections with the defaults, 68 ms after :func:`settle` with a young generation of
20,000; in another run, 77 ms at 20,000 against 52 ms at 60,000 (a young generation that
large is scanned when nearly all of it is garbage, and fewer survivors reach the middle
one). 50,000 holds a few megabytes more at its fullest (the board's RSS: 101 MB at 20,000,
102 MB at 50,000).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 50_000
"""Allocations (less deallocations) between two scans of the young generation."""


_settled = False


def settle() -> None:
    """Collect once, freeze what lives now out of later scans, scan the young less often.
    Once per process (later calls do nothing)."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)


@contextmanager
def paused() -> Iterator[None]:
    """No collection during a burst of objects that all die by reference count at its end,
    such as the recorder's table write (a minute of rows, some 14,000 tuples on a busy
    center). Scanned meanwhile, they would be walked, promoted and walked again: 19 passes
    and 9.9 ms of a 76.4 ms write a minute, recording 1,000 calls at 50 events/s
    (benchmarks/store_write.py).

    The collector is the process's: other threads' cycles wait for the burst's end. Nested
    or concurrent pauses are safe: the collector is enabled again only by the pause that
    found it enabled."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
