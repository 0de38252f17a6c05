"""The listen audit log: one JSON line per step of every session, masked numbers."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

from wallboard.audit import AUDIT_FILE, AuditLog, default_audit_path
from wallboard.core.clock import ManualClock
from wallboard.core.listen import ListenMode, ListenSession, ListenState
from wallboard.core.models import Call, CallStatus, CallType, Employee

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ANNA = Employee(id="e1", name="Anna Nowak", project="demo")
CALL = Call(id="c1", type=CallType.INCOMING, status=CallStatus.TALKING, employee_id="e1",
            client_number="+48 501 234 123", created_at=T0, answered_at=T0)


def lines(path) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_session_from_start_to_the_call_ending(tmp_path):
    clock = ManualClock(T0)
    audit = AuditLog(tmp_path / "audit.jsonl", clock, mask_numbers=True)
    s = ListenSession(id="s1", call_id="c1", employee_id="e1", supervisor="PJSIP/1900",
                      started_at=T0)
    audit.observe(s, CALL, ANNA)
    clock.advance(2)
    s = s.model_copy(update={"state": ListenState.ACTIVE})
    audit.observe(s, CALL, ANNA)
    audit.observe(s, CALL, ANNA)  # a repeat writes nothing
    clock.advance(10)
    s = s.model_copy(update={"mode": ListenMode.COACH})
    audit.observe(s, CALL, ANNA)
    s = s.model_copy(update={"muted": True})
    audit.observe(s, CALL, ANNA)
    ended_at = clock.advance(5)
    s = s.model_copy(update={"state": ListenState.ENDED, "ended_at": ended_at,
                             "message": "The call ended."})
    audit.observe(s, None, None)  # the call is already gone from the board
    audit.observe(s, None, None)  # a late duplicate writes nothing
    got = lines(tmp_path / "audit.jsonl")
    assert [g["event"] for g in got] == ["started", "active", "mode", "muted", "ended"]
    same = {"session": "s1", "supervisor": "PJSIP/1900", "call_id": "c1",
            "manager_id": "e1", "manager": "Anna Nowak", "client": "+48 *** *** 123"}
    for line in got:
        assert {k: line[k] for k in same} == same
    assert got[0]["at"] == "2026-11-26T09:00:00+00:00" and got[0]["mode"] == "listen"
    assert got[1]["at"] == "2026-11-26T09:00:02+00:00"
    assert (got[2]["mode"], got[2]["previous"]) == ("coach", "listen")
    assert got[3]["muted"] is True
    assert got[4] == {**same, "at": "2026-11-26T09:00:17+00:00", "event": "ended",
                      "mode": "coach", "muted": True, "outcome": "ended",
                      "message": "The call ended."}


def test_refused_error_and_failed_sessions(tmp_path):
    clock = ManualClock(T0)
    path = tmp_path / "deep" / "dir" / "audit.jsonl"
    audit = AuditLog(path, clock, mask_numbers=False)
    ringing = CALL.model_copy(update={"status": CallStatus.RINGING})
    audit.refused(supervisor="PJSIP/1900", call=ringing, employee=ANNA, mode=None,
                  reason="This call is still ringing.")
    audit.error(supervisor="PJSIP/1900", call=CALL, employee=ANNA, mode=ListenMode.BARGE,
                reason="Asterisk refused.")
    s = ListenSession(id="s2", call_id="c1", employee_id="e1", supervisor="PJSIP/1900",
                      started_at=T0)
    audit.observe(s, CALL, ANNA)
    s = s.model_copy(update={"state": ListenState.FAILED, "ended_at": T0 + timedelta(seconds=1),
                             "message": "The call ended before you were connected."})
    audit.observe(s, CALL, ANNA)
    got = lines(path)
    assert [(g["event"], g.get("outcome")) for g in got] == [
        ("refused", "refused"), ("error", "failed"), ("started", None), ("failed", "failed")]
    assert got[0]["client"] == "+48 501 234 123" and got[0]["session"] is None
    assert got[0]["message"] == "This call is still ringing." and "mode" not in got[0]
    assert got[1]["mode"] == "barge"
    assert got[3]["message"] == "The call ended before you were connected."


def test_an_unwritable_log_is_reported_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    audit = AuditLog(blocker / "audit.jsonl", ManualClock(T0))
    audit.refused(supervisor=None, call=None, employee=None, mode=None, reason="No call.")
    assert audit.failed and "Cannot write the audit log" in audit.failed


def test_the_default_place_is_the_user_log_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    path = default_audit_path()
    assert path.name == AUDIT_FILE and str(path).startswith(str(tmp_path))


def test_files_are_private_and_new_folders_too(tmp_path):
    old = os.umask(0o022)  # the usual umask: it would leave files 0644 and folders 0755
    try:
        path = tmp_path / "shared" / "wallboard" / "audit.jsonl"
        (tmp_path / "shared").mkdir(mode=0o755)
        AuditLog(path, ManualClock(T0)).refused(supervisor=None, call=None, employee=None,
                                                mode=None, reason="No call.")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o755, "an existing folder"


def test_client_numbers_are_masked_by_default_whatever_the_screen_does(tmp_path):
    from wallboard.config import Config, SupervisorConfig

    clock = ManualClock(T0)
    path = tmp_path / "audit.jsonl"
    AuditLog(path, clock).refused(supervisor="PJSIP/1900", call=CALL, employee=ANNA, mode=None,
                                  reason="No.")
    config = Config()  # ui.mask_numbers is off: the board shows whole numbers
    assert config.ui.masked is False
    AuditLog.for_config(config.supervisor.model_copy(update={"audit_log": path}), clock).refused(
        supervisor="PJSIP/1900", call=CALL, employee=ANNA, mode=None, reason="No.")
    whole = SupervisorConfig(audit_log=path, audit_mask_numbers=False)
    AuditLog.for_config(whole, clock).refused(supervisor="PJSIP/1900", call=CALL, employee=ANNA,
                                              mode=None, reason="No.")
    assert [g["client"] for g in lines(path)] == [
        "+48 *** *** 123", "+48 *** *** 123", "+48 501 234 123"]


def test_the_board_writes_a_masked_audit_log_by_default():
    from wallboard.config import Config
    from wallboard.factory import create_app

    assert create_app(Config()).service.audit.mask_numbers is True


def test_an_unwritable_log_warns_once_per_distinct_problem(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("")
    audit = AuditLog(blocker / "audit.jsonl", ManualClock(T0))
    for _ in range(5):
        audit.refused(supervisor=None, call=None, employee=None, mode=None, reason="No call.")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        audit.path = locked / "audit.jsonl"
        for _ in range(3):
            audit.refused(supervisor=None, call=None, employee=None, mode=None, reason="No.")
        writable = os.access(locked, os.W_OK)  # root writes anyway
    finally:
        locked.chmod(0o700)
    warnings = [r.getMessage() for r in caplog.records if r.name == "wallboard.audit"]
    expected = [f"Cannot write the audit log {blocker / 'audit.jsonl'} (Not a directory)."]
    if not writable:
        expected.append(f"Cannot write the audit log {locked / 'audit.jsonl'} "
                        "(Permission denied).")
    assert warnings == expected
    audit.path = tmp_path / "fine.jsonl"
    audit.refused(supervisor=None, call=None, employee=None, mode=None, reason="No.")
    assert audit.failed is None
