"""A fake Asterisk Manager Interface: a real TCP server on a loopback port.

It speaks AMI as main/manager.c does (asterisk/asterisk@f0c1c1a7): the greeting line,
``Key: value`` blocks, Login (a wrong secret: a pause, ``Authentication failed``, the
socket closed), actions checked against the user's *write* classes (``Permission
denied``), events sent only for the user's *read* classes and the classes asked at
Login, lists as ``EventList: start`` ... ``...Complete``. Tests script the PBX
(:mod:`tests.sources.ami.queue_pbx`) and can drop connections, go silent, or restart
Asterisk (every channel lost). ``actions`` records what clients sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from tests.sources.ami.pbx import DEVICE_CODES, EXT_CODES, Fields
from tests.sources.ami.queue_pbx import QueuePbx

BANNER = b"Asterisk Call Manager/13.0.0\r\n"
AUTHORITY = {
    "Login": set(), "Logoff": set(), "Ping": set(), "Events": set(), "ListCommands": set(),
    "QueueStatus": set(), "QueueSummary": set(),
    "CoreShowChannels": {"system", "reporting"}, "CoreStatus": {"system", "reporting"},
    "DeviceStateList": {"call", "reporting"}, "DBGet": {"system", "reporting"},
    "ExtensionStateList": {"call", "reporting"},
    "QueuePause": {"agent"}, "Originate": {"originate"}, "Hangup": {"system", "call"},
    "PlayDTMF": {"call"},
}
"""Who may run what: ast_manager_register_xml(_core)(name, authority, ...) at the commit."""
ALL = {"system", "call", "log", "verbose", "agent", "user", "config", "dtmf", "reporting",
       "cdr", "dialplan", "originate", "command"}


@dataclass
class User:
    secret: str
    read: set[str]
    write: set[str]
    multiple: bool = True
    """manager.conf allowmultiplelogin."""


@dataclass
class Session:
    writer: asyncio.StreamWriter
    user: User | None = None
    events: set[str] = field(default_factory=set)


class FakeAmi(QueuePbx):
    def __init__(self) -> None:
        super().__init__()
        self.users = {
            "wall": User("s3cret", {"call", "agent", "reporting"},
                         {"call", "agent", "reporting", "originate"}),
        }
        self.sessions: list[Session] = []
        self.actions: list[dict[str, str]] = []
        self.sent: list[tuple[str, Fields]] = []
        self.logins = 0
        self.silent = False
        self.timestamps = True
        self.record = True
        """Keep every event sent in ``sent`` (off in the benchmark)."""
        self.auth_delay = 0.05
        self.port = 0
        self.dnd_db: dict[str, str] = {}
        self.originates: list[dict[str, str]] = []
        self.startup = "2026-11-26 08:00:00"
        self._server: asyncio.Server | None = None
        self.modules_missing: set[str] = set()
        """Actions whose module is not loaded (ListCommands leaves them out)."""

    # -- life ---------------------------------------------------------------------------
    async def start(self, port: int = 0) -> FakeAmi:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        await self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def drop(self) -> None:
        """Close every client connection (a network blip, an Asterisk going down)."""
        for session in list(self.sessions):
            session.writer.close()
        self.sessions.clear()
        await asyncio.sleep(0)

    async def restart(self, down_for: float = 0.2) -> None:
        """Asterisk restarts: connections drop, the port is closed a while, state is lost."""
        await self.stop()
        self.restart_pbx()
        self.startup = "2026-11-26 10:00:00"
        await asyncio.sleep(down_for)
        await self.start(self.port)

    async def wait_for_sessions(self, n: int = 1, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while sum(1 for s in self.sessions if s.user) < n:
                await asyncio.sleep(0.01)

    # -- events -------------------------------------------------------------------------
    def emit(self, name: str, klass: str, fields: Fields) -> None:
        self.emitted += 1
        if self.record:
            self.sent.append((name, fields))
        head = f"Event: {name}\r\nPrivilege: {klass},all\r\n"
        if self.timestamps:  # manager.conf timestampevents = yes
            head += f"Timestamp: {self.now.timestamp():.6f}\r\n"
        data = (head + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n").encode()
        for session in self.sessions:
            user = session.user
            if user and klass in user.read and klass in session.events and not self.silent:
                session.writer.write(data)

    # -- protocol -----------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session(writer)
        self.sessions.append(session)
        writer.write(BANNER)
        buffer = b""
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                buffer += data
                while b"\r\n\r\n" in buffer:
                    block, buffer = buffer.split(b"\r\n\r\n", 1)
                    action: dict[str, str] = {}
                    for line in block.decode().split("\r\n"):
                        key, _, value = line.partition(": ")
                        action.setdefault(key, value)
                    if not await self._action(session, action):
                        return
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if session in self.sessions:
                self.sessions.remove(session)
            writer.close()

    def _reply(self, session: Session, action: dict[str, str], fields: Fields) -> None:
        if self.silent:
            return
        head: Fields = [fields[0], ("ActionID", action.get("ActionID", ""))]
        text = "".join(f"{k}: {v}\r\n" for k, v in head + fields[1:]) + "\r\n"
        session.writer.write(text.encode())

    def _error(self, session: Session, action: dict[str, str], message: str) -> None:
        self._reply(session, action, [("Response", "Error"), ("Message", message)])

    def _list(self, session: Session, action: dict[str, str], what: str, items: list[
            tuple[str, Fields]], complete: str) -> None:
        self._reply(session, action, [("Response", "Success"), ("EventList", "start"),
                                      ("Message", f"{what} will follow")])
        aid = action.get("ActionID", "")
        for name, fields in items:
            self._reply(session, action, [("Event", name), *fields])
        self._reply(session, {"ActionID": aid}, [
            ("Event", complete), ("EventList", "Complete"), ("ListItems", str(len(items)))])

    async def _action(self, session: Session, action: dict[str, str]) -> bool:
        name = action.get("Action", "")
        self.actions.append(action)
        if name == "Login":
            self.logins += 1
            user = self.users.get(action.get("Username", ""))
            if user is None or user.secret != action.get("Secret"):
                await asyncio.sleep(self.auth_delay)  # manager.c sleeps 1 s
                self._error(session, action, "Authentication failed")
                return False
            if not user.multiple and any(s.user is user for s in self.sessions):
                await asyncio.sleep(self.auth_delay)
                self._error(session, action, "Login Already In Use")
                return False
            session.user = user
            wanted = action.get("Events", "on")
            session.events = ALL if wanted == "on" else (
                set() if wanted == "off" else set(wanted.split(",")))
            self._reply(session, action, [("Response", "Success"),
                                          ("Message", "Authentication accepted")])
            return True
        if session.user is None:
            self._error(session, action, "Permission denied")
            return True
        if name not in AUTHORITY or name in self.modules_missing:
            self._error(session, action, f"Invalid/unknown command: {name}. Use Action: "
                        "ListCommands to show available commands.")
            return True
        needed = AUTHORITY[name]
        if needed and not needed & session.user.write:
            self._error(session, action, "Permission denied")
            return True
        handler = getattr(self, f"_do_{name.lower()}")
        handler(session, action)
        return name != "Logoff"

    # -- actions ------------------------------------------------------------------------
    def _do_logoff(self, session: Session, action: dict[str, str]) -> None:
        self._reply(session, action, [("Response", "Goodbye"),
                                      ("Message", "Thanks for all the fish.")])

    def _do_ping(self, session: Session, action: dict[str, str]) -> None:
        self._reply(session, action, [("Response", "Success"), ("Ping", "Pong"),
                                      ("Timestamp", f"{self.now.timestamp():.6f}")])

    def _do_listcommands(self, session: Session, action: dict[str, str]) -> None:
        user = session.user
        assert user is not None
        allowed = [n for n, need in AUTHORITY.items() if (not need or need & user.write)
                   and n not in self.modules_missing]
        self._reply(session, action, [("Response", "Success")] + [
            (n, f"{n} synopsis. (Priv: {','.join(sorted(AUTHORITY[n])) or '<none>'})")
            for n in allowed])

    def _do_corestatus(self, session: Session, action: dict[str, str]) -> None:
        date, time = self.startup.split()
        self._reply(session, action, [("Response", "Success"), ("CoreStartupDate", date),
                                      ("CoreStartupTime", time), ("CoreReloadDate", date),
                                      ("CoreReloadTime", time),
                                      ("CoreCurrentCalls", str(len(self.channels)))])

    def _do_coreshowchannels(self, session: Session, action: dict[str, str]) -> None:
        items = []
        for chan in self.channels.values():
            seconds = int((self.now - chan.created).total_seconds())
            duration = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
            items.append(("CoreShowChannel", self.snapshot(chan) + [
                ("Application", chan.app), ("ApplicationData", chan.appdata),
                ("Duration", duration), ("BridgeId", chan.bridge or "")]))
        self._list(session, action, "Channels", items, "CoreShowChannelsComplete")

    def _do_devicestatelist(self, session: Session, action: dict[str, str]) -> None:
        items = [("DeviceStateChange", [("Device", d), ("State", s)])
                 for d, s in self.devices.items()]
        self._list(session, action, "Device State Changes", items, "DeviceStateListComplete")

    def _do_extensionstatelist(self, session: Session, action: dict[str, str]) -> None:
        items = [("ExtensionStatus", [
            ("Exten", exten), ("Context", "ext-local"), ("Hint", hint),
            ("Status", str(EXT_CODES[self.hint_state(hint)])),
            ("StatusText", self.hint_state(hint))]) for exten, hint in self.hints.items()]
        self._list(session, action, "Extension Statuses", items, "ExtensionStateListComplete")

    def _do_queuestatus(self, session: Session, action: dict[str, str]) -> None:
        items: list[tuple[str, Fields]] = []
        for q in self.queues.values():
            items.append(("QueueParams", [
                ("Queue", q.name), ("Max", "0"), ("Strategy", "ringall"),
                ("Calls", str(len(q.entries))), ("Holdtime", "0"), ("TalkTime", "0"),
                ("Completed", str(q.completed)), ("Abandoned", str(q.abandoned)),
                ("ServiceLevel", "60"), ("ServicelevelPerf", "0.0"),
                ("ServicelevelPerf2", "0.0"), ("Weight", "0")]))
            for mem in q.members.values():
                blob = dict(self.member_blob(q, mem))
                items.append(("QueueMember", [("Queue", q.name), ("Name", mem.name),
                                              ("Location", mem.interface)] + [
                    (k, blob[k]) for k in ("StateInterface", "Membership", "Penalty",
                                           "CallsTaken", "LastCall", "LastPause", "LoginTime",
                                           "InCall", "Status", "Paused", "PausedReason",
                                           "Wrapuptime")]))
            for position, (uid, joined) in enumerate(q.entries, 1):
                chan = self.channels[uid]
                items.append(("QueueEntry", [
                    ("Queue", q.name), ("Position", str(position)), ("Channel", chan.name),
                    ("Uniqueid", uid), ("CallerIDNum", chan.number or "unknown"),
                    ("CallerIDName", "unknown"), ("ConnectedLineNum", "unknown"),
                    ("ConnectedLineName", "unknown"),
                    ("Wait", str(int((self.now - joined).total_seconds()))), ("Priority", "0")]))
        self._list(session, action, "Queue status", items, "QueueStatusComplete")

    def _do_queuesummary(self, session: Session, action: dict[str, str]) -> None:
        items = []
        for q in self.queues.values():
            available = sum(1 for m in q.members.values()
                            if not m.paused and m.status == DEVICE_CODES["NOT_INUSE"])
            items.append(("QueueSummary", [
                ("Queue", q.name), ("LoggedIn", str(len(q.members))),
                ("Available", str(available)), ("Callers", str(len(q.entries))),
                ("HoldTime", "0"), ("TalkTime", "0"), ("LongestHoldTime", "0")]))
        self._list(session, action, "Queue summary", items, "QueueSummaryComplete")

    def _do_dbget(self, session: Session, action: dict[str, str]) -> None:
        key = f"{action.get('Family')}/{action.get('Key')}"
        if key not in self.dnd_db:
            self._error(session, action, "Database entry not found")
            return
        self._list(session, action, "Result", [("DBGetResponse", [
            ("Family", action.get("Family", "")), ("Key", action.get("Key", "")),
            ("Val", self.dnd_db[key])])], "DBGetComplete")

    def _do_queuepause(self, session: Session, action: dict[str, str]) -> None:
        if not action.get("Interface") or not action.get("Paused"):
            self._error(session, action, "Need 'Interface' and 'Paused' parameters.")
            return
        paused = action["Paused"].lower() in ("true", "yes", "1", "on")
        if not self.pause(action["Interface"], paused, action.get("Reason", ""),
                          action.get("Queue")):
            self._error(session, action, "Interface not found")
            return
        message = "Interface paused successfully" if paused else "Interface unpaused successfully"
        self._reply(session, action, [("Response", "Success"), ("Message", message)])

    def _do_originate(self, session: Session, action: dict[str, str]) -> None:
        self.originates.append(action)
        self._reply(session, action, [("Response", "Success"),
                                      ("Message", "Originate successfully queued")])

    def _do_hangup(self, session: Session, action: dict[str, str]) -> None:
        uid = next((u for u, c in self.channels.items() if c.name == action.get("Channel")), None)
        if uid is None:
            self._error(session, action, "No such channel")
            return
        self.hangup(uid, cause=16)
        self._reply(session, action, [("Response", "Success"),
                                      ("Message", "Channel Hungup")])

    def _do_playdtmf(self, session: Session, action: dict[str, str]) -> None:
        if not any(c.name == action.get("Channel") for c in self.channels.values()):
            self._error(session, action, "Channel not found")
            return
        self._reply(session, action, [("Response", "Success"),
                                      ("Message", "DTMF successfully queued")])

    def _do_events(self, session: Session, action: dict[str, str]) -> None:
        self._reply(session, action, [("Response", "Success"), ("Events", "On")])

    @contextlib.contextmanager
    def quiet(self):  # type: ignore[no-untyped-def]
        """Go silent (a hung Asterisk / dead NAT): the socket stays open, nothing comes."""
        self.silent = True
        try:
            yield
        finally:
            self.silent = False

    # -- originated calls (ChanSpy listening) --------------------------------------------
    def answer_originate(self, index: int = -1) -> str:
        """The supervisor answers the phone an Originate rang; ChanSpy starts spying."""
        action = self.originates[index]
        uid = self.add_channel(action["Channel"], uniqueid=action.get("ChannelId"),
                               state="Up", app=action.get("Application", ""),
                               appdata=action.get("Data", ""))
        chan = self.channels[uid]
        self.emit("OriginateResponse", "call", [
            ("ActionID", action.get("ActionID", "")), ("Response", "Success"),
            ("Channel", chan.name), ("Application", chan.app), ("Data", chan.appdata),
            ("Reason", "4"), ("Uniqueid", uid), ("CallerIDNum", "<unknown>"),
            ("CallerIDName", "<unknown>")])
        spied = chan.appdata.split(",")[0]
        target = next(c for c in self.channels.values() if c.name == spied)
        self.emit("ChanSpyStart", "call", self.snapshot(chan, "Spyer")
                  + self.snapshot(target, "Spyee"))
        return uid

    def fail_originate(self, reason: str = "3", index: int = -1) -> None:
        action = self.originates[index]
        self.emit("OriginateResponse", "call", [
            ("ActionID", action.get("ActionID", "")), ("Response", "Failure"),
            ("Channel", action["Channel"]), ("Application", action.get("Application", "")),
            ("Data", action.get("Data", "")), ("Reason", reason),
            ("Uniqueid", action.get("ChannelId", "<unknown>")),
            ("CallerIDNum", "<unknown>"), ("CallerIDName", "<unknown>")])
