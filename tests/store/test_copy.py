"""``wallboard store copy``: a recorded history moved from SQLite to PostgreSQL (and back)
in one command; the recorder carries on in the new store."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, update

from tests.store.cli import wallboard
from tests.store.test_export import CALLS_CSV, STATUSES, record_the_period, warsaw
from tests.store.test_recorder import T0, S, anna, running
from tests.support.postgres import fresh_database
from wallboard.core.clock import ManualClock
from wallboard.core.events import AccountStatusChanged, Snapshot
from wallboard.core.models import AgentStatus
from wallboard.store import open_store, schema
from wallboard.store.db import describe

O, T, U = AgentStatus.ONLINE, AgentStatus.TALKING, AgentStatus.UNKNOWN
T1 = T0 + timedelta(hours=2)
_names = itertools.count(1)


def the_other_backend(store_url: str, tmp_path: Path, postgres: str) -> str:
    if store_url.startswith("postgresql"):
        return str(tmp_path / "copied.sqlite3")
    return fresh_database(postgres, f"copy{next(_names)}")


async def test_a_history_copied_to_the_other_backend_is_the_same_and_goes_on(
        store_url: str, postgres: str, tmp_path: Path):
    await record_the_period(store_url)
    target = the_other_backend(store_url, tmp_path, postgres)

    done = wallboard("store", "copy", "--from", store_url, "--to", target)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert done.stderr == (
        "Copied 3 calls, 7 call changes, 4 status intervals, 1 manager, 0 listen sessions "
        f"from {describe(store_url)} to {describe(target)}.\n")

    period = ("--from", "2026-11-30", "--to", "2026-12-01", "--store", target)
    config = warsaw(tmp_path)
    assert wallboard("export", "calls", *period, config=config).stdout == CALLS_CSV
    statuses = wallboard("export", "statuses", *period, "--format", "jsonl", config=config)
    assert [json.loads(line) for line in statuses.stdout.splitlines()] == STATUSES

    # new rows get new ids at once (PostgreSQL's sequences were moved past the copied ones;
    # without that, each insert fails until failed attempts have used up the copied ids)
    store = open_store(target)
    try:
        ids = store.run(lambda c: (
            c.execute(insert(schema.statuses).values(employee_id="x", account_id="x",
                                                     status="online", start_us=0)
                      ).inserted_primary_key[0],
            c.execute(insert(schema.call_changes).values(call_id="x", at_us=0, change="created")
                      ).inserted_primary_key[0]))
    finally:
        store.close()
    assert ids == (5, 8)

    # the recorder starts on the copy: the time since the old one stopped is unknown
    clock = ManualClock(T1)
    async with running(target, clock, Snapshot(employees=(anna(),))) as run:
        await run.at(T1 + 60 * S, AccountStatusChanged(
            employee_id="e1", account_id="PJSIP/1001", status=T, at=T1 + 60 * S))
        await run.at(T1 + 90 * S)
        assert await run.timeline("PJSIP/1001", T0, T1 + 90 * S) == [
            (O, T0, T0 + 20 * S), (T, T0 + 20 * S, T0 + 217 * S), (O, T0 + 217 * S, T0 + 404 * S),
            (U, T0 + 404 * S, T1), (O, T1, T1 + 60 * S), (T, T1 + 60 * S, T1 + 90 * S)]


async def test_a_copy_is_refused_while_recording_or_into_a_used_store(
        store_url: str, postgres: str, tmp_path: Path):
    await record_the_period(store_url)
    target = the_other_backend(store_url, tmp_path, postgres)
    assert wallboard("store", "copy", "--from", store_url, "--to", target).returncode == 0

    again = wallboard("store", "copy", "--from", store_url, "--to", target)
    assert (again.returncode, again.stderr) == (2, (
        f"wallboard store: {describe(target)} already holds a history; copy into an empty "
        "store.\n"))

    store = open_store(store_url)  # a recorder writes it now
    try:
        store.run(lambda c: c.execute(update(schema.lock).values(
            owner="pbx-board:4242:0abc1234", heartbeat_us=schema.us(datetime.now(UTC)))))
        if store.journal is not None:  # a SQLite file's recorder holds its journal's lock
            assert store.journal.lead()
        busy = wallboard("store", "copy", "--from", store_url, "--to", str(tmp_path / "new.db"))
    finally:
        store.close()
    assert (busy.returncode, busy.stderr) == (2, (
        f"wallboard store: A recorder is writing {describe(store_url)} now "
        "(pbx-board:4242:0abc1234); stop wallboard serve (or the board) before copying its "
        "history.\n"))
    assert not (tmp_path / "new.db").exists() or _empty(str(tmp_path / "new.db"))

    missing = tmp_path / "missing.sqlite3"
    cases = [
        (("--from", str(missing), "--to", target),
         f"There is no history store at {missing}."),
        (("--from", store_url, "--to", f" {store_url}"), "--from and --to name the same store."),
    ]
    for args, said in cases:
        result = wallboard("store", "copy", *args)
        assert (result.returncode, result.stderr) == (2, f"wallboard store: {said}\n"), args


def _empty(url: str) -> bool:
    store = open_store(url)
    try:
        return not store.run(lambda c: c.execute(schema.calls.select()).first())
    finally:
        store.close()
