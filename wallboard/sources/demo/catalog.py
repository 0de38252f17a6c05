"""What the demo call center is made of: names, departments, routing schemes, numbers."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from wallboard.core.models import AgentStatus, Employee, SipAccount

FIRST_NAMES = (
    "Anna Piotr Katarzyna Tomasz Magdalena Michał Agnieszka Paweł Joanna Krzysztof "
    "Monika Marcin Aleksandra Łukasz Natalia Jakub Ewa Kamil Olga Bartosz Zofia Adam "
    "Maria Dawid Julia Grzegorz Karolina Szymon Weronika Mateusz Iryna Oleh Sophie Lukas"
).split()
LAST_NAMES = (
    "Nowak Kowalski Wiśniewska Wójcik Kamińska Lewandowski Zielińska Szymański Woźniak "
    "Dąbrowski Kozłowska Jankowski Mazur Krawczyk Piotrowska Grabowski Pawlak Michalska "
    "Król Wieczorek Jabłońska Majewski Olszewska Stępień Malinowski Górska Dudek Adamczyk "
    "Shevchenko Bondarenko Müller Schmidt"
).split()
DEPARTMENTS = ("Sales", "Support", "Retention", "Billing", "Onboarding")
USER_AGENTS = ("MicroSIP", "Ringostat app", "Yealink T46U", "Zoiper", "Grandstream GXP")


@dataclass(frozen=True)
class Scheme:
    name: str
    number: str
    departments: tuple[str, ...]


SCHEMES = (
    Scheme("Main line", "+48 22 100 20 30", ("Sales", "Support")),
    Scheme("Sales hotline", "+48 22 100 20 31", ("Sales",)),
    Scheme("Support queue", "+48 22 100 20 40", ("Support", "Onboarding")),
    Scheme("Google Ads", "+48 22 100 20 55", ("Sales",)),
    Scheme("Website widget", "+48 22 100 20 56", ("Sales", "Onboarding")),
    Scheme("Billing IVR", "+48 22 100 20 70", ("Billing",)),
    Scheme("VIP clients", "+48 22 100 20 99", ("Retention", "Sales")),
    Scheme("Cancellations", "+48 22 100 20 80", ("Retention",)),
)
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


def make_staff(rng: random.Random, count: int) -> Iterator[Employee]:
    """``count`` managers, one at a time: names, departments, 1–3 SIP accounts each.

    Some accounts start in do-not-disturb or offline; a few managers have no department.
    """
    ext = 1001
    for i in range(count):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        department = DEPARTMENTS[i % len(DEPARTMENTS)] if rng.random() > 0.05 else None
        accounts = []
        roll = rng.random()
        for k in range(1 if roll < 0.5 else 2 if roll < 0.9 else 3):
            status = AgentStatus.ONLINE
            roll = rng.random()
            if roll < 0.06:
                status = AgentStatus.DND
            elif roll < 0.14 + 0.3 * k:
                status = AgentStatus.OFFLINE
            accounts.append(SipAccount(
                id=f"PJSIP/{ext}",
                number=str(ext),
                user_agent=USER_AGENTS[(i + k) % len(USER_AGENTS)],
                status=status,
            ))
            ext += 1
        yield Employee(id=f"e{i + 1:03d}", name=name, department=department, project="demo",
                       accounts=tuple(accounts))
