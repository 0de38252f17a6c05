"""The webhook call tracker as plain functions: moments, the manager rule, no revival,
reconciliation with the speaking list, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sources.ringostat.conftest import T0, settings
from wallboard.core.events import CallEnded, CallUpserted
from wallboard.core.models import CallStatus, CallType
from wallboard.sources.ringostat.calls import CallTracker, WebhookError, read_webhook

OWNERS = {"anna": "101", "piotr": "102", "olena": "103"}
NAMES = {"Anna Nowak": "101"}
SETTINGS = settings("http://127.0.0.1:1")


def tracker() -> CallTracker:
    return CallTracker(SETTINGS, lambda sip, name: OWNERS.get(sip) or NAMES.get(name))


def hook(event: str, call_id: str = "c1", **params: str):
    return read_webhook({"event": event, "uniqueid": call_id, **params}, SETTINGS, None)


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def test_ringing_then_talking_then_ended():
    t = tracker()
    [ringing] = t.accept(hook("before", call_type="in", caller="+380501112233",
                              dst="+380441234567", sip="anna", scheme="Sales line"), at(0))
    call = ringing.call
    assert (call.status, call.type, call.employee_id) == (CallStatus.RINGING,
                                                          CallType.INCOMING, "101")
    assert (call.client_number, call.business_number) == ("+380501112233", "+380441234567")
    assert call.routing_scheme == "Sales line" and call.created_at == T0
    [talking] = t.accept(hook("answer", sip="anna"), at(7))
    assert talking.call.status is CallStatus.TALKING and talking.call.answered_at == at(7)
    assert talking.call.revision > call.revision
    assert t.accept(hook("after"), at(60)) == [CallEnded(call_id="c1", at=at(60))]
    assert t.calls() == []


def test_forwarding_changes_the_manager():
    t = tracker()
    t.accept(hook("before", sip="anna"), at(0))
    [moved] = t.accept(hook("forward", sip="piotr"), at(20))
    assert moved.call.employee_id == "102" and moved.call.status is CallStatus.RINGING
    [answered] = t.accept(hook("answer", sip="piotr"), at(25))
    assert answered.call.employee_id == "102" and answered.call.status is CallStatus.TALKING


def test_a_transfer_during_the_talk_keeps_it_talking_with_the_new_manager():
    t = tracker()
    t.accept(hook("before", sip="anna"), at(0))
    t.accept(hook("answer", sip="anna"), at(5))
    [moved] = t.accept(hook("forward", sip="olena"), at(90))
    assert (moved.call.employee_id, moved.call.status) == ("103", CallStatus.TALKING)
    assert moved.call.answered_at == at(5)


def test_the_insertion_type_marks_a_callback_and_it_stays_one():
    t = tracker()
    [first] = t.accept(hook("before", call_type="in", insertion_type="callback", sip="anna"),
                       at(0))
    assert first.call.type is CallType.CALLBACK
    [second] = t.accept(hook("answer", call_type="in", insertion_type="dynamic", sip="anna"),
                        at(3))
    assert second.call.type is CallType.CALLBACK


def test_an_outgoing_call_has_the_client_as_destination():
    t = tracker()
    [call] = t.accept(hook("before", call_type="out", caller="anna", dst="+48500100200",
                           sip="anna"), at(0))
    assert call.call.type is CallType.OUTGOING
    assert (call.call.client_number, call.call.business_number) == ("+48500100200", "")
    [call] = t.accept(hook("before", "c2", call_type="out", caller="+380441234567",
                           dst="+48500100200", sip="piotr"), at(0))
    assert call.call.business_number == "+380441234567"


def test_duplicates_change_nothing():
    t = tracker()
    t.accept(hook("before", sip="anna"), at(0))
    assert t.accept(hook("before", sip="anna"), at(1)) == []
    t.accept(hook("answer", sip="anna"), at(2))
    assert t.accept(hook("answer", sip="anna"), at(3)) == []
    assert t.accept(hook("after"), at(9)) != []
    assert t.accept(hook("after"), at(9)) == []


def test_late_and_out_of_order_webhooks_never_revive_an_ended_call():
    t = tracker()
    assert t.accept(hook("after"), at(0)) == []  # ended before anything was seen
    for event in ("before", "answer", "forward"):
        assert t.accept(hook(event, sip="anna"), at(1)) == []
    assert t.calls() == []


def test_a_late_before_cannot_undo_a_forward_or_an_answer():
    t = tracker()
    t.accept(hook("forward", sip="piotr"), at(10))
    t.accept(hook("answer", sip="piotr"), at(12))
    assert t.accept(hook("before", sip="anna"), at(13)) == []
    [call] = t.calls()
    assert (call.employee_id, call.status) == ("102", CallStatus.TALKING)


def test_calldate_sets_when_the_call_started_whatever_arrives_first():
    t = tracker()
    [e] = t.accept(hook("answer", sip="anna", calldate="2026-03-24 09:59:30"), at(0))
    assert e.call.created_at == at(-30) and e.call.answered_at == at(0)
    assert e.call.waiting_seconds(at(100)) == 30


def test_the_name_is_used_when_the_sip_login_is_unknown():
    t = tracker()
    [e] = t.accept(hook("before", sip="+380991234567", employee_fio="Anna Nowak"), at(0))
    assert e.call.employee_id == "101"
    [e] = t.accept(hook("before", "c2", sip="piotr", employee_fio="Anna Nowak"), at(0))
    assert e.call.employee_id == "102"  # a known login wins over the name
    [e] = t.accept(hook("before", "c3", sip="+380991234567"), at(0))
    assert e.call.employee_id is None


def test_the_directory_resolves_logins_then_names():
    from wallboard.sources.ringostat.staff import Direction, Directory, Member

    directory = Directory()
    directory.load([Member("101", "Anna Nowak", directions=(Direction("anna", True),))])
    assert directory.employee_of("ANNA") == "101"
    assert directory.employee_of("nobody", "anna nowak") == "101"
    assert directory.employee_of("nobody", "Someone Else") is None


def test_a_lost_after_ends_a_talking_call_once_the_manager_stops_speaking():
    t = tracker()
    t.accept(hook("before", sip="anna"), at(0))
    t.accept(hook("answer", sip="anna"), at(2))
    assert t.reconcile(at(4), {"101"}) == []
    assert t.reconcile(at(8.9), set()) == []  # 4.9 s since last seen speaking: grace is 5
    assert t.reconcile(at(9.1), set()) == [CallEnded(call_id="c1", at=at(9.1))]
    assert t.accept(hook("after"), at(30)) == []


def test_a_lost_answer_is_found_in_the_speaking_list():
    t = tracker()
    t.accept(hook("before", call_type="out", sip="anna", dst="+48500100200"), at(0))
    assert t.reconcile(at(1), set()) == []
    [talking] = t.reconcile(at(6), {"101"})
    assert talking.call.status is CallStatus.TALKING and talking.call.answered_at == at(6)


def test_a_manager_already_in_a_call_does_not_make_a_new_ringing_call_talking():
    t = tracker()
    assert t.reconcile(at(0), {"101"}) == []  # Anna talks on something we do not know
    t.accept(hook("before", "c9", sip="anna"), at(1))
    assert t.reconcile(at(2), {"101"}) == []
    assert t.calls()[0].status is CallStatus.RINGING
    t.reconcile(at(3), set())  # she hung up that one ...
    [talking] = t.reconcile(at(4), {"101"})  # ... and picked this one up
    assert talking.call.status is CallStatus.TALKING


def test_two_ringing_calls_for_one_manager_are_not_guessed():
    t = tracker()
    t.accept(hook("before", "a", sip="anna"), at(0))
    t.accept(hook("before", "b", sip="anna"), at(0))
    assert t.reconcile(at(2), {"101"}) == []


def test_expiry_of_ringing_and_of_any_call():
    t = tracker()  # max_ringing_seconds = 120; max_call_seconds = 14400 (the default)
    t.accept(hook("before", "ring", sip="anna"), at(0))
    t.accept(hook("answer", "talk"), at(0))  # no manager: the speaking list cannot help
    assert t.expire(at(120)) == []
    assert t.expire(at(120.5)) == [CallEnded(call_id="ring", at=at(120.5))]
    assert t.expire(at(14_400)) == []
    assert t.expire(at(14_401)) == [CallEnded(call_id="talk", at=at(14_401))]
    assert t.accept(hook("before", "ring", sip="anna"), at(14_402)) == []


def test_a_new_staff_list_moves_calls_to_the_right_manager():
    owners: dict[str, str] = {}
    t = CallTracker(SETTINGS, lambda sip, name: owners.get(sip))
    [e] = t.accept(hook("before", sip="newbie"), at(0))
    assert e.call.employee_id is None
    owners["newbie"] = "150"
    [moved] = t.rebuild()
    assert moved.call.employee_id == "150"
    assert t.rebuild() == []


@pytest.mark.parametrize(("params", "message"), [
    ({"uniqueid": "c1"}, "The webhook's 'event' parameter is nothing; expected one of "
                         "'before', 'answer', 'forward', 'after'."),
    ({"event": "ringing", "uniqueid": "c1"}, "The webhook's 'event' parameter is 'ringing'"),
    ({"event": "before"}, "The webhook has no call id (parameter 'uniqueid')."),
])
def test_an_unusable_webhook_is_one_sentence(params, message):
    with pytest.raises(WebhookError) as info:
        read_webhook(params, SETTINGS, None)
    assert str(info.value).startswith(message)


def test_the_mapping_table_renames_every_parameter():
    custom = settings("http://x", webhook_params={"event": "moment", "call_id": "id",
                                                  "sip": "who"},
                      webhook_events={"before": "ring", "answer": "pickup"})
    t = CallTracker(custom, lambda sip, name: OWNERS.get(sip))
    [e] = t.accept(read_webhook({"moment": "ring", "id": "x1", "who": "piotr"}, custom, None),
                   at(0))
    assert (e.call.id, e.call.employee_id) == ("x1", "102")
    [e] = t.accept(read_webhook({"moment": "PICKUP", "id": "x1"}, custom, None), at(1))
    assert isinstance(e, CallUpserted) and e.call.status is CallStatus.TALKING
