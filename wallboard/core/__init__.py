"""The call center as data. Pure and synchronous: no Textual, no I/O."""

from wallboard.core.clock import Clock, ManualClock, SystemClock
from wallboard.core.counters import Counters, compute_counters
from wallboard.core.events import Event
from wallboard.core.models import AgentStatus, Call, CallStatus, CallType, Employee, SipAccount
from wallboard.core.state import LiveState

__all__ = [
    "AgentStatus",
    "Call",
    "CallStatus",
    "CallType",
    "Clock",
    "Counters",
    "Employee",
    "Event",
    "LiveState",
    "ManualClock",
    "SipAccount",
    "SystemClock",
    "compute_counters",
]
