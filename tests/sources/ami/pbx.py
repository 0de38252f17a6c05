"""The PBX behind the fake AMI: channels, bridges, device states and queues, and the
events real Asterisk raises for each change, field for field.

Written from Asterisk's source at asterisk/asterisk@f0c1c1a7 (see docs/asterisk-ami.md,
"Contract"): channel snapshots as manager_channels.c builds them, bridge fields from
manager_bridges.c, queue blobs from app_queue.c, DeviceStateChange from devicestate.c.
Scripting methods (``add_channel``, ``queue_join`` ...) change the state and emit what
Asterisk would, in Asterisk's order. Its state is the oracle the tests compare the
board with.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

START = datetime(2026, 11, 26, 9, 0, 0, tzinfo=UTC)
STATES = ["Down", "Rsrvd", "OffHook", "Dialing", "Ring", "Ringing", "Up", "Busy",
          "Dialing Offhook", "Pre-ring", "Unknown"]
DEVICE_CODES = {"UNKNOWN": 0, "NOT_INUSE": 1, "INUSE": 2, "BUSY": 3, "INVALID": 4,
                "UNAVAILABLE": 5, "RINGING": 6, "RINGINUSE": 7, "ONHOLD": 8}
EXT_CODES = {"Idle": 0, "InUse": 1, "Busy": 2, "Unavailable": 4, "Ringing": 8,
             "InUse&Ringing": 9, "Hold": 16, "InUse&Hold": 17, "Unknown": -1}
"""enum ast_extension_states and ast_extension_state2str (main/extension_state.c)."""
HINT_TEXT = {"NOT_INUSE": "Idle", "INUSE": "InUse", "BUSY": "Busy", "UNAVAILABLE": "Unavailable",
             "INVALID": "Unavailable", "RINGING": "Ringing", "RINGINUSE": "InUse&Ringing",
             "ONHOLD": "Hold", "UNKNOWN": "Unknown"}
CALL, AGENT = "call", "agent"
Fields = list[tuple[str, str]]


@dataclass
class Chan:
    uniqueid: str
    name: str
    endpoint: str
    state: str
    number: str
    context: str
    exten: str
    linkedid: str
    created: datetime
    variables: dict[str, str] = field(default_factory=dict)
    bridge: str | None = None
    held: bool = False
    app: str = ""
    appdata: str = ""


@dataclass
class Mem:
    interface: str
    name: str
    state_interface: str
    paused: bool = False
    reason: str = ""
    last_pause: int = 0
    last_call: int = 0
    calls: int = 0
    in_call: bool = False
    status: int = 1
    wrapuptime: int = 0


@dataclass
class Q:
    name: str
    members: dict[str, Mem] = field(default_factory=dict)
    entries: list[tuple[str, datetime]] = field(default_factory=list)
    completed: int = 0
    abandoned: int = 0


class Pbx:
    def __init__(self) -> None:
        self.now = START
        self.channels: dict[str, Chan] = {}
        self.bridges: dict[str, list[str]] = {}
        self.registered: set[str] = set()
        self.devices: dict[str, str] = {}
        self.queues: dict[str, Q] = {}
        self.channelvars: list[str] = ["FROM_DID", "WALLBOARD_CALL_TYPE"]
        self._kinds: dict[str, Counter[str]] = {}
        """endpoint -> how many of its channels are held / ringing / busy / down"""
        self._watchers: dict[str, list[tuple[Q, Mem]]] | None = None
        self.hints: dict[str, str] = {}
        """extension -> hint, e.g. ``"1001": "PJSIP/1001&Custom:DND1001"``"""
        self.device_events = True
        """False: res_manager_devicestate is not loaded (no DeviceStateChange)."""
        self.emitted = 0
        self._seq = itertools.count(1)
        self._epoch = int(START.timestamp())

    def emit(self, name: str, klass: str, fields: Fields) -> None:  # the server sends it
        raise NotImplementedError

    def tick(self, seconds: float = 1.0) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    # -- snapshots as Asterisk writes them ---------------------------------------------
    def snapshot(self, chan: Chan, prefix: str = "") -> Fields:
        code = STATES.index(chan.state) if chan.state in STATES else 10
        fields = [
            ("Channel", chan.name), ("ChannelState", str(code)), ("ChannelStateDesc", chan.state),
            ("CallerIDNum", chan.number or "<unknown>"), ("CallerIDName", "<unknown>"),
            ("ConnectedLineNum", "<unknown>"), ("ConnectedLineName", "<unknown>"),
            ("Language", "en"), ("AccountCode", ""), ("Context", chan.context),
            ("Exten", chan.exten), ("Priority", "1"), ("Uniqueid", chan.uniqueid),
            ("Linkedid", chan.linkedid),
        ]
        fields = [(prefix + k, v) for k, v in fields]
        for name in self.channelvars:
            fields.append((f"{prefix}ChanVariable", f"{name}={chan.variables.get(name, '')}"))
        return fields

    def member_blob(self, queue: Q, mem: Mem) -> Fields:
        return [
            ("Queue", queue.name), ("MemberName", mem.name), ("Interface", mem.interface),
            ("StateInterface", mem.state_interface), ("Membership", "static"), ("Penalty", "0"),
            ("CallsTaken", str(mem.calls)), ("LastCall", str(mem.last_call)),
            ("LastPause", str(mem.last_pause)), ("LoginTime", str(self._epoch)),
            ("InCall", "1" if mem.in_call else "0"), ("Status", str(mem.status)),
            ("Paused", "1" if mem.paused else "0"), ("PausedReason", mem.reason),
            ("Ringinuse", "0"), ("Wrapuptime", str(mem.wrapuptime)),
        ]

    # -- channels -------------------------------------------------------------------------
    def new_uniqueid(self) -> str:
        return f"{self._epoch}.{next(self._seq)}"

    def add_channel(self, endpoint: str, *, number: str = "", context: str = "from-internal",
                    exten: str = "s", state: str = "Ring", linkedid: str | None = None,
                    variables: dict[str, str] | None = None, uniqueid: str | None = None,
                    app: str = "", appdata: str = "") -> str:
        uid = uniqueid or self.new_uniqueid()
        name = endpoint if endpoint.startswith("Local/") else f"{endpoint}-{next(self._seq):08x}"
        chan = Chan(uid, name, endpoint.split(";")[0], state, number, context, exten,
                    linkedid or uid, self.now, dict(variables or {}), app=app, appdata=appdata)
        self.channels[uid] = chan
        self._count(chan, 1)
        self.emit("Newchannel", CALL, self.snapshot(chan))
        self._device(chan.endpoint)
        return uid

    def set_state(self, uid: str, state: str) -> None:
        chan = self.channels[uid]
        self._count(chan, -1)
        chan.state = state
        self._count(chan, 1)
        self.emit("Newstate", CALL, self.snapshot(chan))
        self._device(chan.endpoint)

    def dial(self, caller: str, peer: str, status: str) -> None:
        fields = self.snapshot(self.channels[caller]) + self.snapshot(self.channels[peer], "Dest")
        if status == "":
            self.emit("DialBegin", CALL, fields + [("DialString", self.channels[peer].endpoint)])
        else:
            name = "DialState" if status in ("RINGING", "PROCEEDING", "PROGRESS") else "DialEnd"
            self.emit(name, CALL, fields + [("DialStatus", status)])

    def bridge(self, *uids: str, bridge_id: str | None = None) -> str:
        bridge_id = bridge_id or f"bridge-{next(self._seq)}"
        if bridge_id not in self.bridges:
            self.bridges[bridge_id] = []
            self.emit("BridgeCreate", CALL, self._bridge_fields(bridge_id))
        for uid in uids:
            if self.channels[uid].bridge == bridge_id:
                continue
            if self.channels[uid].bridge is not None:  # moved: it leaves its bridge first
                self.leave_bridge(uid)
                if bridge_id not in self.bridges:  # (that was the last one in it)
                    self.bridges[bridge_id] = []
                    self.emit("BridgeCreate", CALL, self._bridge_fields(bridge_id))
            members = self.bridges[bridge_id]
            members.append(uid)
            self.channels[uid].bridge = bridge_id
            oldest = min((self.channels[u].linkedid for u in members), key=self._age)
            for u in members:
                self.channels[u].linkedid = oldest
            self.emit("BridgeEnter", CALL,
                      self._bridge_fields(bridge_id) + self.snapshot(self.channels[uid]))
        return bridge_id

    def leave_bridge(self, uid: str) -> None:
        chan = self.channels[uid]
        if chan.bridge is None:
            return
        bridge_id, chan.bridge = chan.bridge, None
        self.bridges[bridge_id].remove(uid)
        self.emit("BridgeLeave", CALL, self._bridge_fields(bridge_id) + self.snapshot(chan))
        if not self.bridges[bridge_id]:
            del self.bridges[bridge_id]
            self.emit("BridgeDestroy", CALL, self._bridge_fields(bridge_id, gone=True))

    def hold(self, uid: str, on: bool = True) -> None:
        self._count(self.channels[uid], -1)
        self.channels[uid].held = on
        self._count(self.channels[uid], 1)
        self.emit("Hold" if on else "Unhold", CALL, self.snapshot(self.channels[uid]))
        self._device(self.channels[uid].endpoint)
        bridge = self.channels[uid].bridge
        for peer in self.bridges.get(bridge, []) if bridge else []:
            if peer != uid:  # the other side hears the music on hold
                self.moh(peer, on)

    # -- events a call-class user also gets, which nobody needs (the source drops them) --
    def moh(self, uid: str, on: bool) -> None:
        """manager_channels.c channel_moh_start_cb / MusicOnHoldStop."""
        extra = [("Class", "default")] if on else []
        self.emit("MusicOnHoldStart" if on else "MusicOnHoldStop", CALL,
                  self.snapshot(self.channels[uid]) + extra)

    def hangup_request(self, uid: str, soft: bool = False) -> None:
        """manager_channels.c channel_hangup_request_cb."""
        self.emit("SoftHangupRequest" if soft else "HangupRequest", CALL,
                  self.snapshot(self.channels[uid]) + [("Cause", "16")])

    def hangup(self, uid: str, cause: int = 16) -> None:
        if uid not in self.channels:
            return
        self.leave_bridge(uid)
        chan = self.channels.pop(uid)
        self._count(chan, -1)
        self.emit("Hangup", CALL, self.snapshot(chan) + [
            ("Cause", str(cause)), ("Cause-txt", "Normal Clearing")])
        self._device(chan.endpoint)

    def _age(self, linkedid: str) -> tuple[int, int]:
        head, _, tail = linkedid.partition(".")
        return (int(head), int(tail)) if head.isdigit() and tail.isdigit() else (1 << 62, 0)

    def _bridge_fields(self, bridge_id: str, gone: bool = False) -> Fields:
        count = 0 if gone else len(self.bridges.get(bridge_id, []))
        return [("BridgeUniqueid", bridge_id), ("BridgeType", "basic"),
                ("BridgeTechnology", "simple_bridge"), ("BridgeCreator", "<unknown>"),
                ("BridgeName", "<unknown>"), ("BridgeNumChannels", str(count)),
                ("BridgeVideoSourceMode", "none")]

    # -- device states (ast_state_chan2dev, aggregated) --------------------------------------
    def register(self, endpoint: str, on: bool = True) -> None:
        (self.registered.add if on else self.registered.discard)(endpoint)
        self._device(endpoint)

    @staticmethod
    def _kind(chan: Chan) -> str:
        """ast_state_chan2dev: Ringing and Pre-ring ring, Down is free, the rest is in use."""
        if chan.held:
            return "held"
        if chan.state in ("Ringing", "Pre-ring"):
            return "ringing"
        return "down" if chan.state == "Down" else "busy"

    def _count(self, chan: Chan, n: int) -> None:
        self._kinds.setdefault(chan.endpoint, Counter())[self._kind(chan)] += n

    def device_of(self, endpoint: str) -> str:
        kinds = self._kinds.get(endpoint, Counter())
        if not any(kinds.values()):
            return "NOT_INUSE" if endpoint in self.registered else "UNAVAILABLE"
        if kinds["held"]:
            return "ONHOLD"
        if kinds["ringing"]:
            return "RINGINUSE" if kinds["busy"] else "RINGING"
        return "INUSE" if kinds["busy"] else "NOT_INUSE"

    def _device(self, endpoint: str) -> None:
        if "/" not in endpoint or endpoint.startswith("Local/"):
            return
        state = self.device_of(endpoint)
        if self.devices.get(endpoint) == state:
            return
        self.devices[endpoint] = state
        if self.device_events:
            self.emit("DeviceStateChange", CALL, [("Device", endpoint), ("State", state)])
        for exten, hint in self.hints.items():
            if endpoint in hint.split(",")[0].split("&"):
                text = self.hint_state(hint)
                self.emit("ExtensionStatus", CALL, [
                    ("Exten", exten), ("Context", "ext-local"), ("Hint", hint),
                    ("Status", str(EXT_CODES[text])), ("StatusText", text)])
        if self._watchers is None:
            self._watchers = {}
            for queue in self.queues.values():
                for mem in queue.members.values():
                    self._watchers.setdefault(mem.state_interface, []).append((queue, mem))
        for queue, mem in self._watchers.get(endpoint, ()):
            self._member_status(queue, mem, DEVICE_CODES[state])

    def hint_state(self, hint: str) -> str:
        """The hint's state from its first device (enough for one phone per hint)."""
        device = hint.split(",")[0].split("&")[0]
        return HINT_TEXT[self.devices.get(device) or self.device_of(device)]

    def _member_status(self, queue: Q, mem: Mem, status: int) -> None:
        """app_queue.c update_status: free again after a queue call stamps LastCall."""
        if mem.status == status:
            return
        if status == 1 and mem.in_call:
            mem.in_call = False
            mem.last_call = int(self.now.timestamp())
            mem.calls += 1
        mem.status = status
        self.emit("QueueMemberStatus", AGENT, self.member_blob(queue, mem))

    def epoch(self) -> int:
        return int(self.now.timestamp())

    def describe(self) -> dict[str, Any]:
        return {"channels": len(self.channels), "bridges": len(self.bridges)}
