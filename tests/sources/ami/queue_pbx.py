"""app_queue in the fake: members, callers waiting, agents rung, answered, completed.

The order of events follows app_queue.c at asterisk/asterisk@f0c1c1a7: a caller joins
(QueueCallerJoin); a member is rung (AgentCalled, then the Dial events of the member's
leg); on answer the caller leaves the queue (QueueCallerLeave) and AgentConnect follows;
at the end AgentComplete, hang-ups, and the member's device turning free stamps LastCall
(QueueMemberStatus). An abandon is QueueCallerAbandon, QueueCallerLeave, Hangup.
"""

from __future__ import annotations

from tests.sources.ami.pbx import AGENT, Mem, Pbx, Q


class QueuePbx(Pbx):
    def add_queue(self, name: str, *members: tuple[str, str]) -> None:
        self._watchers = None
        queue = self.queues.setdefault(name, Q(name))
        for interface, member_name in members:
            queue.members[interface] = Mem(
                interface, member_name, interface,
                status=1 if interface in self.registered else 5,
            )

    def add_member(self, queue: str, interface: str, name: str) -> None:
        mem = Mem(interface, name, interface, status=1 if interface in self.registered else 5)
        self.queues[queue].members[interface] = mem
        self._watchers = None
        self.emit("QueueMemberAdded", AGENT, self.member_blob(self.queues[queue], mem))

    def remove_member(self, queue: str, interface: str) -> None:
        mem = self.queues[queue].members.pop(interface)
        self._watchers = None
        self.emit("QueueMemberRemoved", AGENT, self.member_blob(self.queues[queue], mem))

    def pause(self, interface: str, paused: bool, reason: str = "",
              queue: str | None = None) -> bool:
        """set_queue_member_pause: in one queue or all; False if not a member anywhere."""
        found = False
        for q in self.queues.values():
            if queue not in (None, q.name) or interface not in q.members:
                continue
            mem = q.members[interface]
            found = True
            mem.paused = paused
            if paused:
                mem.last_pause = self.epoch()
            mem.reason = reason if paused else ""
            self.emit("QueueMemberPause", AGENT, self.member_blob(q, mem))
        return found

    def queue_join(self, uid: str, queue: str) -> None:
        q = self.queues[queue]
        q.entries.append((uid, self.now))
        self.emit("QueueCallerJoin", AGENT, self.snapshot(self.channels[uid]) + [
            ("Queue", queue), ("Position", str(len(q.entries))), ("Count", str(len(q.entries)))])
        self.moh(uid, True)  # app_queue plays music on hold to a waiting caller

    def _leave(self, uid: str, queue: str) -> None:
        q = self.queues[queue]
        position = next(i for i, (u, _) in enumerate(q.entries, 1) if u == uid)
        q.entries = [e for e in q.entries if e[0] != uid]
        self.emit("QueueCallerLeave", AGENT, self.snapshot(self.channels[uid]) + [
            ("Queue", queue), ("Position", str(position)), ("Count", str(len(q.entries)))])

    def _agent_fields(self, uid: str, agent: str, queue: str, interface: str) -> list[
            tuple[str, str]]:
        mem = self.queues[queue].members[interface]
        return (self.snapshot(self.channels[uid]) + self.snapshot(self.channels[agent], "Dest")
                + [("Queue", queue), ("Interface", interface), ("MemberName", mem.name)])

    def queue_ring(self, uid: str, queue: str, interface: str) -> str:
        """app_queue rings a member: its leg (the caller's linkedid), AgentCalled, Dial."""
        agent = self.add_channel(interface, state="Down", context="from-queue",
                                 exten=interface.partition("/")[2],
                                 linkedid=self.channels[uid].linkedid)
        self.emit("AgentCalled", AGENT, self._agent_fields(uid, agent, queue, interface))
        self.dial(uid, agent, "")
        self.set_state(agent, "Ringing")
        self.dial(uid, agent, "RINGING")
        return agent

    def queue_no_answer(self, uid: str, agent: str, queue: str, interface: str,
                        ring_ms: int = 15000) -> None:
        self.emit("AgentRingNoAnswer", AGENT, self._agent_fields(uid, agent, queue, interface)
                  + [("RingTime", str(ring_ms))])
        self.dial(uid, agent, "NOANSWER")
        self.hangup(agent, cause=19)

    def queue_answer(self, uid: str, agent: str, queue: str, interface: str) -> str:
        joined = next(t for u, t in self.queues[queue].entries if u == uid)
        self.set_state(agent, "Up")
        self.dial(uid, agent, "ANSWER")
        self.moh(uid, False)
        self._leave(uid, queue)
        self.queues[queue].members[interface].in_call = True
        self.emit("AgentConnect", AGENT, self._agent_fields(uid, agent, queue, interface) + [
            ("HoldTime", str(int((self.now - joined).total_seconds()))), ("RingTime", "3")])
        return self.bridge(uid, agent)

    def queue_complete(self, uid: str, agent: str, queue: str, interface: str,
                       talk: int, reason: str = "caller") -> None:
        self.emit("AgentComplete", AGENT, self._agent_fields(uid, agent, queue, interface) + [
            ("HoldTime", "5"), ("TalkTime", str(talk)), ("Reason", reason)])
        self.queues[queue].completed += 1
        first, second = (uid, agent) if reason == "caller" else (agent, uid)
        self.hangup_request(first)  # the BYE from the side that hung up
        self.hangup(first)
        self.hangup_request(second, soft=True)  # the bridge ends for the other side
        self.hangup(second)

    def queue_abandon(self, uid: str, queue: str) -> None:
        q = self.queues[queue]
        joined = next(t for u, t in q.entries if u == uid)
        position = next(i for i, (u, _) in enumerate(q.entries, 1) if u == uid)
        q.abandoned += 1
        self.emit("QueueCallerAbandon", AGENT, self.snapshot(self.channels[uid]) + [
            ("Queue", queue), ("Position", str(position)), ("OriginalPosition", str(position)),
            ("HoldTime", str(int((self.now - joined).total_seconds())))])
        self._leave(uid, queue)
        self.moh(uid, False)
        self.hangup_request(uid)
        self.hangup(uid)

    def restart_pbx(self) -> None:
        """Asterisk restarted: every channel, bridge and queue entry is gone, no event."""
        self.channels.clear()
        self.bridges.clear()
        self._kinds.clear()
        for q in self.queues.values():
            q.entries.clear()
            for mem in q.members.values():
                mem.in_call = False
                mem.status = 1 if mem.state_interface in self.registered else 5
        self.devices = {e: self.device_of(e) for e in self.devices}
        self._epoch += 600
