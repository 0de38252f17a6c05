"""The collector is set for the long run once: what lives is frozen out of later scans and
the young generation is scanned every 50,000 allocations. In a process of its own, not to
change the test run's collector."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc
import weakref
from wallboard.heap import settle

class Node:
    pass

kept = [Node() for _ in range(1000)]
loop = Node(); loop.me = loop; cycle = weakref.ref(loop); del loop  # only the collector frees it
assert gc.get_freeze_count() == 0 and gc.get_threshold()[0] == 700
settle()
frozen = gc.get_freeze_count()
print(gc.get_threshold(), frozen >= 1000, cycle() is None,
      sum(isinstance(o, Node) for o in gc.get_objects()))
settle()  # once per process
print(gc.get_freeze_count() == frozen)
"""


def test_settle_freezes_what_lives_and_scans_the_young_less_often():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    # the cycle was collected, not frozen; the kept nodes left the scanned generations
    assert out == ["(50000, 10, 10) True True 0", "True"]


def test_paused_holds_off_collections_and_gives_back_the_collector_as_it_found_it():
    import gc

    from wallboard.heap import paused

    started: list[int] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(watch)
    try:
        with paused():
            with paused():  # nested: the inner pause leaves the collector off
                pass
            assert not gc.isenabled()
            burst = [[n] for n in range(50_000)]  # 70 young scans' worth at the threshold
            del burst
        assert started == [] and gc.isenabled()
        gc.disable()
        with paused():  # found off: left off
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.callbacks.remove(watch)
