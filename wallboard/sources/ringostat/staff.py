"""Who is who: Ringostat's staff list, and each account's status from the polled lists.

``getProjectStaffListAndDirections`` gives employees with their departments and
directions (SIP accounts and phone numbers, each with a status: true online, false
offline). ``/sipstatus/online`` and ``/sipstatus/speaking`` list the SIP logins that are
reachable and in a call right now. An account's status:

- a SIP login: Talking if speaking, else Online if online, else DND where the staff list
  reports DND for it, else Offline;
- a phone number: what the staff list reports for it (Ringostat polls no phones).

A manager's status is the merge of all their accounts (SPEC 5.2), done by the core.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wallboard.core.models import AgentStatus, Employee, SipAccount

_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,}$")
DND_WORDS = frozenset({"dnd", "do_not_disturb", "do not disturb", "donotdisturb"})


class StaffFormatError(ValueError):
    """The staff list does not have the expected shape."""


@dataclass(frozen=True)
class Direction:
    """One SIP account or phone number of an employee, as the staff list gives it."""

    value: str
    sip: bool
    reported: AgentStatus = AgentStatus.OFFLINE
    """The status the staff list gives (refreshed every few minutes)."""


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    department: str | None = None
    extension: str = ""
    directions: tuple[Direction, ...] = ()

    @property
    def logins(self) -> list[str]:
        return [d.value for d in self.directions if d.sip]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _reported(value: Any) -> AgentStatus:
    if value is True:
        return AgentStatus.ONLINE
    if isinstance(value, str):
        word = value.strip().lower()
        if word in DND_WORDS:
            return AgentStatus.DND
        if word in ("true", "online", "1", "available"):
            return AgentStatus.ONLINE
    if isinstance(value, int) and not isinstance(value, bool) and value == 1:
        return AgentStatus.ONLINE
    return AgentStatus.OFFLINE


def _direction(item: Any) -> Direction | None:
    if isinstance(item, str):
        value, kind, status = item.strip(), "", None
    elif isinstance(item, Mapping):
        value = _text(item.get("direction") or item.get("value") or item.get("sip"))
        kind = _text(item.get("type")).lower()
        status = item.get("status")
    else:
        return None
    if not value:
        return None
    sip = "sip" in kind if kind else not _PHONE.match(value)
    return Direction(value=value, sip=sip, reported=_reported(status))


def _department(departments: Any) -> str | None:
    items = departments if isinstance(departments, list) else [departments]
    for item in items:
        name = _text(item.get("name") or item.get("title")) if isinstance(item, Mapping) \
            else _text(item)
        if name:
            return name
    return None


def parse_staff(result: Any) -> list[Member]:
    """The JSON-RPC result (an object keyed by staff id, or a list) as members."""
    if isinstance(result, Mapping):
        items: Iterable[Any] = result.values()
    elif isinstance(result, list):
        items = result
    else:
        raise StaffFormatError("the staff list is neither an object nor a list")
    members = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        staff_id = _text(item.get("staffId") or item.get("id"))
        if not staff_id:
            continue
        raw = item.get("directions") or {}
        groups = [raw.get("main"), raw.get("additional")] if isinstance(raw, Mapping) else [raw]
        directions: list[Direction] = []
        for group in groups:
            for entry in group if isinstance(group, list) else []:
                direction = _direction(entry)
                if direction and all(d.value != direction.value for d in directions):
                    directions.append(direction)
        members.append(Member(
            id=staff_id,
            name=_text(item.get("fio")) or _text(item.get("email")) or staff_id,
            department=_department(item.get("departments")),
            extension=_text(item.get("extensionNumber")),
            directions=tuple(directions),
        ))
    return members


def parse_logins(answer: Any, what: str) -> set[str]:
    """``/sipstatus/online`` or ``/speaking``: a JSON array of SIP logins."""
    if isinstance(answer, Mapping) and isinstance(answer.get("result"), list):
        answer = answer["result"]
    if not isinstance(answer, list):
        raise StaffFormatError(f"{what} is not a list of SIP logins")
    return {_text(x) for x in answer if isinstance(x, str | int) and _text(x)}


@dataclass
class Directory:
    """The staff list, and the statuses last polled."""

    project: str = "default"
    members: dict[str, Member] = field(default_factory=dict)
    loaded: bool = False
    _by_login: dict[str, str] = field(default_factory=dict)
    _by_name: dict[str, str] = field(default_factory=dict)

    def load(self, members: Iterable[Member]) -> None:
        self.members = {m.id: m for m in members}
        self._by_login = {}
        self._by_name = {}
        for member in self.members.values():
            for direction in member.directions:
                self._by_login.setdefault(direction.value.casefold(), member.id)
            self._by_name.setdefault(member.name.casefold(), member.id)
        self.loaded = True

    def employee_of(self, login: str = "", name: str = "") -> str | None:
        """The employee id owning a SIP login or number, else the one with that name."""
        if login and (found := self._by_login.get(login.strip().casefold())):
            return found
        if name:
            return self._by_name.get(name.strip().casefold())
        return None

    def speaking_employees(self, speaking: Iterable[str]) -> set[str]:
        found = {self.employee_of(login) for login in speaking}
        return {e for e in found if e is not None}

    def build(self, online: set[str], speaking: set[str]) -> list[Employee]:
        return [
            Employee(
                id=member.id, name=member.name, department=member.department,
                project=self.project,
                accounts=tuple(self._account(member, d, online, speaking)
                               for d in member.directions),
            )
            for member in self.members.values()
        ]

    @staticmethod
    def _account(member: Member, direction: Direction, online: set[str],
                 speaking: set[str]) -> SipAccount:
        if not direction.sip:
            return SipAccount(id=direction.value, number=direction.value, user_agent="phone",
                              status=direction.reported)
        if direction.value in speaking:
            status = AgentStatus.TALKING
        elif direction.value in online:
            status = AgentStatus.ONLINE
        elif direction.reported is AgentStatus.DND:
            status = AgentStatus.DND
        else:
            status = AgentStatus.OFFLINE
        return SipAccount(id=direction.value, number=member.extension, status=status)
