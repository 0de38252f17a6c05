"""Who is who: the configured map of PBX endpoints to managers, and their statuses.

Shared by the Asterisk sources (ARI and AMI). The map comes inline from the config
(``employees = [...]``) and/or from a CSV file with the columns
``id,name,department,endpoint`` (one row per endpoint; rows with the same id are one
manager). A manager's status is the merge of all their endpoints (SPEC 5.2).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from wallboard.config import AriEmployee
from wallboard.core.models import AgentStatus, Employee, SipAccount, merge_status
from wallboard.sources.base import SourceError

OFFLINE_DEVICE_STATES = frozenset({"UNAVAILABLE", "INVALID"})
BUSY_DEVICE_STATES = frozenset({"INUSE", "BUSY", "ONHOLD", "RINGINUSE"})
DND_ON_DEVICE_STATES = frozenset({"INUSE", "BUSY", "ONHOLD", "RINGINUSE", "RINGING"})


class EndpointMapSettings(Protocol):
    """What a source's settings hold for the map (``[source]`` of ARI and of AMI)."""

    @property
    def employees(self) -> Sequence[AriEmployee]: ...

    @property
    def employees_csv(self) -> Path | None: ...


def load_employees(settings: EndpointMapSettings) -> list[AriEmployee]:
    """The inline map followed by the CSV file's rows; a bad file is a SourceError."""
    merged: dict[str, AriEmployee] = {}
    for employee in [*settings.employees, *_read_csv(settings.employees_csv)]:
        known = merged.get(employee.id)
        if known is None:
            merged[employee.id] = employee
            continue
        endpoints = [*known.endpoints, *(e for e in employee.endpoints if e not in known.endpoints)]
        merged[employee.id] = known.model_copy(
            update={
                "endpoints": endpoints,
                "name": known.name or employee.name,
                "department": known.department or employee.department,
            }
        )
    return list(merged.values())


def _read_csv(path: Path | None) -> list[AriEmployee]:
    if path is None:
        return []
    try:
        with path.expanduser().open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the employees CSV ({exc.strerror}).") from None
    employees = []
    for number, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if not row.get("id") or not row.get("endpoint"):
            raise SourceError(f"{path}, line {number}: every row needs an id and an endpoint.")
        employees.append(
            AriEmployee(
                id=row["id"],
                name=row.get("name", ""),
                department=row.get("department") or None,
                endpoints=[row["endpoint"]],
            )
        )
    return employees


@dataclass
class AccountState:
    """What Asterisk last said about one endpoint."""

    endpoint_state: str | None = None
    device_state: str | None = None
    dnd: bool = False
    talking: bool = False
    """Set from the calls: the endpoint has a channel in an answered call."""

    @property
    def status(self) -> AgentStatus:
        if self.device_state in OFFLINE_DEVICE_STATES or (
            self.endpoint_state != "online"
            and self.device_state in (None, "UNKNOWN")
        ):
            return AgentStatus.OFFLINE
        if self.talking or self.device_state in BUSY_DEVICE_STATES:
            return AgentStatus.TALKING
        if self.dnd:
            return AgentStatus.DND
        return AgentStatus.ONLINE


@dataclass
class Directory:
    """Managers, the endpoints they own, and the live state of each endpoint."""

    employees: list[AriEmployee]
    project: str = "default"
    accounts: dict[str, AccountState] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)
    """endpoint -> employee id"""

    def __post_init__(self) -> None:
        for employee in self.employees:
            for endpoint in employee.endpoints:
                self.owner.setdefault(endpoint, employee.id)
                self.accounts.setdefault(endpoint, AccountState())

    @property
    def endpoints(self) -> list[str]:
        return list(self.owner)

    def employee_of(self, endpoint: str) -> str | None:
        return self.owner.get(endpoint)

    def statuses(self) -> dict[str, AgentStatus]:
        return {endpoint: state.status for endpoint, state in self.accounts.items()}

    def reset(self) -> None:
        """Forget every live state (before a resync)."""
        for endpoint in self.accounts:
            self.accounts[endpoint] = AccountState()

    def set_talking(self, endpoints: Iterable[str]) -> None:
        busy = set(endpoints)
        for endpoint, state in self.accounts.items():
            state.talking = endpoint in busy

    def status_of(self, employee_id: str) -> tuple[AgentStatus, str | None]:
        """A manager's merged status (SPEC 5.2) and department; KeyError if unknown."""
        employee = self._by_id[employee_id]
        status = merge_status(self.accounts[ep].status for ep in employee.endpoints
                              if self.owner.get(ep) == employee_id)
        return status, employee.department

    @property
    def _by_id(self) -> dict[str, AriEmployee]:
        index = self.__dict__.get("_index")
        if index is None or len(index) != len(self.employees):
            index = self.__dict__["_index"] = {e.id: e for e in self.employees}
        return index

    def build(self) -> list[Employee]:
        result = []
        for employee in self.employees:
            accounts = tuple(
                SipAccount(
                    id=endpoint,
                    number=endpoint.rpartition("/")[2],
                    status=self.accounts[endpoint].status,
                )
                for endpoint in employee.endpoints
                if self.owner.get(endpoint) == employee.id
            )
            result.append(
                Employee(
                    id=employee.id,
                    name=employee.name or employee.id,
                    department=employee.department,
                    project=self.project,
                    accounts=accounts,
                )
            )
        return result
