"""Webhooks into the real feed app (``create_server_app`` under uvicorn, on loopback), and
what the board then shows, read back from ``GET /v1/snapshot``."""

from __future__ import annotations

import httpx

from tests.sources.ringostat.conftest import T0, serving
from tests.sources.ringostat.scenarios import SECRET, Script, Sender, Step, webhooks
from wallboard.core.clock import ManualClock
from wallboard.core.models import CallStatus, CallType

CLIENT = "+380501112233"


def calls_of(board):
    return {c.id: c for c in board.calls}


async def play(sender: Sender, script: Script, moments: list[str] | None = None) -> None:
    for hook in webhooks(script):
        if moments is None or hook.moment in moments:
            response = await sender.send(hook)
            assert response.status_code == 200, response.text


async def test_ringing_then_talking_then_ended_on_the_board(fake):
    clock = ManualClock(T0)
    async with serving(fake, clock) as served:
        sender = Sender(served.url)
        script = Script("c-100", CallType.INCOMING, [Step("before", "m1"), Step("answer", "m1"),
                                                     Step("after")], scheme="Main line")
        hooks = webhooks(script)
        answer = await sender.send(hooks[0])
        assert answer.json() == {"ok": True}
        call = (await served.until(lambda calls: "c-100" in calls))["c-100"]
        assert (call.status, call.employee_id, call.type) == (CallStatus.RINGING, "201",
                                                              CallType.INCOMING)
        assert (call.client_number, call.routing_scheme) == (CLIENT, "Main line")
        clock.advance(6)
        await sender.send(hooks[1])
        call = (await served.until(lambda calls: calls["c-100"].answered_at))["c-100"]
        assert call.status is CallStatus.TALKING and call.answered_at == clock.now()
        await sender.send(hooks[2])
        await served.until(lambda calls: "c-100" not in calls)
        assert served.client.message.endswith("statuses every 0.02 s, calls from webhooks.")
        await sender.aclose()


async def test_a_forwarded_call_moves_to_the_new_manager(fake):
    async with serving(fake, ManualClock(T0)) as served:
        sender = Sender(served.url)
        script = Script("c-200", CallType.INCOMING,
                        [Step("before", "m1"), Step("forward", "m2"), Step("answer", "m2")])
        await play(sender, script, ["before"])
        calls = await served.until(lambda calls: "c-200" in calls)
        assert calls["c-200"].employee_id == "201"
        await play(sender, script, ["forward"])
        await served.until(lambda calls: calls["c-200"].employee_id == "202")
        assert "Calls" in (await served.board()).departments
        await play(sender, script, ["answer"])
        call = (await served.until(lambda calls: calls["c-200"].answered_at))["c-200"]
        assert (call.employee_id, call.status) == ("202", CallStatus.TALKING)
        await sender.aclose()


async def test_a_callback_is_marked_by_its_insertion_type_and_json_bodies_work(fake):
    async with serving(fake, ManualClock(T0)) as served:
        sender = Sender(served.url, as_json=True)
        await play(sender, Script("c-300", CallType.CALLBACK, [Step("before", "m3")]))
        calls = await served.until(lambda calls: "c-300" in calls)
        assert calls["c-300"].type is CallType.CALLBACK
        rpc = {"jsonrpc": "2.0", "method": "hook", "id": 1,
               "params": {"uniqueid": "c-301", "call_type": "out", "dst": "+48500100200",
                          "sip": "m4", "calldate": "2026-03-24 09:59:50"}}
        response = await sender.client.post(sender.url, params={"event": "before"}, json=rpc)
        assert response.status_code == 200
        call = (await served.until(lambda calls: "c-301" in calls))["c-301"]
        assert (call.type, call.client_number, call.employee_id) == (
            CallType.OUTGOING, "+48500100200", "204")
        assert call.waiting_seconds(T0) == 10
        await sender.aclose()


async def test_get_with_parameters_in_the_address_works_too(fake):
    async with serving(fake, ManualClock(T0)) as served:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{served.url}/v1/hooks/ringostat/{SECRET}", params={
                "event": "before", "uniqueid": "c-400", "sip": "m5", "caller": CLIENT})
        assert response.status_code == 200
        calls = await served.until(lambda calls: "c-400" in calls)
        assert calls["c-400"].employee_id == "205"


async def test_a_wrong_secret_is_a_plain_404_and_changes_nothing(fake):
    async with serving(fake, ManualClock(T0)) as served:
        sender = Sender(served.url, secret="x" * len(SECRET))
        response = await sender.send(webhooks(Script("c-500", CallType.INCOMING,
                                                     [Step("before", "m1")]))[0])
        assert (response.status_code, response.json()) == (404, {"message": "Not found."})
        assert (await served.board()).calls == ()
        async with httpx.AsyncClient() as http:
            response = await http.post(f"{served.url}/v1/hooks/ringostat/", data={"a": "b"})
        assert response.status_code == 404
        await sender.aclose()


async def test_an_unusable_webhook_is_400_with_one_sentence_and_counted(fake):
    async with serving(fake, ManualClock(T0)) as served:
        async with httpx.AsyncClient() as http:
            url = f"{served.url}/v1/hooks/ringostat/{SECRET}"
            response = await http.post(url, data={"uniqueid": "c-600"})
            assert response.status_code == 400
            assert response.json()["message"] == (
                "The webhook's 'event' parameter is nothing; expected one of 'before', "
                "'answer', 'forward', 'after'.")
            response = await http.post(url, content=b"[1, 2]",
                                       headers={"content-type": "application/json"})
            assert response.json() == {
                "message": "The webhook's JSON body must be an object of parameters."}
            response = await http.post(url, content=b"x" * 70_000)
            assert response.status_code == 413
        assert served.client.malformed == 1
        assert (await served.board()).calls == ()


async def test_webhooks_need_no_bearer_token_when_the_feed_has_one(fake):
    async with serving(fake, ManualClock(T0), token="feed-token-1") as served:
        sender = Sender(served.url)
        await play(sender, Script("c-700", CallType.INCOMING, [Step("before", "m6")]))
        await served.polls(1)
        assert (await served.http.get("/v1/snapshot")).status_code == 401
        response = await served.http.get("/v1/snapshot",
                                         headers={"Authorization": "Bearer feed-token-1"})
        assert [c["id"] for c in response.json()["calls"]] == ["c-700"]
        await sender.aclose()


async def test_a_lost_after_is_reconciled_with_the_speaking_list(fake):
    clock = ManualClock(T0)
    async with serving(fake, clock) as served:
        sender = Sender(served.url)
        script = Script("c-800", CallType.INCOMING, [Step("before", "m7"), Step("answer", "m7"),
                                                     Step("after")])
        await play(sender, script, ["before", "answer"])  # "after" is lost
        await served.until(lambda calls: "c-800" in calls)
        fake.speaking.add("m7")
        await served.polls(2)
        clock.advance(30)
        await served.polls(2)
        assert calls_of(await served.board())["c-800"].status is CallStatus.TALKING
        fake.speaking.clear()  # the manager hung up
        await served.polls(2)
        clock.advance(4)
        await served.polls(2)
        assert "c-800" in calls_of(await served.board())  # within the 5 s grace
        clock.advance(2)
        await served.until(lambda calls: "c-800" not in calls)
        await play(sender, script, ["after", "answer"])  # late: nothing comes back
        await served.polls(2)
        assert "c-800" not in calls_of(await served.board())
        await sender.aclose()


async def test_a_call_whose_webhooks_stopped_expires(fake):
    clock = ManualClock(T0)
    async with serving(fake, clock) as served:
        sender = Sender(served.url)
        await play(sender, Script("c-900", CallType.INCOMING, [Step("before", "m8")]))
        await served.until(lambda calls: "c-900" in calls)
        clock.advance(119)
        await served.polls(2)
        assert "c-900" in calls_of(await served.board())
        clock.advance(2)  # max_ringing_seconds = 120 in these tests
        await served.until(lambda calls: "c-900" not in calls)
        await sender.aclose()


async def test_a_manager_new_to_the_staff_list_is_found_soon(fake, monkeypatch):
    from wallboard.sources.ringostat import client as client_module

    monkeypatch.setattr(client_module, "STAFF_SOONEST", 0.1)
    async with serving(fake, ManualClock(T0), staff_refresh_seconds=3600) as served:
        fake.add_employee("301", "Newly Hired", "Sales", sips=("newbie",))
        sender = Sender(served.url)
        await play(sender, Script("c-1000", CallType.INCOMING, [Step("before", "newbie")]))
        calls = await served.until(lambda calls: calls.get("c-1000")
                                   and calls["c-1000"].employee_id == "301")
        assert calls["c-1000"].status is CallStatus.RINGING
        board = await served.board()
        assert "301" in {e.id for e in board.employees}
        assert fake.asked("getProjectStaffListAndDirections") == 2
        await sender.aclose()
