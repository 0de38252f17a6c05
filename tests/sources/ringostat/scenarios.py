"""Call scenarios as Ringostat would play them, and a webhook sender that delivers them.

A :class:`Script` is one call's truth: its moments in order (who had it at each), whether
it was answered, whether it ended. :func:`webhooks` turns it into the webhooks Ringostat
sends (parameters named as the recommended set of docs/ringostat.md; the moment is a static
parameter in the address, as Ringostat's editor allows). :class:`Sender` posts them to a
``wallboard serve``, form-encoded like Ringostat's "http" submission type, or as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import httpx

from wallboard.core.models import CallStatus, CallType

SECRET = "hook-7Qz2M9vKx41LpA0d"


@dataclass
class Step:
    moment: str
    """before / answer / forward / after"""
    sip: str = ""


@dataclass
class Script:
    call_id: str
    type: CallType
    steps: list[Step]
    client: str = "+380501112233"
    business: str = "+380441234567"
    started: datetime | None = None
    answered: bool = False
    """The client or the manager picked up (an outgoing call's answer sends no webhook)."""
    scheme: str = ""

    @property
    def ended(self) -> bool:
        return any(s.moment == "after" for s in self.steps)

    @property
    def employee_sip(self) -> str:
        """The SIP login that has the call now (the last one named)."""
        named = [s.sip for s in self.steps if s.sip and s.moment != "after"]
        return named[-1] if named else ""

    @property
    def status(self) -> CallStatus:
        return CallStatus.TALKING if self.answered else CallStatus.RINGING


@dataclass
class Webhook:
    call_id: str
    moment: str
    params: dict[str, str] = field(default_factory=dict)


def webhooks(script: Script) -> list[Webhook]:
    kind = {CallType.INCOMING: "in", CallType.CALLBACK: "in", CallType.OUTGOING: "out"}
    out = []
    for step in script.steps:
        params = {
            "uniqueid": script.call_id,
            "call_type": kind[script.type],
            "insertion_type": "callback" if script.type is CallType.CALLBACK else "dynamic",
        }
        if script.type is CallType.OUTGOING:
            params |= {"caller": step.sip or "", "dst": script.client}
        else:
            params |= {"caller": script.client, "dst": script.business}
        if step.sip:
            params["sip"] = step.sip
        if script.started is not None:
            params["calldate"] = script.started.strftime("%Y-%m-%d %H:%M:%S")
        if script.scheme:
            params["scheme"] = script.scheme
        out.append(Webhook(script.call_id, step.moment, params))
    return out


class Sender:
    """Delivers webhooks to ``base/v1/hooks/ringostat/<secret>?event=<moment>``."""

    def __init__(self, base: str, secret: str = SECRET, as_json: bool = False) -> None:
        self.url = f"{base}/v1/hooks/ringostat/{secret}"
        self.as_json = as_json
        self.client = httpx.AsyncClient(timeout=10)
        self.answers: list[int] = []

    async def send(self, hook: Webhook) -> httpx.Response:
        query = {"event": hook.moment}
        if self.as_json:
            response = await self.client.post(self.url, params=query, json=hook.params)
        else:
            response = await self.client.post(self.url, params=query, data=hook.params)
        self.answers.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self.client.aclose()
