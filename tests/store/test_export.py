"""``wallboard export``: a scripted recorded period comes out as literal CSV and JSON lines,
on SQLite and PostgreSQL, through the real command."""

from __future__ import annotations

import json
from pathlib import Path

from tests.store.cli import wallboard
from tests.store.test_recorder import T0, S, anna, call, running
from wallboard.core.clock import ManualClock
from wallboard.core.events import AccountStatusChanged, CallEnded, CallUpserted, Snapshot
from wallboard.core.models import AgentStatus, CallStatus

CALLS_CSV = """\
id,employee_id,employee_name,type,outcome,client_number,business_number,routing_scheme,\
queue_id,started_at,answered_at,ended_at,ring_seconds,talk_seconds,origin,recording_url
c1,e1,Anna Nowak,incoming,answered,+48 501 234 567,+48 22 100 20 30,Main line,,\
2026-11-30T08:59:50.000+01:00,2026-11-30T09:00:20.000+01:00,2026-11-30T09:03:37.000+01:00,\
30.0,197.0,live,
c2,e1,Anna Nowak,incoming,missed,+48 501 234 567,+48 22 100 20 30,Main line,,\
2026-11-30T09:05:00.000+01:00,,2026-11-30T09:05:09.500+01:00,9.5,0.0,live,
c3,e1,Anna Nowak,incoming,short,+48 501 234 567,+48 22 100 20 30,Main line,,\
2026-11-30T09:06:40.000+01:00,,2026-11-30T09:06:44.000+01:00,4.0,0.0,live,
"""

STATUSES = [
    {"employee_id": "e1", "employee_name": "Anna Nowak", "account_id": "PJSIP/1001",
     "status": "online", "start": "2026-11-30T09:00:00.000+01:00",
     "end": "2026-11-30T09:00:20.000+01:00", "seconds": 20.0},
    {"employee_id": "e1", "employee_name": "Anna Nowak", "account_id": "PJSIP/1002",
     "status": "offline", "start": "2026-11-30T09:00:00.000+01:00", "end": None,
     "seconds": None},
    {"employee_id": "e1", "employee_name": "Anna Nowak", "account_id": "PJSIP/1001",
     "status": "talking", "start": "2026-11-30T09:00:20.000+01:00",
     "end": "2026-11-30T09:03:37.000+01:00", "seconds": 197.0},
    {"employee_id": "e1", "employee_name": "Anna Nowak", "account_id": "PJSIP/1001",
     "status": "online", "start": "2026-11-30T09:03:37.000+01:00", "end": None,
     "seconds": None},
]


async def record_the_period(store_url: str) -> None:
    """Three calls of Anna's (answered, missed after 9.5 s, a 4 s short ring) and her two
    accounts' statuses, recorded by the real service from 08:00 UTC (09:00 in Warsaw)."""
    clock = ManualClock(T0)
    async with running(store_url, clock, Snapshot(calls=(call("c1"),),
                                                  employees=(anna(),))) as run:
        await run.at(T0 + 20 * S,
                     CallUpserted(call=call("c1", CallStatus.TALKING, T0 + 20 * S, revision=1)),
                     AccountStatusChanged(employee_id="e1", account_id="PJSIP/1001",
                                          status=AgentStatus.TALKING, at=T0 + 20 * S))
        await run.at(T0 + 217 * S, CallEnded(call_id="c1", at=T0 + 217 * S),
                     AccountStatusChanged(employee_id="e1", account_id="PJSIP/1001",
                                          status=AgentStatus.ONLINE, at=T0 + 217 * S))
        await run.at(T0 + 300 * S, CallUpserted(call=call("c2", created=T0 + 300 * S)))
        await run.at(T0 + 309.5 * S, CallEnded(call_id="c2", at=T0 + 309.5 * S))
        await run.at(T0 + 400 * S, CallUpserted(call=call("c3", created=T0 + 400 * S)))
        await run.at(T0 + 404 * S, CallEnded(call_id="c3", at=T0 + 404 * S))


def warsaw(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text('[ui]\ntimezone = "Europe/Warsaw"\n')
    return config


async def test_a_recorded_period_exports_as_literal_rows(store_url: str, tmp_path: Path):
    await record_the_period(store_url)
    config = warsaw(tmp_path)
    period = ("--from", "2026-11-30", "--to", "2026-12-01", "--store", store_url)

    calls = wallboard("export", "calls", *period, config=config)
    assert (calls.returncode, calls.stderr) == (0, "")
    assert calls.stdout == CALLS_CSV

    statuses = wallboard("export", "statuses", *period, "--format", "jsonl", config=config)
    assert statuses.returncode == 0, statuses.stderr
    assert [json.loads(line) for line in statuses.stdout.splitlines()] == STATUSES

    # the period cuts by start (calls) and by overlap (statuses): 09:03:40 to 09:06:00
    # local holds the missed call and the interval still open
    window = ("--from", "2026-11-30T09:03:40", "--to", "2026-11-30T09:06", "--store", store_url)
    calls = wallboard("export", "calls", *window, "--format", "jsonl", config=config)
    assert [json.loads(line)["id"] for line in calls.stdout.splitlines()] == ["c2"]
    statuses = wallboard("export", "statuses", *window, config=config)
    assert statuses.stdout.splitlines() == [
        "employee_id,employee_name,account_id,status,start,end,seconds",
        "e1,Anna Nowak,PJSIP/1002,offline,2026-11-30T09:00:00.000+01:00,,",
        "e1,Anna Nowak,PJSIP/1001,online,2026-11-30T09:03:37.000+01:00,,"]

    # one manager, into a file
    out = tmp_path / "anna.csv"
    done = wallboard("export", "calls", *period, "--employee", "e1", "--output", str(out),
                     config=config)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == f"Exported 3 calls to {out}.\n"
    assert out.read_text() == CALLS_CSV
    nobody = wallboard("export", "calls", *period, "--employee", "e9", config=config)
    assert nobody.stdout == CALLS_CSV.splitlines(keepends=True)[0]


def test_bad_export_requests_are_one_line_and_exit_2(tmp_path: Path):
    config = warsaw(tmp_path)
    missing = tmp_path / "none.sqlite3"
    cases = [
        (("export", "calls", "--from", "2026-11-30", "--store", str(missing)),
         f"wallboard export: There is no history store at {missing}.\n"),
        (("export", "calls", "--from", "30.11.2026", "--store", str(missing)),
         "wallboard export: --from 30.11.2026: not a date; use 2026-11-30 or "
         "2026-11-30T08:00 (local time), or add an offset.\n"),
        (("export", "calls", "--from", "2026-12-01", "--to", "2026-11-30"),
         "wallboard export: --to 2026-11-30 must be after --from 2026-12-01.\n"),
        (("export", "calls", "--from", "2026-11-30"),
         "wallboard export: The demo keeps its history in memory only; name a store with "
         "--store URL.\n"),
        (("export", "calls", "--from", "2026-11-30", "--store",
          "postgresql://wallboard:s3cret-pass@127.0.0.1:1/history"),
         "wallboard export: Cannot open the history store postgresql://127.0.0.1:1/history: "
         "connection failed: connection to server at \"127.0.0.1\", port 1 failed: "
         "Connection refused.\n"),
    ]
    for args, said in cases:
        result = wallboard(*args, config=config)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", said), args
    bad = wallboard("export", "calls", "--from", "2026-11-30", "--format", "xml")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("wallboard export: argument --format: invalid choice: 'xml'")
