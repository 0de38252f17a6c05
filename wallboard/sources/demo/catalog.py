"""What the demo call center is made of: departments, routing schemes, numbers, managers."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from wallboard.core.models import AgentStatus, Employee
from wallboard.core.text import N_
from wallboard.sources.demo.names import NameBook

DEPARTMENTS = ("Sales", "Support", "Retention", "Billing", "Onboarding")
STAFFING = ("Sales", "Support", "Sales", "Retention", "Billing", "Sales", "Onboarding",
            "Support", "Sales", "Retention", "Billing", "Sales", "Onboarding", "Support")
"""Who is hired into which department, in turn: Sales is the largest (it takes the most
schemes), the others are about the same size."""
VENDOR_APP = "Ringostat app"
"""DND can be set only from the vendor's own softphone app (SPEC 5.1)."""
USER_AGENTS = ("MicroSIP", VENDOR_APP, "Yealink T46U", "Zoiper", "Grandstream GXP")


@dataclass(frozen=True)
class Scheme:
    """A routing scheme: a number clients dial, answered by the managers of some departments."""

    name: str
    number: str
    departments: tuple[str, ...]
    weight: float = 1.0
    """How much of the incoming traffic comes through this scheme, relatively."""


SCHEMES = (
    Scheme(N_("Main line"), "+48 22 100 20 30", ("Sales", "Support"), 2.0),
    Scheme(N_("Sales hotline"), "+48 22 100 20 31", ("Sales",)),
    Scheme(N_("Support queue"), "+48 22 100 20 40", ("Support", "Onboarding"), 1.5),
    Scheme(N_("Google Ads"), "+48 22 100 20 55", ("Sales",)),
    Scheme(N_("Website widget"), "+48 22 100 20 56", ("Sales", "Onboarding")),
    Scheme(N_("Billing IVR"), "+48 22 100 20 70", ("Billing",), 1.5),
    Scheme(N_("VIP clients"), "+48 22 100 20 99", ("Retention", "Sales"), 0.5),
    Scheme(N_("Cancellations"), "+48 22 100 20 80", ("Retention",), 1.5),
)
"""The schemes' names are English here and said in the demo's language by
:func:`scheme_name` (data in the language of the people who would have named them)."""
SCHEME_WEIGHTS = tuple(itertools.accumulate(s.weight for s in SCHEMES))
"""Cumulative, as ``random.choices(cum_weights=...)`` takes them."""
OVERFLOW = N_("{scheme} (overflow)")
"""The routing scheme of a call that none of the scheme's departments could take and that
was put through to a free manager of another department (or of none)."""


@cache
def scheme_name(scheme: Scheme, overflow: bool = False, language: str = "en") -> str:
    """``Main line``, ``Linia główna (przelew)``: the scheme's name in ``language`` (looked
    up once per scheme and language: a 5,000-call demo names thousands at start-up)."""
    from wallboard.i18n import translator

    words = translator(language)
    name = words.gettext(scheme.name)
    return words.gettext(OVERFLOW).format(scheme=name) if overflow else name
OUTGOING_NUMBERS = {
    "Sales": "+48 22 100 30 01",
    "Support": "+48 22 100 30 02",
    "Retention": "+48 22 100 30 03",
    "Billing": "+48 22 100 30 04",
    "Onboarding": "+48 22 100 30 05",
}
EVENTS_PER_CALL = 3.1
"""Started, answered (or not), ended, and now and then hold / unhold."""
NATURAL_LIFETIME = 150.0
"""Seconds a demo call lives on average when no event rate is asked for."""


def schemes_of(department: str | None) -> tuple[Scheme, ...]:
    """The schemes whose calls a manager of ``department`` takes (none without one)."""
    return tuple(s for s in SCHEMES if department in s.departments)


def outgoing_number(department: str | None) -> str:
    """The number a manager of ``department`` calls from (Sales' for those without one)."""
    return OUTGOING_NUMBERS.get(department or "Sales", OUTGOING_NUMBERS["Sales"])


@dataclass(slots=True)
class Hire:
    """A manager as the demo draws them, before they become an :class:`Employee`.

    The set-up marks the accounts of managers already on a call as talking, then makes
    each :class:`Employee` once (a model per status change would cost twice as much).
    """

    id: str
    name: str
    department: str | None
    accounts: list[dict[str, str]]
    """The fields of each :class:`SipAccount`."""

    @property
    def online(self) -> bool:
        return any(a["status"] is AgentStatus.ONLINE for a in self.accounts)

    def employee(self) -> Employee:
        return Employee.model_validate({
            "id": self.id, "name": self.name, "department": self.department,
            "project": "demo", "accounts": self.accounts,
        })


def make_staff(rng: random.Random, count: int) -> Iterator[Hire]:
    """``count`` managers, one at a time: names, departments, 1–3 SIP accounts each.

    Every name is different. Some accounts start offline, and some of those on the vendor's
    app in do-not-disturb (no other softphone can set it); a few managers have no department.
    """
    names = NameBook()
    ext = 1001
    agents = USER_AGENTS
    for i in range(count):
        name = names.draw(rng)
        department = STAFFING[i % len(STAFFING)] if rng.random() > 0.05 else None
        accounts = []
        roll = rng.random()
        for k in range(1 if roll < 0.5 else 2 if roll < 0.9 else 3):
            user_agent = agents[(i + k) % len(agents)]
            status = AgentStatus.ONLINE
            roll = rng.random()
            if roll < 0.15 and user_agent == VENDOR_APP:
                status = AgentStatus.DND
            elif roll < 0.14 + 0.3 * k:
                status = AgentStatus.OFFLINE
            accounts.append({"id": f"PJSIP/{ext}", "number": str(ext),
                             "user_agent": user_agent, "status": status})
            ext += 1
        yield Hire(f"e{i + 1:03d}", name, department, accounts)
