"""The agents grid as data: which managers (the board's filters), in which order, how many
in each state. Pure functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wallboard.core.models import Employee
from wallboard.core.queues import AGENT_STATE_ORDER, Agent, AgentState
from wallboard.core.state import LiveState
from wallboard.core.text import N_, Sentence
from wallboard.core.view import BoardFilter


class AgentSort(StrEnum):
    NAME = "name"
    """The default: every agent keeps their place while their state changes."""
    STATE = "state"
    """By state (available first), then the longest in it."""
    TIME = "time"
    """The longest in their state first."""
    DEPARTMENT = "department"

    def next(self) -> AgentSort:
        members = list(AgentSort)
        return members[(members.index(self) + 1) % len(members)]

    def describe(self, reverse: bool) -> Sentence:
        """``by state``, ``by name, reversed`` (English, said in the board's language)."""
        column = Sentence(_SORT_WORDS[self])
        return Sentence(N_("by {column}, reversed") if reverse else N_("by {column}"),
                        column=column)


_SORT_WORDS = {AgentSort.STATE: N_("state"), AgentSort.NAME: N_("name"),
               AgentSort.TIME: N_("time in state"), AgentSort.DEPARTMENT: N_("department")}


@dataclass(frozen=True, slots=True)
class AgentRow:
    employee: Employee
    agent: Agent

    def seconds(self, now: datetime) -> float:
        """Time in state at ``now`` (durations are computed at render time)."""
        return max(0.0, (now - self.agent.since).total_seconds())


_RANK = {state: n for n, state in enumerate(AGENT_STATE_ORDER)}


def agent_rows(state: LiveState, board_filter: BoardFilter, sort: AgentSort, reverse: bool
               ) -> list[AgentRow]:
    """The managers the filters let through, each with their agent state, sorted; ties by
    name then id, so the grid stays put between frames."""
    rows = []
    for employee in state.employees.values():
        agent = state.agent(employee.id)
        if agent is None or not board_filter.matches_agent(employee, agent):
            continue
        rows.append(AgentRow(employee, agent))
    rows.sort(key=lambda r: (r.employee.name.casefold(), r.employee.id))
    if sort is AgentSort.STATE:
        rows.sort(key=lambda r: (_RANK[r.agent.state], r.agent.since))
    elif sort is AgentSort.TIME:
        rows.sort(key=lambda r: r.agent.since)
    elif sort is AgentSort.DEPARTMENT:
        rows.sort(key=lambda r: (r.employee.department or "\uffff").casefold())
    if reverse:
        rows.reverse()
    return rows


def state_totals(rows: Iterable[AgentRow]) -> dict[AgentState, int]:
    """How many of these agents are in each state (every state present, in grid order)."""
    counts = Counter(r.agent.state for r in rows)
    return {state: counts.get(state, 0) for state in AGENT_STATE_ORDER}


def time_in_state_text(seconds: float) -> str:
    """Four characters at most, ticking every second only while short: ``0:07``,
    ``9:59``, then ``12m``, ``3h05``, ``2d``."""
    total = int(max(0.0, seconds))
    if total < 600:
        return f"{total // 60}:{total % 60:02d}"
    if total < 3600:
        return f"{total // 60}m"
    if total < 86_400:
        return f"{total // 3600}h{total % 3600 // 60:02d}"
    return f"{total // 86_400}d"
