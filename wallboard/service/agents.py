"""Supervisor actions on agents: pause (with a reason) and unpause, for the board and for
``wallboard serve`` alike — the same rules, roles and audit trail as joining a call.

Checked before anything reaches the PBX: not in kiosk or read-only mode, a source that can
pause, a manager the board knows, a reason from the configured list (never free text), and
a change that makes sense (pausing a paused agent is refused). Every request, refusal,
failure and success is a line of the audit log with who asked and from where.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wallboard.audit import AuditLog
from wallboard.core.clock import Clock
from wallboard.core.queues import AgentState
from wallboard.core.state import LiveState
from wallboard.service.errors import Problem, ServiceError, mapped
from wallboard.service.listen import Actor, ListenPolicy
from wallboard.sources.base import Source

DEFAULT_REASONS = ("lunch", "break", "training", "coaching")


@dataclass
class AgentDesk:
    source: Source
    state: LiveState
    clock: Clock
    audit: AuditLog
    policy: ListenPolicy = field(default_factory=ListenPolicy)
    reasons: tuple[str, ...] = DEFAULT_REASONS
    """The pause reasons a supervisor may pick (``[queues] pause_reasons``)."""

    @property
    def supported(self) -> bool:
        return self.source.can_pause

    def refusal(self, employee_id: str, paused: bool, reason: str = "") -> ServiceError | None:
        """Why this pause or unpause may not happen now (as the error to raise), or None."""
        if self.policy.kiosk:
            return ServiceError("Pausing agents is off in kiosk (wall-TV) mode.",
                                Problem.FORBIDDEN)
        if self.policy.read_only:
            return ServiceError("Pausing agents is off: the configuration is read-only.",
                                Problem.FORBIDDEN)
        if not self.source.can_pause:
            return ServiceError(f"{self.source.title} cannot pause agents.",
                                Problem.UNSUPPORTED)
        employee = self.state.employees.get(employee_id)
        if employee is None:
            return ServiceError(f"There is no manager {employee_id[:60]!r}.", Problem.NOT_FOUND)
        if paused and reason not in self.reasons:
            return ServiceError(f"{reason[:40]!r} is not a pause reason; use one of "
                                f"{', '.join(self.reasons)}.", Problem.BAD_REQUEST)
        agent = self.state.agent(employee_id)
        state = agent.state if agent is not None else AgentState.UNKNOWN
        if paused and state is AgentState.PAUSED and agent and agent.reason == reason:
            return ServiceError(f"{employee.name} is already paused ({reason}).",
                                Problem.CONFLICT)
        if not paused and state is not AgentState.PAUSED:
            return ServiceError(f"{employee.name} is not paused.", Problem.CONFLICT)
        if paused and state is AgentState.OFFLINE:
            return ServiceError(f"{employee.name} is offline; only a signed-in agent can be "
                                "paused.", Problem.CONFLICT)
        return None

    async def pause(self, employee_id: str, paused: bool, reason: str, actor: Actor) -> None:
        """Ask the source to pause or unpause; every outcome is audited."""
        reason = reason.strip() if paused else ""
        employee = self.state.employees.get(employee_id)

        def audit(event: str, **fields: str) -> None:
            self.audit.agent_action(event, employee_id=employee_id,
                                    manager=employee.name if employee else None,
                                    paused=paused, reason=reason, **fields, **actor.audit())

        error = self.refusal(employee_id, paused, reason)
        if error is not None:
            audit("refused", outcome="refused", message=error.message)
            raise error
        audit("requested")
        try:
            await mapped(self.source.pause(employee_id, paused, reason),
                         "Pausing the agent" if paused else "Unpausing the agent")
        except ServiceError as failure:
            audit("error", outcome="failed", message=failure.message)
            raise
        audit("paused" if paused else "unpaused", outcome="done")
