"""The demo's managers: their state in the simulation, and who is free to take a call."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from wallboard.core.models import AgentStatus, Employee, SipAccount


@dataclass(slots=True)
class Agent:
    """A demo manager as the simulation keeps them."""

    id: str
    department: str | None
    employee: Employee = field(init=False)
    """Made once at the end of the set-up, from the manager's ``Hire``."""
    busy_with: str | None = None
    """The call this manager handles now, if any."""
    talking_account: str | None = None


def phone(employee: Employee) -> SipAccount:
    """The account a call is answered on: the first online one (else the first)."""
    for account in employee.accounts:
        if account.status is AgentStatus.ONLINE:
            return account
    return employee.accounts[0]


def with_status(employee: Employee, account_id: str, status: AgentStatus) -> Employee:
    """The employee with one account's status changed."""
    accounts = tuple(
        a.model_copy(update={"status": status}) if a.id == account_id else a
        for a in employee.accounts
    )
    return employee.model_copy(update={"accounts": accounts})


class FreeManagers:
    """Managers who are online and not on a call, by department (None: no department).

    Each department keeps a list (for a seeded random pick) and each manager's place in it
    (for O(1) removal: the last one takes the removed one's place).
    """

    def __init__(self) -> None:
        self._lists: dict[str | None, list[str]] = {}
        self._places: dict[str | None, dict[str, int]] = {}
        self._departments: tuple[str | None, ...] = ()
        """Every department seen, in a fixed order: a pick over all of them is seeded too."""

    def set(self, employee_id: str, department: str | None, free: bool) -> None:
        items = self._lists.get(department)
        if items is None:
            items = self._lists[department] = []
            self._places[department] = {}
            self._departments = tuple(sorted(self._lists, key=str))
        places = self._places[department]
        if free:
            if employee_id not in places:
                places[employee_id] = len(items)
                items.append(employee_id)
            return
        i = places.pop(employee_id, None)
        if i is None:
            return
        last = items.pop()
        if last != employee_id:
            items[i] = last
            places[last] = i

    def any(self) -> bool:
        return any(self._lists.values())

    def pick(self, rng: random.Random,
             departments: tuple[str | None, ...] | None = None) -> str | None:
        """A free manager drawn at random from ``departments`` (None: from all), or None."""
        lists = self._lists
        chosen = [items for d in (self._departments if departments is None else departments)
                  if (items := lists.get(d))]
        if not chosen:
            return None
        pick = rng.randrange(sum(map(len, chosen)))
        for items in chosen:
            if pick < len(items):
                return rng.choice(items)
            pick -= len(items)
        return None  # pragma: no cover
