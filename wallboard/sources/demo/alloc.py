"""Building the demo's tens of thousands of long-lived objects without the garbage
collector walking them again and again."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from wallboard.heap import paused


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of long-lived objects are
    made, then file them straight with the old ones.

    Nothing built here is garbage, so a collection during the set-up would be wasted work;
    and once it is done, the objects will live as long as the demo, so walking them twice
    as young objects (about 20 ms for a 5,000-call demo) would be wasted too:
    ``gc.freeze()`` then ``gc.unfreeze()`` moves every tracked object into the oldest
    generation, which only full collections look at. A caller that paused the collector
    itself (the command line does, and freezes what start-up made) or froze objects of its
    own is left to do as it planned.
    """
    filing = gc.isenabled()  # else the caller paused the collector and has its own plan
    with paused():
        try:
            yield
        finally:
            if filing and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
