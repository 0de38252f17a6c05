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
from wallboard.core.text import N_, Sentence
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
            return ServiceError(Sentence(N_("Pausing agents is off in kiosk (wall-TV) mode.")),
                                Problem.FORBIDDEN)
        if self.policy.read_only:
            return ServiceError(
                Sentence(N_("Pausing agents is off: the configuration is read-only.")),
                Problem.FORBIDDEN)
        if not self.source.can_pause:
            return ServiceError(Sentence(N_("{source} cannot pause agents."),
                                         source=self.source.title), Problem.UNSUPPORTED)
        employee = self.state.employees.get(employee_id)
        if employee is None:
            return ServiceError(Sentence(N_("There is no manager {manager}."),
                                         manager=repr(employee_id[:60])), Problem.NOT_FOUND)
        if paused and reason not in self.reasons:
            return ServiceError(Sentence(N_("{reason} is not a pause reason; use one of "
                                            "{reasons}."), reason=repr(reason[:40]),
                                         reasons=", ".join(self.reasons)),
                                Problem.BAD_REQUEST)
        agent = self.state.agent(employee_id)
        state = agent.state if agent is not None else AgentState.UNKNOWN
        if paused and state is AgentState.PAUSED and agent and agent.reason == reason:
            return ServiceError(Sentence(N_("{name} is already paused ({reason})."),
                                         name=employee.name, reason=reason), Problem.CONFLICT)
        if not paused and state is not AgentState.PAUSED:
            return ServiceError(Sentence(N_("{name} is not paused."), name=employee.name),
                                Problem.CONFLICT)
        if paused and state is AgentState.OFFLINE:
            return ServiceError(Sentence(N_("{name} is offline; only a signed-in agent can "
                                            "be paused."), name=employee.name),
                                Problem.CONFLICT)
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
                         N_("Pausing the agent") if paused else N_("Unpausing the agent"))
        except ServiceError as failure:
            audit("error", outcome="failed", message=failure.message)
            raise
        audit("paused" if paused else "unpaused", outcome="done")
