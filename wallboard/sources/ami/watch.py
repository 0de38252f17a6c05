"""The watchers of a live AMI session: Ping, the read-class audit, DND polling; and pause.

- **Ping** every ``ping_seconds``; no reply within as long again means the link went
  silent (a dead NAT mapping, a hung Asterisk): drop it and reconnect.
- **Read classes**: AMI has no action that tells a user its own read classes, and a
  user without ``read = call`` (or ``agent``) simply receives nothing. Until an event of
  a class has arrived, the audit lists what that class would have reported
  (DeviceStateList for ``call``, QueueSummary for ``agent``) every two pings; the same
  change seen twice with still no event of that class is a missing class, said once.
- **DND from AstDB**: DBGet per endpoint (AstDB sends no events).
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

from wallboard.sources.ami import errors
from wallboard.sources.ami.connection import AmiActionError, AmiClosed, AmiConnection
from wallboard.sources.base import SourceError

if TYPE_CHECKING:
    from wallboard.sources.ami.client import AmiClient

DND_OFF = {"", "0", "no", "off", "false"}
REASON = re.compile(r"[^\w .,:;!?()/+-]")
"""What may stay in a pause reason (app_queue keeps 80 characters)."""


class Auditor:
    def __init__(self, client: AmiClient, connection: AmiConnection, interval: float) -> None:
        self.client = client
        self.connection = connection
        self.interval = interval

    async def ping(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.connection.action("Ping", timeout=self.interval)
            except TimeoutError:
                settings = self.client.settings
                raise errors.AmiDropped(
                    f"{errors.where(settings.host, settings.port)} went silent: no reply to "
                    f"Ping within {self.interval:g} s."
                ) from None

    async def audit(self) -> None:
        client = self.client
        timeout = max(30.0, client.settings.request_timeout_seconds)
        devices = dict(client.devices_at_resync)  # what the snapshot said
        queues = {name: item.get("Callers") for name, item in client.queues.summary.items()}
        suspect: dict[str, object] = {}
        while not (client.seen_call and client.seen_agent):
            if not client.seen_call and "DeviceStateList" in client.allowed:
                listing = await self.connection.action_list("DeviceStateList", timeout=timeout)
                now = {i.get("Device"): i.get("State") for i in listing}
                self._judge("call", now != devices and now, suspect, "the device states")
            if not client.seen_agent and "QueueSummary" in client.allowed:
                listing = await self.connection.action_list("QueueSummary", timeout=timeout)
                callers = {i.get("Queue"): i.get("Callers") for i in listing}
                self._judge("agent", callers != queues and callers, suspect, "the queues")
            await asyncio.sleep(2 * self.interval)

    def _judge(self, klass: str, change: object, suspect: dict[str, object], what: str) -> None:
        seen = self.client.seen_call if klass == "call" else self.client.seen_agent
        if not change or seen:
            suspect.pop(klass, None)
            return
        if suspect.get(klass) == change:
            raise errors.AmiGiveUp(
                errors.missing_read(self.client.settings.username, klass, what)
            )
        suspect[klass] = change

    async def read_dnd(self) -> dict[str, bool]:
        client = self.client
        family = client.settings.dnd_astdb_family
        if not family or "DBGet" not in client.allowed:
            return {}
        result = {}
        for endpoint in client.world.directory.endpoints:
            key = endpoint.partition("/")[2]
            try:
                items = await self.connection.action_list("DBGet", Family=family, Key=key)
            except AmiActionError:  # "Database entry not found": no DND
                result[endpoint] = False
                continue
            value = items[0].get("Val").strip().lower() if items else ""
            result[endpoint] = value not in DND_OFF
        return result

    async def poll_dnd(self) -> None:
        client = self.client
        while True:
            await asyncio.sleep(client.settings.dnd_poll_seconds)
            for endpoint, on in (await self.read_dnd()).items():
                client.world.set_dnd(endpoint, on)
            client.emit(client.mapper.update(set(), client.clock.now()))


async def pause_member(
    client: AmiClient, interface: str, paused: bool, reason: str, queue: str | None
) -> None:
    """QueuePause for a member Asterisk listed; refusals are one sentence."""
    members = client.queues.members_of(interface)
    if queue is not None:
        members = [m for m in members if m.queue == queue]
    if not members:
        where = f"queue {queue!r}" if queue else "any queue"
        raise SourceError(f"{interface} is not a member of {where}.")
    fields: dict[str, str | list[str]] = {
        "Interface": interface, "Paused": "true" if paused else "false"
    }
    if queue is not None:
        fields["Queue"] = queue
    clean = REASON.sub("", reason).strip()[:79]
    if paused and clean:
        fields["Reason"] = clean
    try:
        await client.action("QueuePause", **fields)
    except SourceError as exc:
        if "Interface not found" in str(exc):
            raise SourceError(f"Asterisk no longer has {interface} in that queue.") from None
        raise
    except AmiClosed:
        raise SourceError("Lost the connection to Asterisk.") from None


async def pause_manager(client: AmiClient, employee_id: str, paused: bool, reason: str) -> None:
    """QueuePause for every interface a manager is a queue member by, in every queue."""
    interfaces = sorted({m.interface for m in
                         client.agents.memberships().get(employee_id, [])})
    if not interfaces:
        raise SourceError(f"{employee_id} is not a member of any queue.")
    for interface in interfaces:
        await pause_member(client, interface, paused, reason, None)
