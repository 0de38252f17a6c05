"""Live calls from Ringostat's webhooks, reconciled with the polled speaking list.

Ringostat has no live-calls endpoint; it sends a webhook at each moment of a call
(before the call, picking up, forwarding, after the call) and never retries one that
failed. So webhooks may be lost, and the ones that arrive may come twice or out of order.
:class:`CallTracker` is pure (no I/O) and turns them into call events:

- *before* rings the call; *answer* makes it talking; *forward* hands it to another
  manager; *after* ends it. The status only moves forward (ringing -> talking).
- The manager is the one named by the strongest webhook: forward > answer > before, and
  the later arrival among equals; a late *before* cannot undo a forward.
- An ended call never comes back: its id is remembered (bounded) and anything late for
  it is dropped. An *after* that arrives before everything else ends a call never shown.
- Reconciled with ``/sipstatus/speaking``: a talking call whose manager has not been
  speaking for ``speaking_grace_seconds`` has ended (its *after* was lost); a ringing call
  whose manager starts speaking (their only call) is talking (its *answer* was lost, or it
  is an outgoing call, for which Ringostat sends no answer webhook).
- Expiry: ringing longer than ``max_ringing_seconds``, or older than ``max_call_seconds``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import IntEnum

from wallboard.config import RingostatSource
from wallboard.core.events import CallEnded, CallUpserted, Event
from wallboard.core.models import Call, CallStatus, CallType
from wallboard.sources.ringostat.values import call_type, is_phone_number, parse_time

ENDED_MEMORY = 20_000
"""How many ended call ids are remembered, so late webhooks cannot revive them."""


class Moment(IntEnum):
    """The webhook's moment; also its strength when two name different managers."""

    BEFORE = 0
    ANSWER = 1
    FORWARD = 2
    AFTER = 3


class WebhookError(ValueError):
    """A webhook the wallboard cannot use, said in one sentence."""


@dataclass(frozen=True)
class Hook:
    """One webhook, read through the configured parameter names."""

    moment: Moment
    call_id: str
    type: CallType | None
    """None when the webhook does not say (no call type, no callback insertion type)."""
    caller: str = ""
    destination: str = ""
    sip: str = ""
    employee: str = ""
    scheme: str = ""
    started: datetime | None = None


def read_webhook(params: Mapping[str, str], settings: RingostatSource,
                 zone: tzinfo | None) -> Hook:
    names, values = settings.webhook_params, settings.webhook_events

    def get(name: str) -> str:
        return str(params.get(name, "") or "").strip()

    event = get(names.event)
    moments = {values.before: Moment.BEFORE, values.answer: Moment.ANSWER,
               values.forward: Moment.FORWARD, values.after: Moment.AFTER}
    moment = moments.get(event) or {k.lower(): v for k, v in moments.items()}.get(event.lower())
    if moment is None:
        known = ", ".join(repr(v) for v in moments)
        shown = repr(event[:40]) if event else "nothing"
        raise WebhookError(f"The webhook's {names.event!r} parameter is {shown}; "
                           f"expected one of {known}.")
    call_id = get(names.call_id)
    if not call_id:
        raise WebhookError(f"The webhook has no call id (parameter {names.call_id!r}).")
    given = get(names.call_type)
    kind = call_type(given) if given else None
    insertion = get(names.insertion_type).lower()
    if insertion and insertion in {t.lower() for t in settings.callback_insertion_types}:
        kind = CallType.CALLBACK
    return Hook(
        moment=moment, call_id=call_id[:200], type=kind, caller=get(names.caller),
        destination=get(names.destination), sip=get(names.sip), employee=get(names.employee),
        scheme=get(names.scheme), started=parse_time(get(names.call_date), zone),
    )


@dataclass
class _Live:
    id: str
    type: CallType
    created_at: datetime
    caller: str = ""
    destination: str = ""
    scheme: str = ""
    sip: str = ""
    employee: str = ""
    named_by: tuple[int, int] = (-1, -1)
    """(moment, arrival) of the webhook that named the manager."""
    answered_at: datetime | None = None
    last_speaking: datetime | None = None
    seen_idle: bool = True
    """The manager was seen not speaking since the call came to them."""
    built: Call | None = None


class CallTracker:
    def __init__(self, settings: RingostatSource,
                 resolve: Callable[[str, str], str | None]) -> None:
        """``resolve(sip, name)``: the employee id of a SIP login / number or a name."""
        self.settings = settings
        self.resolve = resolve
        self.live: dict[str, _Live] = {}
        self.ended: OrderedDict[str, None] = OrderedDict()
        self._arrivals = 0
        self._speaking: set[str] = set()
        """Employees speaking at the last poll."""

    # -- webhooks ------------------------------------------------------------------------
    def accept(self, hook: Hook, now: datetime) -> list[Event]:
        if hook.call_id in self.ended:
            return []  # late, duplicated or out of order: an ended call stays ended
        if hook.moment is Moment.AFTER:
            return self._end(hook.call_id, now)
        self._arrivals += 1
        call = self.live.get(hook.call_id)
        if call is None:
            call = self.live[hook.call_id] = _Live(
                id=hook.call_id, type=hook.type or CallType.INCOMING,
                created_at=hook.started or now)
        elif hook.started is not None:
            call.created_at = hook.started
        if hook.type is not None and call.type is not CallType.CALLBACK:
            call.type = hook.type  # a callback stays one, whatever else says
        call.caller = hook.caller or call.caller
        call.destination = hook.destination or call.destination
        call.scheme = hook.scheme or call.scheme
        rank = (int(hook.moment), self._arrivals)
        if (hook.sip or hook.employee) and rank > call.named_by:
            before = self._employee(call)
            call.sip, call.employee, call.named_by = hook.sip, hook.employee, rank
            if self._employee(call) != before:
                call.seen_idle = self._employee(call) not in self._speaking
        if hook.moment is Moment.ANSWER and call.answered_at is None:
            call.answered_at = call.last_speaking = max(now, call.created_at)
        return self._publish(call)

    # -- the speaking list and expiry ------------------------------------------------------
    def reconcile(self, now: datetime, speaking: set[str]) -> list[Event]:
        """After each poll: ``speaking`` holds the employee ids with an account speaking."""
        self._speaking = set(speaking)
        grace = timedelta(seconds=self.settings.speaking_grace_seconds)
        counts: dict[str, int] = {}
        for call in self.live.values():
            employee = self._employee(call)
            if employee is not None:
                counts[employee] = counts.get(employee, 0) + 1
        events: list[Event] = []
        for call in list(self.live.values()):
            employee = self._employee(call)
            if employee is None:
                continue
            if employee not in speaking:
                call.seen_idle = True
                if call.answered_at is not None and call.last_speaking is not None and (
                        now - call.last_speaking > grace):
                    events += self._end(call.id, now)
            elif call.answered_at is not None:
                call.last_speaking = now
            elif call.seen_idle and counts[employee] == 1:
                call.answered_at = call.last_speaking = max(now, call.created_at)
                events += self._publish(call)
        return events + self.expire(now)

    def expire(self, now: datetime) -> list[Event]:
        ring = timedelta(seconds=self.settings.max_ringing_seconds)
        age = timedelta(seconds=self.settings.max_call_seconds)
        events: list[Event] = []
        for call in list(self.live.values()):
            if now - call.created_at > age or (call.answered_at is None
                                               and now - call.created_at > ring):
                events += self._end(call.id, now)
        return events

    def rebuild(self) -> list[Event]:
        """After the staff list changed: calls whose manager now resolves differently."""
        events: list[Event] = []
        for call in self.live.values():
            events += self._publish(call)
        return events

    def calls(self) -> list[Call]:
        return [c.built for c in self.live.values() if c.built is not None]

    # -- helpers -------------------------------------------------------------------------
    def _employee(self, call: _Live) -> str | None:
        return self.resolve(call.sip, call.employee) if (call.sip or call.employee) else None

    def _end(self, call_id: str, now: datetime) -> list[Event]:
        self.ended[call_id] = None
        self.ended.move_to_end(call_id)
        while len(self.ended) > ENDED_MEMORY:
            self.ended.popitem(last=False)
        return [CallEnded(call_id=call_id, at=now)] if self.live.pop(call_id, None) else []

    def _publish(self, call: _Live) -> list[Event]:
        new = self._build(call, call.built.revision if call.built else 0)
        if call.built is not None and new == call.built:
            return []
        call.built = new.model_copy(update={"revision": new.revision + 1})
        return [CallUpserted(call=call.built)]

    def _build(self, call: _Live, revision: int) -> Call:
        if call.type is CallType.OUTGOING:
            client = call.destination
            business = call.caller if is_phone_number(call.caller) else ""
        else:
            client, business = call.caller, call.destination
        return Call(
            id=call.id, type=call.type,
            status=CallStatus.RINGING if call.answered_at is None else CallStatus.TALKING,
            employee_id=self._employee(call), client_number=client, business_number=business,
            created_at=call.created_at, answered_at=call.answered_at,
            routing_scheme=call.scheme or None, revision=revision,
        )
