"""``wallboard export`` streams: exporting 100,000 calls (18 MB of CSV) needs no more memory
than exporting a thousand. Measured as the real command's peak resident size (``wait4``),
which also sees what the database driver buffers outside Python: a PostgreSQL export
without a server-side cursor holds the whole result in libpq (+37 MB here) although
Python's own allocations stay flat."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import Connection, insert

from tests.store.cli import ROOT
from wallboard.store import open_store, schema

CALLS = 100_000
START = 1_796_000_000_000_000
"""2026-11-30 00:53:20 UTC, in µs; a call every 10 s from there."""
pytestmark = pytest.mark.slow


def fill(store_url: str) -> None:
    def work(connection: Connection) -> None:
        rows = []
        for i in range(CALLS):
            created = START + i * 10_000_000
            rows.append({
                "id": f"call-{i:07d}", "type": "incoming", "status": "talking",
                "employee_id": f"e{i % 50}", "client_number": "+48 501 234 567",
                "business_number": "+48 22 100 20 30", "routing_scheme": "Main line",
                "queue_id": None, "project": "default", "created_us": created,
                "answered_us": created + 5_000_000, "ended_us": created + 60_000_000,
                "recording_url": None, "origin": "live"})
            if len(rows) == 5000:
                connection.execute(insert(schema.calls), rows)
                rows = []

    store = open_store(store_url)
    try:
        store.run(work)
    finally:
        store.close()


def export_peak(store_url: str, end: str) -> tuple[int, int, int]:
    """(bytes written, lines, peak resident kB) of one real export to a pipe."""
    process = subprocess.Popen(
        [sys.executable, "-m", "wallboard", "export", "calls", "--from", "2026-11-30T00:00Z",
         "--to", end, "--store", store_url], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert process.stdout is not None
    size = lines = 0
    while chunk := process.stdout.read(1 << 16):
        size += len(chunk)
        lines += chunk.count(b"\n")
    _, status, usage = os.wait4(process.pid, 0)
    assert status == 0
    return size, lines, usage.ru_maxrss


def test_a_large_export_keeps_memory_flat(store_url: str):
    fill(store_url)
    small_size, small_lines, small_peak = export_peak(store_url, "2026-11-30T03:40Z")
    size, lines, peak = export_peak(store_url, "2027-01-30")
    assert (small_lines, lines) == (1_000 + 1, CALLS + 1)  # a header and every call
    assert size > 15_000_000
    growth = (peak - small_peak) * 1024
    assert growth < size / 6, (
        f"exporting {size:,} bytes grew the peak by {growth:,} bytes "
        f"({small_peak:,} kB -> {peak:,} kB)")
