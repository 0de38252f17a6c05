"""The demo's set-up is built with the collector paused, and what it made is filed with the
old objects at once (wallboard/sources/demo/alloc.py)."""

from __future__ import annotations

import gc

from wallboard.sources.demo.alloc import bulk_allocation


def test_what_the_set_up_made_goes_straight_to_the_oldest_generation():
    assert gc.isenabled() and gc.get_freeze_count() == 0
    passes: list[int] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(watch)
    try:
        with bulk_allocation():
            made = [[n] for n in range(20_000)]
        assert passes == [] and gc.isenabled() and gc.get_freeze_count() == 0
        oldest = {id(o) for o in gc.get_objects(generation=2)}
        assert all(id(item) in oldest for item in made)
    finally:
        gc.callbacks.remove(watch)


def test_a_caller_that_paused_the_collector_keeps_it_paused():
    gc.disable()
    try:
        with bulk_allocation():
            pass
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
