"""The demo's set-up is built with the collector paused, and what it made is filed with the
old objects at once (wallboard/sources/demo/alloc.py). In a process of its own: the test
run's collector has frozen objects of its own."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc
from wallboard.sources.demo.alloc import bulk_allocation

passes = []
gc.callbacks.append(lambda phase, info: passes.append(info["generation"])
                    if phase == "start" else None)
assert gc.isenabled() and gc.get_freeze_count() == 0
with bulk_allocation():
    made = [[n] for n in range(20_000)]
oldest = {id(o) for o in gc.get_objects(generation=2)}
print(passes == [], gc.isenabled(), gc.get_freeze_count(), all(id(m) in oldest for m in made))
gc.disable()
with bulk_allocation():  # the caller paused the collector: it stays paused, nothing filed
    more = [[n] for n in range(100)]
print(gc.isenabled(), gc.get_freeze_count())
"""


def test_the_set_up_s_objects_go_straight_to_the_oldest_generation():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "True True 0 True"  # no pass meanwhile; enabled again; filed old
    assert out[1] == "False 0"
