"""A scripted call center: known managers and calls, so tests can state literal figures.

At ``FROZEN`` the board shows eight calls (see ``CALLS``); their counters are worked out
by hand in ``test_board.py``, never taken from the code under test.
"""

from __future__ import annotations

from datetime import timedelta

from tests.support.sources import ScriptedSource
from tests.ui.conftest import FROZEN
from wallboard.config import Config, UiConfig
from wallboard.core.clock import ManualClock
from wallboard.core.events import Snapshot
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType, Employee, SipAccount
from wallboard.core.sites import site_call, site_employee
from wallboard.factory import create_app
from wallboard.ui.app import WallboardApp

IN, OUT, BACK = CallType.INCOMING, CallType.OUTGOING, CallType.CALLBACK
RINGING, TALKING, ON_HOLD = CallStatus.RINGING, CallStatus.TALKING, CallStatus.ON_HOLD


def manager(eid: str, name: str, department: str, *statuses: AgentStatus) -> Employee:
    accounts = tuple(SipAccount(id=f"PJSIP/{eid}{i}", number=f"10{eid[1:]}{i}", status=s)
                     for i, s in enumerate(statuses or (AgentStatus.TALKING,)))
    return Employee(id=eid, name=name, department=department, accounts=accounts)


EMPLOYEES = (
    manager("e1", "Ann Lee", "Sales"),
    manager("e2", "Bob Marsh", "Sales"),
    manager("e3", "Cid Novak", "Support"),
    manager("e4", "Dora Quist", "Support", AgentStatus.DND, AgentStatus.OFFLINE),
    manager("e5", "Eve Ortiz", "Sales", AgentStatus.ONLINE),
)


def call(cid: str, kind: CallType, status: CallStatus, employee: str | None, waited: float,
         talked: float = 0.0) -> Call:
    """A call that has waited ``waited`` seconds (and talked ``talked`` since the answer)."""
    answered = FROZEN - timedelta(seconds=talked) if status is not RINGING else None
    created = (answered or FROZEN) - timedelta(seconds=waited)
    n = cid[1:]
    return Call(id=cid, type=kind, status=status, employee_id=employee,
                client_number=f"+48 600 100 {n}", business_number=f"+48 22 500 0{n}",
                created_at=created, answered_at=answered,
                routing_scheme="Main line" if kind is IN else None)


CALLS = (
    call("c101", IN, RINGING, None, waited=40),  # in the queue, late (over 30 s)
    call("c102", IN, RINGING, "e5", waited=25),
    call("c103", OUT, RINGING, "e3", waited=12),
    call("c104", IN, TALKING, "e1", waited=8, talked=95),
    call("c105", IN, ON_HOLD, "e2", waited=5, talked=300),
    call("c106", BACK, TALKING, "e3", waited=3, talked=61),
    call("c107", OUT, TALKING, "e2", waited=4, talked=20),
    call("c108", IN, TALKING, "e3", waited=9, talked=3700),
)


def scripted_app(**ui: object) -> tuple[WallboardApp, ScriptedSource]:
    """The board on the scripted call center, its clock stopped at ``FROZEN``."""
    source = ScriptedSource(Snapshot(calls=CALLS, employees=EMPLOYEES))
    ui.setdefault("timezone", "Europe/Warsaw")
    config = Config(ui=UiConfig.model_validate(ui))
    return create_app(config, source=source, clock=ManualClock(FROZEN)), source


# -- a board over two sites (issue 18) -------------------------------------------------------
KYIV = (
    (manager("k1", "Olena Shevchenko", "Support"), manager("k2", "Taras Bondar", "Sales")),
    (call("c201", IN, RINGING, None, waited=20),  # in the queue
     call("c202", IN, TALKING, "k1", waited=5, talked=120),
     call("c203", OUT, TALKING, "k2", waited=3, talked=60)),
)
WARSAW = (
    (manager("w1", "Anna Nowak", "Sales"), manager("w2", "Piotr Wójcik", "Support")),
    (call("c301", IN, RINGING, "w1", waited=12),
     call("c302", IN, TALKING, "w2", waited=6, talked=240)),
)


def two_site_snapshot() -> Snapshot:
    """Kyiv's and Warsaw's calls and managers, their ids qualified by their site as an
    ingest publishes them (``kyiv:c202``), merged on one board."""
    calls: list[Call] = []
    employees: list[Employee] = []
    for site, (managers, site_calls) in (("kyiv", KYIV), ("warsaw", WARSAW)):
        employees.extend(site_employee(e, site) for e in managers)
        calls.extend(site_call(c, site) for c in site_calls)
    return Snapshot(calls=tuple(calls), employees=tuple(employees))


def two_site_app(**ui: object) -> tuple[WallboardApp, ScriptedSource]:
    """The board over the two scripted sites, its clock stopped at ``FROZEN``."""
    source = ScriptedSource(two_site_snapshot())
    ui.setdefault("timezone", "Europe/Warsaw")
    config = Config(ui=UiConfig.model_validate(ui))
    return create_app(config, source=source, clock=ManualClock(FROZEN)), source
