"""The rules checked before a supervisor joins a call (SPEC 6), as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wallboard.core.listen import (
    ListenMode,
    ListenSession,
    ListenState,
    SupervisorAccount,
    listen_refusal,
)
from wallboard.core.models import Call, CallStatus, CallType, Employee, SipAccount

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ANNA = Employee(id="e1", name="Anna Nowak", project="acme",
                accounts=(SipAccount(id="PJSIP/1001", number="1001"),))
EMPLOYEES = {ANNA.id: ANNA}
SUPERVISOR = SupervisorAccount(account="PJSIP/1900", project="acme")


def call(status: CallStatus = CallStatus.TALKING, employee_id: str | None = "e1") -> Call:
    return Call(id="c1", type=CallType.INCOMING, status=status, employee_id=employee_id,
                client_number="+48 501 234 123", created_at=T0, answered_at=T0,
                project="acme")


def session(state: ListenState = ListenState.ACTIVE) -> ListenSession:
    return ListenSession(id="s1", call_id="c9", supervisor="PJSIP/1900", state=state,
                         started_at=T0)


def refusal(**changes):  # type: ignore[no-untyped-def]
    args = {"call": call(), "employees": EMPLOYEES, "supervisor": SUPERVISOR, "active": None}
    args.update(changes)
    options = {k: args.pop(k) for k in list(args)
               if k in ("modes", "mode", "read_only", "kiosk", "source_title")}
    return listen_refusal(args["call"], args["employees"], args["supervisor"],
                          args["active"], **options)


def test_a_talking_call_of_the_supervisors_project_can_be_joined():
    assert refusal() is None
    assert refusal(active=session(ListenState.ENDED)) is None
    assert refusal(mode=ListenMode.COACH) is None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"call": call(CallStatus.RINGING)}, "still ringing"),
        ({"call": call(CallStatus.ON_HOLD)}, "on hold"),
        ({"call": None}, "No call selected"),
        ({"call": call(employee_id=None)}, "no known manager"),
        ({"supervisor": None}, "Set supervisor.account"),
        ({"supervisor": SupervisorAccount(account="  ", project="acme")},
         "Set supervisor.account"),
        ({"supervisor": SupervisorAccount(account="PJSIP/1900", project="other")},
         "only within one project"),
        ({"supervisor": SupervisorAccount(account="PJSIP/1001", project="acme")},
         "your own call"),
        ({"active": session(ListenState.CONNECTING)}, "already running"),
        ({"active": session(ListenState.ACTIVE)}, "already running"),
        ({"read_only": True}, "read-only"),
        ({"kiosk": True}, "kiosk"),
        ({"modes": frozenset(), "source_title": "Feed x"}, "Feed x cannot join calls"),
        ({"modes": frozenset({ListenMode.LISTEN}), "mode": ListenMode.BARGE,
          "source_title": "Feed x"}, "Barge is not available with Feed x"),
    ],
)
def test_each_refusal_is_one_clear_sentence(changes, words):
    reason = refusal(**changes)
    assert reason is not None and words in reason
    assert reason.endswith(".") and reason.count(". ") == 0


def test_the_feature_switches_win_over_everything_else():
    """Read-only and kiosk say so, whatever else is wrong with the call."""
    assert "kiosk" in refusal(kiosk=True, read_only=True, call=call(CallStatus.RINGING))
    assert "read-only" in refusal(read_only=True, supervisor=None)


def test_the_project_message_names_both_projects():
    reason = refusal(supervisor=SupervisorAccount(account="PJSIP/1900", project="other"))
    assert "'other'" in reason and "'acme'" in reason and "Anna Nowak" in reason
