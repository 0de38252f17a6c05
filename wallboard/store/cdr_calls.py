"""From Asterisk's CDR records to the store's calls: the rules, pure (no I/O).

Asterisk writes one CDR record per pair of channels (party A, party B) and gives every
record of one call the same ``linkedid``. So one call is the group of records with one
linkedid (records without one stand alone, by ``uniqueid``). The call's id is the linkedid:
the first channel's uniqueid, which is also the id the ARI source gives the same call live,
so a call both recorded and imported is one call.

The endpoint map (the ARI source's ``[[source.employees]]`` / ``employees_csv``) says
which channels are managers' phones: ``PJSIP/1001-0000002a`` is endpoint ``PJSIP/1001``.

- **The manager.** A call that began on a manager's phone (an outgoing call, an internal
  one, a callback rung to the manager first) is that manager's. Otherwise it is the
  manager whose phone answered last (a transferred call ends with whoever took it, as it
  does live), else the first manager whose phone rang. A call that reached no mapped phone
  is not imported.
- **Answered** when one of its records with a party B, and a manager on either side, has
  ``billsec > 0``; it was answered at ``calldate + duration - billsec`` of the earliest.
  It ended at the latest ``calldate + duration``. The missed rule (unanswered and rang more
  than 5 s) is applied to these times unchanged.
- **The type** is ``userfield`` when it says incoming, outgoing or callback (set with
  ``Set(CDR(userfield)=callback)``); else the first record's ``dcontext`` in the source's
  callback, incoming or outgoing contexts; else outgoing if it began on a manager's phone,
  incoming otherwise. Calls whose first record's context is in ``ignore_contexts`` are
  skipped.
- **The numbers.** Incoming: the client is the first record's ``src``, the business number
  its ``dst`` (the number dialled, unless ``s``). Outgoing: the client is what the
  manager dialled (``dst``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from wallboard.config import AriSource
from wallboard.core.models import CallStatus, CallType
from wallboard.sources.ari.directory import Directory
from wallboard.store.schema import us

HEX = frozenset("0123456789abcdefABCDEF")
NO_EXTEN = ("", "s")
"""A ``dst`` that names no number: Asterisk's start extension."""


@dataclass(frozen=True)
class Leg:
    """One CDR record, with ``calldate`` made timezone-aware."""

    calldate: datetime
    src: str
    dst: str
    dcontext: str
    channel: str
    dstchannel: str
    duration: float
    billsec: float
    uniqueid: str
    linkedid: str
    userfield: str = ""

    @property
    def ended(self) -> datetime:
        return self.calldate + timedelta(seconds=self.duration)

    @property
    def answered(self) -> datetime:
        return self.calldate + timedelta(seconds=self.duration - self.billsec)


def endpoint(channel: str) -> str:
    """The endpoint of a channel name: ``PJSIP/1001-0000002a`` -> ``PJSIP/1001``."""
    name = channel.strip()
    if "/" not in name or name.startswith("Local/"):
        return ""
    head, dash, tail = name.rpartition("-")  # the suffix is Asterisk's hex counter
    return head if dash and "/" in head and tail and all(c in HEX for c in tail) else name


class Skip(Exception):
    """Why a group of records is no call for the store: ``unmapped`` or ``ignored``."""


class CallRules:
    """The endpoint map and the source's contexts, applied to groups of records."""

    def __init__(self, settings: AriSource, directory: Directory) -> None:
        self.settings = settings
        self.directory = directory

    def who(self, channel: str) -> str | None:
        return self.directory.employee_of(endpoint(channel)) if channel else None

    def call(self, legs: Sequence[Leg]) -> dict[str, Any]:
        """The store's row for one call (Skip when it is none)."""
        legs = sorted(legs, key=lambda leg: (leg.calldate, leg.uniqueid))
        first = legs[0]
        if first.dcontext in self.settings.ignore_contexts:
            raise Skip("ignored")
        caller = self.who(first.channel)
        if caller is not None:  # began on a manager's phone
            manager: str | None = caller
            picked = [leg for leg in legs if leg.billsec > 0 and leg.dstchannel]
        else:
            picked = [leg for leg in legs if leg.billsec > 0 and self.who(leg.dstchannel)]
            if picked:
                manager = self.who(max(picked, key=lambda leg: leg.answered).dstchannel)
            else:
                manager = next((self.who(leg.dstchannel) for leg in legs
                                if self.who(leg.dstchannel)), None)
        if manager is None:
            raise Skip("unmapped")
        answered = min((leg.answered for leg in picked), default=None)
        kind = self.type(first, began_on_manager=caller is not None)
        if caller is not None:
            client = first.dst if first.dst not in NO_EXTEN else next(
                (leg.dst for leg in legs if leg.dst not in NO_EXTEN), "")
            business = ""
        else:
            client = first.src
            business = first.dst if first.dst not in NO_EXTEN else ""
        created = first.calldate
        ended = max(leg.ended for leg in legs)
        return {
            "id": first.linkedid or first.uniqueid, "type": kind.value,
            "status": (CallStatus.TALKING if answered else CallStatus.RINGING).value,
            "employee_id": manager, "client_number": client, "business_number": business,
            "routing_scheme": None, "queue_id": None, "project": self.directory.project,
            "created_us": us(created),
            "answered_us": us(max(answered, created)) if answered else None,
            "ended_us": us(max(ended, answered or created)), "recording_url": None,
            "origin": "cdr",
        }

    def type(self, first: Leg, began_on_manager: bool) -> CallType:
        said = first.userfield.strip().lower()
        if said in CallType.__members__.values():
            return CallType(said)
        settings = self.settings
        if first.dcontext in settings.callback_contexts:
            return CallType.CALLBACK
        if first.dcontext in settings.incoming_contexts:
            return CallType.INCOMING
        if first.dcontext in settings.outgoing_contexts:
            return CallType.OUTGOING
        return CallType.OUTGOING if began_on_manager else CallType.INCOMING
