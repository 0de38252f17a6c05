"""The alert desk with a real hook program: the alert as JSON on stdin, no shell, at most
``per_minute`` runs a minute."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wallboard.core.alerts import AlertEngine, AlertRule, Metric
from wallboard.core.clock import ManualClock
from wallboard.core.events import Snapshot
from wallboard.core.models import Call, CallStatus, CallType
from wallboard.core.queues import Queue
from wallboard.core.state import LiveState
from wallboard.service.alerts import AlertDesk, HookSettings

T0 = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
HOOK = """\
import json, sys
payload = json.load(sys.stdin)
with open(sys.argv[1], "a") as out:
    out.write(json.dumps({"argv": sys.argv[2:], "payload": payload}) + "\\n")
"""


def waiting_in(*queue_ids: str) -> LiveState:
    state = LiveState()
    calls = tuple(Call(id=f"c-{q}", type=CallType.INCOMING, status=CallStatus.RINGING,
                       created_at=T0, queue_id=q) for q in queue_ids)
    state.apply(Snapshot(queues=tuple(Queue(id=q, name=q.title()) for q in queue_ids),
                         calls=calls, at=T0))
    return state


async def wait_lines(path: Path, count: int) -> list[dict]:
    for _ in range(200):
        if path.exists() and len(path.read_text().splitlines()) >= count:
            break
        await asyncio.sleep(0.05)
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_the_hook_gets_the_alert_as_json_with_its_arguments_untouched(tmp_path):
    script, out = tmp_path / "hook.py", tmp_path / "hook.jsonl"
    script.write_text(HOOK)
    clock = ManualClock(T0 + timedelta(seconds=65))
    desk = AlertDesk(waiting_in("sales"), clock,
                     AlertEngine([AlertRule("wait", Metric.LONGEST_WAIT, critical=60)]),
                     HookSettings((sys.executable, str(script), str(out), "$(touch pwned)",
                                   "a;b")), title="Demo call center")
    desk.tick()
    (line,) = await wait_lines(out, 1)
    await desk.aclose()
    assert line["argv"] == ["$(touch pwned)", "a;b"]  # no shell ever saw them
    assert not (tmp_path / "pwned").exists()
    payload = line["payload"]
    assert (payload["change"], payload["board"]) == ("fired", "Demo call center")
    alert = payload["alert"]
    assert (alert["id"], alert["metric"], alert["subject"], alert["level"], alert["value"]) == (
        "wait/sales", "longest_wait", "sales", "critical", 65.0)
    assert alert["text"] == "Sales: longest wait 1:05 (critical)"
    assert alert["started_at"] == "2026-03-24T09:01:05+00:00"


async def test_the_hook_runs_at_most_per_minute_times_a_minute(tmp_path):
    script, out = tmp_path / "hook.py", tmp_path / "hook.jsonl"
    script.write_text(HOOK)
    clock = ManualClock(T0 + timedelta(seconds=65))
    desk = AlertDesk(waiting_in("sales", "support", "billing"), clock,
                     AlertEngine([AlertRule("wait", Metric.LONGEST_WAIT, critical=60)]),
                     HookSettings((sys.executable, str(script), str(out)), per_minute=2))
    changes = desk.tick()
    assert len(changes) == 3
    lines = await wait_lines(out, 2)
    await desk.aclose()
    await asyncio.sleep(0.3)
    assert len(out.read_text().splitlines()) == 2 and desk.hook_skipped == 1
    # in the queues' order: the third (billing) was skipped
    assert sorted(line["payload"]["alert"]["subject"] for line in lines) == ["sales", "support"]


async def test_a_missing_hook_program_is_logged_and_the_alerts_go_on(tmp_path, caplog):
    clock = ManualClock(T0 + timedelta(seconds=65))
    desk = AlertDesk(waiting_in("sales"), clock,
                     AlertEngine([AlertRule("wait", Metric.LONGEST_WAIT, critical=60)]),
                     HookSettings((str(tmp_path / "no-such-program"),)))
    assert len(desk.tick()) == 1
    await asyncio.sleep(0.3)
    await desk.aclose()
    assert "could not run" in caplog.text
    assert list(desk.engine.active) == ["wait/sales"]
